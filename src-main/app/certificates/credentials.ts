// Reading certificates and keys from whatever a person has been given: PEM (certificate, chain,
// PKCS#8 / PKCS#1 / SEC1 keys, encrypted with a passphrase or not), DER (certificate or key) and
// PKCS#12. The formats are told apart by their content, not their file names; every failure says
// what the file holds instead, or that the passphrase is missing or wrong.

import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { pemBlocks, readDer, Tag } from './der';
import { parseCertificate } from './inspect';
import { Pkcs12Error, readPkcs12 } from './pkcs12';

export type CredentialProblem = 'no-certificate' | 'no-key' | 'passphrase-needed' | 'wrong-passphrase' | 'key-mismatch' | 'unsupported' | 'malformed';

export class CredentialError extends Error {
  override name = 'CredentialError';
  constructor(readonly code: CredentialProblem, message: string) {
    super(message);
  }
}

export interface Credentials {
  /** The leaf first (the one matching the key, when there is a key), then the rest as found. */
  readonly certificates: readonly X509Certificate[];
  readonly key?: KeyObject;
}

export interface CredentialFile {
  /** For messages only. */
  readonly name: string;
  readonly data: Buffer;
}

const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const KEY_LABELS = new Set(['PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);

function keyFrom(input: Parameters<typeof createPrivateKey>[0] & object, name: string, passphrase: string | undefined, encrypted: boolean): KeyObject {
  if (encrypted && !passphrase) throw new CredentialError('passphrase-needed', `The private key in ${name} is encrypted: give its passphrase.`);
  try {
    return createPrivateKey({ ...(input as object), passphrase } as Parameters<typeof createPrivateKey>[0]);
  } catch (err) {
    const m = (err as Error).message;
    if (encrypted || /bad decrypt|passphrase/i.test(m)) throw new CredentialError('wrong-passphrase', `The passphrase for the private key in ${name} is wrong.`);
    throw new CredentialError('malformed', `The private key in ${name} cannot be read (${m}).`);
  }
}

function readPem(f: CredentialFile, text: string, passphrase: string | undefined, certs: X509Certificate[], keys: KeyObject[]): void {
  const blocks = pemBlocks(text);
  for (const b of blocks) {
    if (CERT_LABELS.has(b.label)) certs.push(parseCertificate(b.der));
    else if (KEY_LABELS.has(b.label)) {
      const encrypted = b.label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(b.text);
      keys.push(keyFrom({ key: b.text, format: 'pem' }, f.name, passphrase, encrypted));
    } else if (b.label === 'CERTIFICATE REQUEST' || b.label === 'NEW CERTIFICATE REQUEST') {
      throw new CredentialError('no-certificate', `${f.name} holds a certificate signing request, not a certificate: send it to your CA and import the certificate it returns.`);
    } else if (b.label === 'PKCS7') {
      throw new CredentialError('unsupported', `${f.name} is a PKCS#7 bundle: convert it with 'openssl pkcs7 -print_certs -in ${f.name}' and import the PEM.`);
    }
  }
  if (blocks.length === 0) throw new CredentialError('malformed', `${f.name} looks like PEM text but has no complete -----BEGIN/END----- block.`);
}

function looksLikePkcs12(der: Buffer): boolean {
  try {
    const n = readDer(der);
    return n.tag === Tag.Sequence && n.children[0]?.tag === Tag.Integer && n.children[0].value.length === 1 && n.children[0].value[0] === 3 && n.children[1]?.tag === Tag.Sequence;
  } catch {
    return false;
  }
}

function readBinary(f: CredentialFile, passphrase: string | undefined, certs: X509Certificate[], keys: KeyObject[]): void {
  if (looksLikePkcs12(f.data)) {
    try {
      const p = readPkcs12(f.data, passphrase ?? '');
      certs.push(...p.certificates.map(parseCertificate));
      keys.push(...p.keys);
      return;
    } catch (err) {
      if (err instanceof Pkcs12Error) {
        if (err.code === 'wrong-passphrase') {
          throw new CredentialError(passphrase ? 'wrong-passphrase' : 'passphrase-needed', passphrase ? `The passphrase for ${f.name} is wrong.` : `${f.name} is a PKCS#12 file protected by a passphrase: give the passphrase.`);
        }
        throw new CredentialError(err.code, `${f.name}: ${err.message}.`);
      }
      throw new CredentialError('malformed', `${f.name} is a damaged PKCS#12 file (${(err as Error).message}).`);
    }
  }
  try {
    certs.push(parseCertificate(f.data));
    return;
  } catch { /* not a DER certificate: maybe a DER key */ }
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      keys.push(createPrivateKey({ key: f.data, format: 'der', type }));
      return;
    } catch { /* next */ }
  }
  // An encrypted PKCS#8 key in DER.
  if (passphrase) {
    try {
      keys.push(createPrivateKey({ key: f.data, format: 'der', type: 'pkcs8', passphrase }));
      return;
    } catch { /* fall through */ }
  }
  throw new CredentialError('no-certificate', `${f.name} holds no certificate or key in a format we know (PEM, DER or PKCS#12).`);
}

/** Reads every file, then puts the leaf (the certificate of the key) first and checks they match. */
export function readCredentials(files: readonly CredentialFile[], passphrase?: string): Credentials {
  const certs: X509Certificate[] = [];
  const keys: KeyObject[] = [];
  for (const f of files) {
    const head = f.data.subarray(0, 4096).toString('latin1');
    if (head.includes('-----BEGIN ')) readPem(f, f.data.toString('latin1'), passphrase, certs, keys);
    else readBinary(f, passphrase, certs, keys);
  }
  const unique = certs.filter((c, i) => certs.findIndex((o) => o.fingerprint256 === c.fingerprint256) === i);
  if (keys.length === 0) return { certificates: unique };
  if (unique.length === 0) return { certificates: [], key: keys[0] };
  for (const key of keys) {
    const leaf = unique.find((c) => c.checkPrivateKey(key));
    if (leaf) return { certificates: [leaf, ...unique.filter((c) => c !== leaf)], key };
  }
  throw new CredentialError('key-mismatch', 'The private key does not belong to the certificate: the key and the certificate come from different requests.');
}
