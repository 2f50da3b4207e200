// `dicomnet cert ...`: the certificate service from scripts, on the same data folder as the app
// (--data DIR, else DICOMNET_DATA, else the app's own folder). Keys made here are kept by file
// permissions (the OS keychain is the desktop app's); no command ever prints a private key.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { identityRequestProblems, KEY_TYPES, type CertificateDetails, type ChainCheck, type IdentityRequest, type KeyType } from '../../src-shared/certificates';
import { DEFAULT_SETTINGS, fingerprintOf } from '../../src-shared/settings-schema';
import { identityDefaults, readChosenFiles } from '../app/certificate-handlers';
import { CertificateStore, CertificateStoreError, inspectFiles } from '../app/certificates/cert-store';
import { CredentialError } from '../app/certificates/credentials';
import { defaultDataFolder } from '../app/data-folder';
import { BadRequest } from '../app/requests';
import { parseCommandLine, parsePositiveInt, readSettingsOption } from './options';
import { UsageError } from './usage';

const SUBJECT_OPTIONS = {
  'key-type': { type: 'string' },
  cn: { type: 'string' },
  org: { type: 'string' },
  ou: { type: 'string' },
  country: { type: 'string' },
  dns: { type: 'string', multiple: true },
  ip: { type: 'string', multiple: true },
  days: { type: 'string' },
} as const;

const COMMON = { data: { type: 'string' }, json: { type: 'boolean' } } as const;

function dataFolder(v: { data?: string }): string {
  return v.data ?? defaultDataFolder();
}

/** The app's local node settings, if its settings file is there and valid; the defaults otherwise. */
function localNodeOf(folder: string) {
  const path = join(folder, 'settings.json');
  if (!existsSync(path)) return DEFAULT_SETTINGS.localNode;
  try {
    return readSettingsOption(path).localNode;
  } catch {
    return DEFAULT_SETTINGS.localNode;
  }
}

type SubjectValues = { 'key-type'?: string; cn?: string; org?: string; ou?: string; country?: string; dns?: string[]; ip?: string[]; days?: string };

