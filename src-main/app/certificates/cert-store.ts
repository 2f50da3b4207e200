// The workstation's certificates, in `<data folder>/pki/`:
//   identity.pem        our certificate, then its chain (public)
//   identity.key        our private key: PKCS#8 PEM, owner-only (0600); or
//   identity.key.enc    the same, encrypted by the OS keychain (Electron safeStorage)
//   pending.key(.enc)   the key of a signing request not yet answered, pending.csr the request
//   trusted/<sha256>.pem  trusted CA and peer certificates, each with a '# label:' line before it
// Private keys never leave this module but as node:crypto KeyObjects for the TLS layer; everything
// the GUI sees is CertificateDetails. Files are written to a temporary name and renamed.

import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertificateDetails, CertificatesState, IdentityInfo, IdentityRequest, TrustedCertificate } from '../../../src-shared/certificates';
import { makeDirsSync } from '../../dicomnet/services/storage/make-dirs';
import { checkChain } from './chain';
import { CredentialError, readCredentials, type CredentialFile } from './credentials';
import { pemBlocks, readDer } from './der';
import { decodeName } from './names';
import { describeCertificate, parseCertificate } from './inspect';
import { createCsr, createSelfSigned, generateKey } from './x509-create';

/** How private keys are kept at rest: by the OS keychain (Electron safeStorage), or by file permissions alone. */
export interface KeyProtector {
  readonly kind: 'os-keychain' | 'file-permissions';
  encrypt(plain: Buffer): Buffer;
  decrypt(sealed: Buffer): Buffer;
}

export const FILE_PERMISSIONS_ONLY: KeyProtector = {
  kind: 'file-permissions',
  encrypt: (b) => b,
  decrypt: (b) => b,
};

/** Our identity for TLS: the certificate chain and the key. Main process only. */
export interface Identity {
  readonly certificates: readonly X509Certificate[];
  readonly key: KeyObject;
}

export class CertificateStoreError extends Error {
  override name = 'CertificateStoreError';
}

function writeAtomic(path: string, data: string | Buffer, mode: number): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, data, { mode });
  chmodSync(temp, mode); // the umask may have narrowed it; never widened
  renameSync(temp, path);
}

interface TrustedEntry {
  readonly certificate: X509Certificate;
  readonly label: string;
  readonly addedAt: string;
}

const fingerprintFile = (fp: string) => `${fp.replace(/:/g, '').toLowerCase()}.pem`;

export class CertificateStore {
  readonly folder: string;
  private readonly trustedFolder: string;

  constructor(dataFolder: string, private readonly protector: KeyProtector = FILE_PERMISSIONS_ONLY) {
    this.folder = join(dataFolder, 'pki');
    this.trustedFolder = join(this.folder, 'trusted');
  }

  private ensureFolders(): void {
    makeDirsSync(this.trustedFolder);
    chmodSync(this.folder, 0o700);
  }

  private path(name: string): string {
    return join(this.folder, name);
  }

  // ---- keys ------------------------------------------------------------------------------------

  private writeKey(base: 'identity' | 'pending', key: KeyObject): void {
    this.ensureFolders();
    const pem = Buffer.from(key.export({ type: 'pkcs8', format: 'pem' }) as string);
    const sealed = this.protector.kind === 'os-keychain';
    writeAtomic(this.path(`${base}.key${sealed ? '.enc' : ''}`), this.protector.encrypt(pem), 0o600);
    rmSync(this.path(`${base}.key${sealed ? '' : '.enc'}`), { force: true });
  }

  private readKey(base: 'identity' | 'pending'): KeyObject | undefined {
    const plain = this.path(`${base}.key`);
    const sealed = this.path(`${base}.key.enc`);
    if (existsSync(sealed)) {
      if (this.protector.kind !== 'os-keychain') {
        throw new CertificateStoreError(`Our private key (${sealed}) is encrypted with the desktop app's OS keychain and cannot be read here: use the desktop app, or give --cert and --key files.`);
      }
      return createPrivateKey(this.protector.decrypt(readFileSync(sealed)));
    }
    if (existsSync(plain)) return createPrivateKey(readFileSync(plain));
    return undefined;
  }

  private keyProtection(base: 'identity' | 'pending'): IdentityInfo['keyProtection'] {
    return existsSync(this.path(`${base}.key.enc`)) ? 'os-keychain' : 'file-permissions';
  }

  // ---- identity --------------------------------------------------------------------------------

