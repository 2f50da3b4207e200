// The certificate channels of the IPC contract: each payload checked here in main; files are read
// by main from paths (the renderer never handles key material, and no private key is ever returned).

import { readFileSync, statSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { basename } from 'node:path';
import { identityRequestProblems, type CertificatesState, type IdentityRequest } from '../../src-shared/certificates';
import type { InvokeChannels, InvokeReply } from '../../src-shared/ipc';
import { fingerprintOf, hostProblem, type LocalNodeSettings } from '../../src-shared/settings-schema';
import { CertificateStoreError, inspectFiles, type CertificateStore } from './certificates/cert-store';
import { CredentialError, type CredentialFile } from './certificates/credentials';
import { BadRequest, objectOf, pathsField } from './requests';

type CertChannel = Extract<keyof InvokeChannels, `certs:${string}`>;

export interface CertificateHandlerDeps {
  readonly store: () => CertificateStore;
  readonly localNode: () => LocalNodeSettings;
  readonly changed: (state: CertificatesState) => void;
}

const MAX_FILE_BYTES = 1024 * 1024;

/** Reads the files a person chose; too large or unreadable ones are named. */
export function readChosenFiles(paths: readonly string[]): CredentialFile[] {
  return paths.map((p) => {
    try {
      if (statSync(p).size > MAX_FILE_BYTES) throw new BadRequest(`${p} is larger than 1 MiB: that is not a certificate or key file.`);
      return { name: basename(p), data: readFileSync(p) };
    } catch (err) {
      if (err instanceof BadRequest) throw err;
      throw new BadRequest(`Cannot read ${p} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
    }
  });
}

function sourceFiles(request: unknown, channel: string): CredentialFile[] {
  const o = objectOf(request, channel);
  if (typeof o.pem === 'string') {
    if (o.pem.length === 0 || o.pem.length > MAX_FILE_BYTES) throw new BadRequest(`${channel}: 'pem' must be the text of a certificate`);
    return [{ name: 'the pasted text', data: Buffer.from(o.pem, 'utf8') }];
  }
  return readChosenFiles(pathsField(o, channel, 16));
}

function passphraseOf(o: Record<string, unknown>, channel: string): string | undefined {
  if (o.passphrase === undefined || o.passphrase === '') return undefined;
  if (typeof o.passphrase !== 'string' || o.passphrase.length > 1024) throw new BadRequest(`${channel}: 'passphrase' must be text`);
  return o.passphrase;
}

/** The identity a person most likely wants: this machine's name and addresses, the node's AE title. */
export function identityDefaults(local: LocalNodeSettings): IdentityRequest {
  const host = hostname();
  const dnsNames = [...new Set([host, 'localhost'].filter((n) => hostProblem(n) === undefined && !/^[\d.]+$/.test(n)))];
  const specific = local.bindAddress !== '0.0.0.0' && local.bindAddress !== '::';
  const ipAddresses = specific && /^[\d.:a-fA-F]+$/.test(local.bindAddress) ? [local.bindAddress]
    : ['127.0.0.1', ...Object.values(networkInterfaces()).flat().filter((i) => i && !i.internal && i.family === 'IPv4').map((i) => i!.address)];
  return { keyType: 'ec-p256', subject: { commonName: host.slice(0, 64) || local.aeTitle, organizationalUnit: local.aeTitle }, dnsNames, ipAddresses: [...new Set(ipAddresses)], days: 730 };
}

/** Certificate errors that are the user's to fix come back as their plain words. */
async function plainly<T>(f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof CredentialError || err instanceof CertificateStoreError) throw new BadRequest(err.message);
    throw err;
  }
}

export function certificateHandlers(d: CertificateHandlerDeps): { readonly [C in CertChannel]: (request: unknown) => Promise<InvokeReply<C>> } {
  const done = () => {
    const state = d.store().state();
    d.changed(state);
    return state;
  };
  return {
    'certs:state': async () => d.store().state(),
    'certs:defaults': async () => identityDefaults(d.localNode()),
    'certs:create': (request) => plainly(async () => {
      const o = objectOf(request, 'certs:create');
      const problems = identityRequestProblems(o);
      if (problems.length) throw new BadRequest(`Not created: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
      if (o.mode !== 'self-signed' && o.mode !== 'csr') throw new BadRequest("certs:create: 'mode' must be 'self-signed' or 'csr'");
      const r = o as unknown as IdentityRequest;
      const clean: IdentityRequest = {
        keyType: r.keyType,
        subject: Object.fromEntries(Object.entries(r.subject).filter(([, v]) => typeof v === 'string' && v.trim() !== '').map(([k, v]) => [k, (v as string).trim()])) as unknown as IdentityRequest['subject'],
        dnsNames: r.dnsNames.map((n) => n.trim()),
        ipAddresses: r.ipAddresses.map((n) => n.trim()),
        days: r.days,
      };
      if (o.mode === 'self-signed') await d.store().createSelfSigned(clean);
      else await d.store().createSigningRequest(clean);
      return done();
    }),
    'certs:import-identity': (request) => plainly(() => {
      const o = objectOf(request, 'certs:import-identity');
      d.store().importIdentity(readChosenFiles(pathsField(o, 'certs:import-identity', 16)), passphraseOf(o, 'certs:import-identity'));
      return done();
    }),
    'certs:remove-identity': async () => {
      d.store().removeIdentity();
      return done();
    },
    'certs:export': () => plainly(() => d.store().exportIdentity()),
    'certs:trust': (request) => plainly(() => {
      const o = objectOf(request, 'certs:trust');
      if (o.label !== undefined && (typeof o.label !== 'string' || o.label.length > 128)) throw new BadRequest("certs:trust: 'label' must be at most 128 characters");
      d.store().trust(sourceFiles(request, 'certs:trust'), o.label as string | undefined);
      return done();
    }),
    'certs:untrust': async (request) => {
      const o = objectOf(request, 'certs:untrust');
      const fp = typeof o.fingerprint256 === 'string' ? fingerprintOf(o.fingerprint256) : undefined;
      if (!fp) throw new BadRequest("certs:untrust: 'fingerprint256' must be a SHA-256 fingerprint");
      if (!d.store().untrust(fp)) throw new BadRequest(`No trusted certificate has the fingerprint ${fp}.`);
      return done();
    },
    'certs:inspect': (request) => plainly(() => {
      const o = objectOf(request, 'certs:inspect');
      return inspectFiles(sourceFiles(request, 'certs:inspect'), passphraseOf(o, 'certs:inspect'), d.store().trustedCertificates());
    }),
  };
}
