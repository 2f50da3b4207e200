// Certificates as main describes them, valid for chosen days around now.

import { expiryOf, type CertificateDetails, type CertificatesState, type TrustedCertificate } from '../../src-shared/certificates';

const DAY = 86_400_000;

export function fingerprint(byte: string): string {
  return Array.from({ length: 32 }, () => byte).join(':');
}

/** Valid from `fromDays` (negative: in the past) to `toDays` from now; half a day more so daysLeft is stable. */
export function certificate(o: Partial<CertificateDetails> & { fromDays?: number; toDays?: number } = {}): CertificateDetails {
  const { fromDays = -10, toDays = 365, ...rest } = o;
  const now = Date.now();
  const validFrom = new Date(now + fromDays * DAY).toISOString();
  const validTo = new Date(now + toDays * DAY + DAY / 2).toISOString();
  const e = expiryOf(validFrom, validTo, now);
  return {
    subject: 'CN=ws1.clinic.example, O=Clinic, C=DE', issuer: 'CN=ws1.clinic.example, O=Clinic, C=DE', commonName: 'ws1.clinic.example',
    serialNumber: '01AB', dnsNames: ['ws1.clinic.example'], ipAddresses: ['10.0.0.5'], validFrom, validTo, expiry: e.state, daysLeft: e.daysLeft,
    keyType: 'EC', curve: 'P-256', signatureAlgorithm: 'ecdsa-with-SHA256', fingerprint256: fingerprint('AA'),
    keyUsage: ['digitalSignature'], extendedKeyUsage: ['serverAuth', 'clientAuth'], isCa: false, selfSigned: true,
    pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', ...rest,
  };
}

export function trusted(label: string, o: Parameters<typeof certificate>[0] = {}): TrustedCertificate {
  return { ...certificate(o), label, addedAt: new Date().toISOString() };
}

export function withIdentity(c: CertificateDetails, more: Partial<CertificatesState> = {}): CertificatesState {
  return {
    identity: { certificate: c, chain: [], chainCheck: { trusted: false, path: [{ subject: c.subject, fingerprint256: c.fingerprint256 }], problem: 'Self-signed: peers must trust this certificate itself' }, keyProtection: 'os-keychain' },
    trusted: [],
    ...more,
  };
}