  private identityCertificates(): X509Certificate[] {
    const p = this.path('identity.pem');
    if (!existsSync(p)) return [];
    return pemBlocks(readFileSync(p, 'latin1')).filter((b) => b.label === 'CERTIFICATE').map((b) => parseCertificate(b.der));
  }

  /** Our certificate chain and key for a TLS listener or client; undefined when we have none. */
  identity(): Identity | undefined {
    const certificates = this.identityCertificates();
    if (certificates.length === 0) return undefined;
    const key = this.readKey('identity');
    if (!key) throw new CertificateStoreError(`Our certificate has no private key beside it in ${this.folder}: import the certificate again with its key.`);
    return { certificates, key };
  }

  identityInfo(now = Date.now(), trusted: readonly X509Certificate[] = this.trustedCertificates()): IdentityInfo | undefined {
    const certs = this.identityCertificates();
    if (certs.length === 0) return undefined;
    const [leaf, ...rest] = certs as [X509Certificate, ...X509Certificate[]];
    const certificate = describeCertificate(leaf, now);
    return {
      certificate,
      chain: rest.map((c) => describeCertificate(c, now)),
      // A self-signed identity is its own anchor.
      chainCheck: checkChain(leaf, rest, [...trusted, ...(certificate.selfSigned ? [leaf] : [])], now),
      keyProtection: this.keyProtection('identity'),
    };
  }

  private setIdentity(certificates: readonly X509Certificate[], key: KeyObject): IdentityInfo {
    this.ensureFolders();
    this.writeKey('identity', key);
    writeAtomic(this.path('identity.pem'), certificates.map((c) => c.toString()).join(''), 0o644);
    return this.identityInfo()!;
  }

  async createSelfSigned(request: IdentityRequest): Promise<IdentityInfo> {
    const key = await generateKey(request.keyType);
    const pem = createSelfSigned(key, request);
    const info = this.setIdentity([new X509Certificate(pem)], key);
    this.clearPending();
    return info;
  }

  /** A new key and its signing request; the key waits until the CA's certificate is imported. */
  async createSigningRequest(request: Omit<IdentityRequest, 'days'>): Promise<string> {
    const key = await generateKey(request.keyType);
    const csr = createCsr(key, request);
    this.writeKey('pending', key);
    writeAtomic(this.path('pending.csr'), csr, 0o644);
    return csr;
  }

  pendingRequest(): CertificatesState['pendingCsr'] {
    const p = this.path('pending.csr');
    if (!existsSync(p)) return undefined;
    const pem = readFileSync(p, 'utf8');
    return { pem, subject: subjectOfCsr(pem), createdAt: statSync(p).mtime.toISOString() };
  }

  private clearPending(): void {
    for (const f of ['pending.csr', 'pending.key', 'pending.key.enc']) rmSync(this.path(f), { force: true });
  }

  /**
   * Our identity from files: certificate and key (PEM, DER, PKCS#12), or just the certificate our
   * CA returned for the pending signing request.
   */
  importIdentity(files: readonly CredentialFile[], passphrase?: string): IdentityInfo {
    const c = readCredentials(files, passphrase);
    if (c.certificates.length === 0) throw new CredentialError('no-certificate', 'No certificate found in the files: import the certificate together with its key (or a PKCS#12 file).');
    let key = c.key;
    let certificates = c.certificates;
    if (!key) {
      const pending = this.readKey('pending');
      const leaf = pending && c.certificates.find((x) => x.checkPrivateKey(pending));
      if (!pending || !leaf) {
        throw new CredentialError('no-key', pending
          ? 'This certificate does not answer our signing request (its key differs): import the certificate the CA issued for our request, or the certificate with its own key.'
          : 'No private key found: import the key file too (or a PKCS#12 file holding both).');
      }
      key = pending;
      certificates = [leaf, ...c.certificates.filter((x) => x !== leaf)];
    }
    const leafDetails = describeCertificate(certificates[0]!);
    if (leafDetails.isCa && certificates.length > 1) throw new CredentialError('malformed', 'The key belongs to a CA certificate: import the node\'s own certificate and key.');
    const info = this.setIdentity(certificates, key);
    if (c.key === undefined) this.clearPending();
    return info;
  }

  removeIdentity(): void {
    for (const f of ['identity.pem', 'identity.key', 'identity.key.enc']) rmSync(this.path(f), { force: true });
  }

