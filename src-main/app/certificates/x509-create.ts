// Creating our identity: a private key (ECDSA P-256 or RSA 2048/3072), and either a self-signed
// certificate (RFC 5280) or a certificate signing request (PKCS#10, RFC 2986) for the site's CA.
// Node has no API that writes certificates, so the TBS structures are written here with the DER
// writers and signed with node:crypto (SHA-256; ECDSA signatures are DER already).

import { createHash, createPublicKey, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { IdentityRequest, KeyType } from '../../../src-shared/certificates';
import { bits, bool, explicit, implicitConstructed, implicitPrimitive, nul, octets, oid, pem, seq, set, time, unsignedInt } from './der';
import { encodeAltNames, encodeName } from './names';
import { Oid } from './oids';

export function generateKey(type: KeyType): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, _pub: KeyObject, priv: KeyObject) => (err ? reject(err) : resolve(priv));
    if (type === 'ec-p256') generateKeyPair('ec', { namedCurve: 'prime256v1' }, done);
    else generateKeyPair('rsa', { modulusLength: type === 'rsa-3072' ? 3072 : 2048 }, done);
  });
}

function signatureAlgorithm(key: KeyObject): Buffer {
  if (key.asymmetricKeyType === 'ec') return seq(oid(Oid.ecdsaWithSHA256));
  if (key.asymmetricKeyType === 'rsa') return seq(oid(Oid.sha256WithRSAEncryption), nul());
  throw new Error(`keys of type ${key.asymmetricKeyType ?? '?'} cannot sign our certificates (use ECDSA P-256 or RSA)`);
}

function signed(tbs: Buffer, key: KeyObject): Buffer {
  const algorithm = signatureAlgorithm(key);
  return seq(tbs, algorithm, bits(sign('sha256', tbs, key)));
}

const extension = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

/** KeyUsage BIT STRING from bit numbers (RFC 5280 §4.2.1.3), DER-minimal. */
function keyUsage(bitNumbers: readonly number[]): Buffer {
  let v = 0;
  for (const b of bitNumbers) v |= 0x80 >> b;
  let unused = 0;
  while (unused < 7 && (v & (1 << unused)) === 0) unused++;
  return Buffer.from([0x03, 0x02, unused, v]);
}

function keyId(spki: Buffer): Buffer {
  // RFC 5280 §4.2.1.2 method 1 uses SHA-1 of the key bits; any unique value is allowed, and SHA-256 truncated is common now.
  return createHash('sha256').update(spki).digest().subarray(0, 20);
}

function extensionsFor(key: KeyObject, r: Pick<IdentityRequest, 'dnsNames' | 'ipAddresses'>, spki: Buffer): Buffer[] {
  const rsa = key.asymmetricKeyType === 'rsa';
  return [
    extension(Oid.basicConstraints, true, seq()),
    // digitalSignature (0); RSA also keyEncipherment (2) for TLS 1.2 peers that still use it.
    extension(Oid.keyUsage, true, keyUsage(rsa ? [0, 2] : [0])),
    extension(Oid.extKeyUsage, false, seq(oid(Oid.serverAuth), oid(Oid.clientAuth))),
    extension(Oid.subjectAltName, false, encodeAltNames(r.dnsNames, r.ipAddresses)),
    extension(Oid.subjectKeyIdentifier, false, octets(keyId(spki))),
  ];
}

/** A self-signed certificate for `key`, valid from an hour ago (clock skew) for `days`. */
export function createSelfSigned(key: KeyObject, r: Omit<IdentityRequest, 'keyType'>, now = new Date()): string {
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const name = encodeName(r.subject);
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and non-zero, 16 bytes (RFC 5280 §4.1.2.2)
  const notBefore = new Date(now.getTime() - 3_600_000);
  const notAfter = new Date(now.getTime() + r.days * 86_400_000);
  const tbs = seq(
    explicit(0, unsignedInt(2)), // v3
    unsignedInt(serial),
    signatureAlgorithm(key),
    name,
    seq(time(notBefore), time(notAfter)),
    name,
    spki,
    explicit(3, seq(...extensionsFor(key, r, spki), extension(Oid.authorityKeyIdentifier, false, seq(implicitPrimitive(0, keyId(spki)))))),
  );
  return pem('CERTIFICATE', signed(tbs, key));
}

/** A PKCS#10 request carrying the subject and the same extensions, for the site's CA to sign. */
export function createCsr(key: KeyObject, r: Omit<IdentityRequest, 'keyType' | 'days'>): string {
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const requested = seq(oid(Oid.extensionRequest), set(seq(...extensionsFor(key, r, spki))));
  const info = seq(unsignedInt(0), encodeName(r.subject), spki, implicitConstructed(0, requested));
  return pem('CERTIFICATE REQUEST', signed(info, key));
}