function identityRequest(v: SubjectValues, folder: string): IdentityRequest {
  const d = identityDefaults(localNodeOf(folder));
  if (v['key-type'] !== undefined && !KEY_TYPES.includes(v['key-type'] as KeyType)) throw new UsageError(`--key-type must be one of ${KEY_TYPES.join(', ')}.`);
  const r: IdentityRequest = {
    keyType: (v['key-type'] as KeyType | undefined) ?? d.keyType,
    subject: {
      commonName: v.cn ?? d.subject.commonName,
      organization: v.org ?? d.subject.organization,
      organizationalUnit: v.ou ?? d.subject.organizationalUnit,
      country: v.country ?? d.subject.country,
    },
    dnsNames: v.dns ?? (v.ip ? [] : d.dnsNames),
    ipAddresses: v.ip ?? (v.dns ? [] : d.ipAddresses),
    days: v.days === undefined ? d.days : parsePositiveInt(v.days, '--days', 3650),
  };
  const problems = identityRequestProblems(r);
  if (problems.length) throw new UsageError(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  return r;
}

export function formatDetails(c: CertificateDetails, indent = '  '): string {
  const names = [...c.dnsNames.map((n) => `DNS:${n}`), ...c.ipAddresses.map((n) => `IP:${n}`)].join(', ') || '(none)';
  const state = c.expiry === 'expired' ? 'EXPIRED' : c.expiry === 'not-yet-valid' ? 'NOT YET VALID' : c.expiry === 'expiring' ? `expires in ${c.daysLeft} days` : `${c.daysLeft} days left`;
  const rows: [string, string][] = [
    ['subject', c.subject],
    ['issuer', c.issuer],
    ['names', names],
    ['valid', `${c.validFrom} to ${c.validTo} (${state})`],
    ['key', `${c.keyType}${c.curve ? ` ${c.curve}` : ''}${c.keyBits ? ` (${c.keyBits} bits)` : ''}`],
    ['signature', c.signatureAlgorithm],
    ['serial', c.serialNumber],
    ['SHA-256', c.fingerprint256],
    ['key usage', c.keyUsage.join(', ') || '(not restricted)'],
    ['ext. usage', c.extendedKeyUsage.join(', ') || '(not restricted)'],
    ['CA', c.isCa ? 'yes' : 'no'],
  ];
  return rows.map(([k, val]) => `${indent}${`${k}:`.padEnd(12)} ${val}`).join('\n');
}

function formatChain(c: ChainCheck): string {
  if (c.trusted) return `chain: trusted (${c.path.map((p) => p.subject).join(' <- ')})`;
  return `chain: NOT TRUSTED: ${c.problem ?? 'no path to a trusted certificate'}`;
}

function passphrase(v: { passphrase?: string }): string | undefined {
  return v.passphrase ?? process.env.DICOMNET_PASSPHRASE;
}

/** Certificate errors are the user's: exit 1 with the reason. */
async function reporting(err: NodeJS.WritableStream, f: () => Promise<number> | number): Promise<number> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof CredentialError || e instanceof BadRequest || e instanceof CertificateStoreError) {
      err.write(`dicomnet cert: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}

export async function runCert(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create':
    case 'csr': {
      const { values: v, positionals } = parseCommandLine(rest, { ...COMMON, ...SUBJECT_OPTIONS, out: { type: 'string' } }, true);
      if (positionals.length) throw new UsageError(`cert ${sub} takes no file names (${positionals[0]}).`);
      const folder = dataFolder(v);
      const request = identityRequest(v, folder);
      const store = new CertificateStore(folder);
      if (sub === 'create') {
        const info = await store.createSelfSigned(request);
        if (v.json) out.write(`${JSON.stringify(info.certificate)}\n`);
        else out.write(`created a self-signed identity in ${store.folder}\n${formatDetails(info.certificate)}\n`);
        return 0;
      }
      const csr = await store.createSigningRequest(request);
      if (v.out) {
        writeFileSync(v.out, csr);
        out.write(`signing request written to ${v.out}; its key waits in ${store.folder} for the CA's certificate ('dicomnet cert import CERT')\n`);
      } else out.write(csr);
      return 0;
    }
    case 'inspect': {
      const { values: v, positionals } = parseCommandLine(rest, { ...COMMON, passphrase: { type: 'string' } }, true);
      if (positionals.length === 0) throw new UsageError('cert inspect takes FILE (PEM, DER or PKCS#12).');
      return reporting(err, () => {
        const anchors = v.data !== undefined || existsSync(defaultDataFolder()) ? new CertificateStore(dataFolder(v)).trustedCertificates() : [];
        const r = inspectFiles(readChosenFiles(positionals), passphrase(v), anchors);
        if (v.json) {
          out.write(`${JSON.stringify(r)}\n`);
          return 0;
        }
        r.certificates.forEach((c, i) => out.write(`certificate ${i + 1} of ${r.certificates.length}${i === 0 && r.hasKey ? ' (with its private key)' : ''}\n${formatDetails(c)}\n`));
        out.write(`${formatChain(r.chainCheck)}\n`);
        return 0;
      });
    }
    case 'import': {
      const { values: v, positionals } = parseCommandLine(rest, { ...COMMON, passphrase: { type: 'string' } }, true);
      if (positionals.length === 0) throw new UsageError('cert import takes FILE... (certificate and key, a PKCS#12 file, or the CA\'s answer to our request).');
      return reporting(err, () => {
        const info = new CertificateStore(dataFolder(v)).importIdentity(readChosenFiles(positionals), passphrase(v));
        if (v.json) out.write(`${JSON.stringify(info)}\n`);
        else out.write(`imported our identity\n${formatDetails(info.certificate)}\n${formatChain(info.chainCheck)}\n`);
        return 0;
      });
    }
    case 'trust': {
      const { values: v, positionals } = parseCommandLine(rest, { ...COMMON, label: { type: 'string' } }, true);
      if (positionals.length === 0) throw new UsageError('cert trust takes FILE... (a CA or a peer\'s certificate).');
      return reporting(err, () => {
        const added = new CertificateStore(dataFolder(v)).trust(readChosenFiles(positionals), v.label);
        if (v.json) out.write(`${JSON.stringify(added)}\n`);
        else for (const t of added) out.write(`trusted: ${t.label} (${t.subject}) SHA-256 ${t.fingerprint256}\n`);
        return 0;
      });
    }
    case 'untrust': {
      const { values: v, positionals } = parseCommandLine(rest, { ...COMMON }, true);
      const fp = positionals.length === 1 ? fingerprintOf(positionals[0]!) : undefined;
      if (!fp) throw new UsageError('cert untrust takes the SHA-256 fingerprint of a trusted certificate.');
      if (!new CertificateStore(dataFolder(v)).untrust(fp)) {
        err.write(`dicomnet cert: no trusted certificate has the fingerprint ${fp}\n`);
        return 1;
      }
      out.write(`removed ${fp}\n`);
      return 0;
    }
    case 'list': {
      const { values: v } = parseCommandLine(rest, { ...COMMON }, false);
      return reporting(err, () => {
        const s = new CertificateStore(dataFolder(v)).state();
        if (v.json) {
          out.write(`${JSON.stringify(s)}\n`);
          return 0;
        }
        out.write(s.identity ? `our identity (key kept by ${s.identity.keyProtection}):\n${formatDetails(s.identity.certificate)}\n` : 'our identity: none\n');
        if (s.pendingCsr) out.write(`pending signing request: ${s.pendingCsr.subject} (${s.pendingCsr.createdAt})\n`);
        out.write(`trusted certificates: ${s.trusted.length}\n`);
        for (const t of s.trusted) out.write(`  ${t.label}: ${t.subject}, until ${t.validTo}${t.expiry !== 'valid' ? ` [${t.expiry}]` : ''}\n  ${t.fingerprint256}\n`);
        return 0;
      });
    }
    case 'export': {
      const { values: v } = parseCommandLine(rest, { ...COMMON, out: { type: 'string' } }, false);
      return reporting(err, () => {
        const e = new CertificateStore(dataFolder(v)).exportIdentity();
        if (v.out) {
          writeFileSync(v.out, e.pem);
          out.write(`${e.text}\nwritten to ${v.out}\n`);
        } else out.write(e.pem);
        return 0;
      });
    }
    default:
      throw new UsageError(sub === undefined ? 'cert takes a subcommand: create, csr, inspect, import, trust, untrust, list or export.' : `Unknown cert subcommand '${sub}'.`);
  }
}

