// What a certificate says, for people: subject, issuer, names, validity, key, fingerprint, usages
// (RFC 5280 §4.1, §4.2). node:crypto's X509Certificate gives the fingerprint and the key; the rest is
// read from the DER here, so the text is the same on every Node and Electron version.

import { X509Certificate } from 'node:crypto';
import { expiryOf, type CertificateDetails } from '../../../src-shared/certificates';
import { type Asn1, bitStringBytes, child, DerError, oidOf, readDer, Tag, timeOf } from './der';
import { decodeAltNames, decodeName } from './names';
import { EXTENDED_KEY_USAGES, KEY_USAGE_BITS, Oid } from './oids';

const SIGNATURE_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'Ed25519',
};

interface Tbs {
  readonly serial: Asn1;
  readonly signature: string;
  readonly issuer: Asn1;
  readonly validity: Asn1;
  readonly subject: Asn1;
  readonly extensions: ReadonlyMap<string, Asn1>;
}

function readTbs(der: Buffer): Tbs {
  const cert = readDer(der);
  const tbs = child(cert, 0, Tag.Sequence, 'tbsCertificate');
  const hasVersion = tbs.children[0]?.tag === 0xa0;
  const at = (i: number) => tbs.children[i + (hasVersion ? 1 : 0)];
  const extensions = new Map<string, Asn1>();
  const extWrapper = tbs.children.find((c) => c.tag === 0xa3);
  for (const ext of extWrapper?.children[0]?.children ?? []) {
    const value = ext.children[ext.children.length - 1];
    if (value?.tag === Tag.OctetString) extensions.set(oidOf(ext.children[0], 'extension id'), readDer(value.value));
  }
  return {
    serial: at(0)!,
    signature: oidOf(at(1)?.children[0], 'signature algorithm'),
    issuer: at(2)!,
    validity: at(3)!,
    subject: at(4)!,
    extensions,
  };
}

export function parseCertificate(der: Buffer): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (err) {
    throw new DerError(`not an X.509 certificate (${(err as Error).message})`);
  }
}

export function describeCertificate(x: X509Certificate, now = Date.now()): CertificateDetails {
  const t = readTbs(x.raw);
  const subject = decodeName(t.subject);
  const issuer = decodeName(t.issuer);
  const validFrom = timeOf(t.validity.children[0], 'notBefore').toISOString();
  const validTo = timeOf(t.validity.children[1], 'notAfter').toISOString();
  const san = t.extensions.get(Oid.subjectAltName);
  const names = san ? decodeAltNames(san) : { dnsNames: [], ipAddresses: [] };
  const ku = t.extensions.get(Oid.keyUsage);
  const keyUsage: string[] = [];
  if (ku) {
    const b = bitStringBytes(ku, 'key usage');
    KEY_USAGE_BITS.forEach((name, i) => {
      if (((b[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0) keyUsage.push(name);
    });
  }
  const eku = t.extensions.get(Oid.extKeyUsage);
  const extendedKeyUsage = (eku?.children ?? []).map((c) => {
    const o = oidOf(c, 'extended key usage');
    return EXTENDED_KEY_USAGES[o] ?? o;
  });
  const bc = t.extensions.get(Oid.basicConstraints);
  const isCa = bc?.children[0]?.tag === Tag.Boolean && bc.children[0].value[0] !== 0;
  const key = x.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const keyType = key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss' ? 'RSA' : key.asymmetricKeyType === 'ec' ? 'EC' : key.asymmetricKeyType === 'ed25519' ? 'Ed25519' : (key.asymmetricKeyType ?? '?');
  const curve = details.namedCurve === 'prime256v1' ? 'P-256' : details.namedCurve === 'secp384r1' ? 'P-384' : details.namedCurve === 'secp521r1' ? 'P-521' : details.namedCurve;
  const keyBits = details.modulusLength ?? (curve === 'P-256' ? 256 : curve === 'P-384' ? 384 : curve === 'P-521' ? 521 : keyType === 'Ed25519' ? 256 : undefined);
  const expiry = expiryOf(validFrom, validTo, now);
  return {
    subject: subject.text,
    issuer: issuer.text,
    commonName: subject.attributes.find(([k]) => k === 'CN')?.[1],
    serialNumber: t.serial.value.toString('hex').toUpperCase().replace(/^(00)+(?=.)/, ''),
    dnsNames: names.dnsNames,
    ipAddresses: names.ipAddresses,
    validFrom,
    validTo,
    expiry: expiry.state,
    daysLeft: expiry.daysLeft,
    keyType,
    keyBits,
    curve,
    signatureAlgorithm: SIGNATURE_NAMES[t.signature] ?? t.signature,
    fingerprint256: x.fingerprint256,
    keyUsage,
    extendedKeyUsage,
    isCa,
    // Not checkIssued(): OpenSSL also wants keyCertSign there, which a self-signed leaf lacks.
    selfSigned: t.subject.raw.equals(t.issuer.raw) && x.verify(key),
    pem: x.toString(),
  };
}