  /** Our certificate to hand to a peer's administrator: PEM and fingerprint, never the key. */
  exportIdentity(): { pem: string; fingerprint256: string; subject: string; text: string } {
    const info = this.identityInfo();
    if (!info) throw new CertificateStoreError('There is no certificate to export yet: create or import one first.');
    const c = info.certificate;
    const text = [
      `Subject: ${c.subject}`,
      `Issuer: ${c.issuer}`,
      `Valid: ${c.validFrom} to ${c.validTo}`,
      `SHA-256 fingerprint: ${c.fingerprint256}`,
    ].join('\n');
    return { pem: c.pem, fingerprint256: c.fingerprint256, subject: c.subject, text };
  }

  // ---- trust store -----------------------------------------------------------------------------

  trustedCertificates(): X509Certificate[] {
    return this.trustedEntries().map((e) => e.certificate);
  }

  private trustedEntries(): TrustedEntry[] {
    if (!existsSync(this.trustedFolder)) return [];
    const out: TrustedEntry[] = [];
    for (const name of readdirSync(this.trustedFolder).filter((n) => /^[0-9a-f]{64}\.pem$/.test(n)).sort()) {
      const text = readFileSync(join(this.trustedFolder, name), 'utf8');
      const block = pemBlocks(text).find((b) => b.label === 'CERTIFICATE');
      if (!block) continue;
      try {
        const certificate = parseCertificate(block.der);
        out.push({ certificate, label: /^# label: (.*)$/m.exec(text)?.[1] ?? '', addedAt: /^# added: (.*)$/m.exec(text)?.[1] ?? '' });
      } catch { /* a damaged file is skipped, not fatal */ }
    }
    return out;
  }

  trusted(now = Date.now()): TrustedCertificate[] {
    return this.describeTrusted(this.trustedEntries(), now);
  }

  private describeTrusted(entries: readonly TrustedEntry[], now: number): TrustedCertificate[] {
    return entries.map((e) => {
      const d = describeCertificate(e.certificate, now);
      return { ...d, label: e.label || d.commonName || d.subject, addedAt: e.addedAt };
    });
  }

  /** Trusts every certificate in the files (a CA, a chain, or a peer's own certificate). */
  trust(files: readonly CredentialFile[], label?: string): TrustedCertificate[] {
    const c = readCredentials(files);
    if (c.certificates.length === 0) throw new CredentialError('no-certificate', 'No certificate found in the files to trust.');
    this.ensureFolders();
    const added = new Set<string>();
    for (const cert of c.certificates) {
      const d = describeCertificate(cert);
      const name = (label?.trim() || d.commonName || d.subject).replace(/[\r\n]/g, ' ').slice(0, 128);
      writeAtomic(join(this.trustedFolder, fingerprintFile(cert.fingerprint256)), `# label: ${name}\n# added: ${new Date().toISOString()}\n${cert.toString()}`, 0o644);
      added.add(cert.fingerprint256);
    }
    return this.trusted().filter((t) => added.has(t.fingerprint256));
  }

  untrust(fingerprint256: string): boolean {
    const p = join(this.trustedFolder, fingerprintFile(fingerprint256));
    if (!existsSync(p)) return false;
    rmSync(p);
    return true;
  }

  state(now = Date.now()): CertificatesState {
    // The trusted folder is read once for both the identity's chain check and the list.
    const entries = this.trustedEntries();
    return {
      identity: this.identityInfo(now, entries.map((e) => e.certificate)),
      pendingCsr: this.pendingRequest(),
      trusted: this.describeTrusted(entries, now),
    };
  }
}

/** Inspects any files: certificates found (leaf first), whether a key came with them, the chain to our trust. */
export function inspectFiles(files: readonly CredentialFile[], passphrase: string | undefined, anchors: readonly X509Certificate[], now = Date.now()) {
  const c = readCredentials(files, passphrase);
  if (c.certificates.length === 0) throw new CredentialError('no-certificate', `${files.map((f) => f.name).join(', ')} holds no certificate${c.key ? ' (only a private key)' : ''}.`);
  const [leaf, ...rest] = c.certificates as [X509Certificate, ...X509Certificate[]];
  const certificates: CertificateDetails[] = c.certificates.map((x) => describeCertificate(x, now));
  return { certificates, hasKey: c.key !== undefined, chainCheck: checkChain(leaf, rest, anchors, now) };
}

function subjectOfCsr(pem: string): string {
  // The subject of our own request: the second element of CertificationRequestInfo (RFC 2986 §4.1).
  try {
    const block = pemBlocks(pem)[0];
    const name = block && readDer(block.der).children[0]?.children[1];
    return name ? decodeName(name).text : '';
  } catch {
    return '';
  }
}
