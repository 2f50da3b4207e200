// Certificates as the GUI, the CLI and main see them: plain data (never a private key), the request
// to create an identity with its checks, and the expiry rule (warn under 30 days) in one place.

import { hostProblem } from './settings-schema';

export type KeyType = 'ec-p256' | 'rsa-2048' | 'rsa-3072';
export const KEY_TYPES: readonly KeyType[] = ['ec-p256', 'rsa-2048', 'rsa-3072'];
export const KEY_TYPE_LABELS: Readonly<Record<KeyType, string>> = {
  'ec-p256': 'ECDSA P-256',
  'rsa-2048': 'RSA 2048',
  'rsa-3072': 'RSA 3072',
};

export interface SubjectFields {
  readonly commonName: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
  readonly locality?: string;
  readonly state?: string;
  /** Two letters (ISO 3166). */
  readonly country?: string;
}

export interface IdentityRequest {
  readonly keyType: KeyType;
  readonly subject: SubjectFields;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  /** Self-signed certificate validity in days (a CSR carries none). */
  readonly days: number;
}

export type ExpiryState = 'valid' | 'expiring' | 'expired' | 'not-yet-valid';

/** Days before the end of validity from which we warn. */
export const EXPIRY_WARNING_DAYS = 30;

export function expiryOf(validFrom: string, validTo: string, now = Date.now()): { state: ExpiryState; daysLeft: number } {
  const from = Date.parse(validFrom);
  const to = Date.parse(validTo);
  const daysLeft = Math.floor((to - now) / 86_400_000);
  if (now < from) return { state: 'not-yet-valid', daysLeft };
  if (now > to) return { state: 'expired', daysLeft };
  return { state: daysLeft < EXPIRY_WARNING_DAYS ? 'expiring' : 'valid', daysLeft };
}

export interface CertificateDetails {
  /** RFC 4514-style, most significant first as people read it: "CN=pacs, O=Clinic, C=DE". */
  readonly subject: string;
  readonly issuer: string;
  readonly commonName?: string;
  readonly serialNumber: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  /** ISO 8601. */
  readonly validFrom: string;
  readonly validTo: string;
  readonly expiry: ExpiryState;
  readonly daysLeft: number;
  /** 'RSA', 'EC', 'Ed25519'... */
  readonly keyType: string;
  readonly keyBits?: number;
  readonly curve?: string;
  readonly signatureAlgorithm: string;
  /** Colon-separated upper-case hex, as `openssl x509 -fingerprint -sha256` prints it. */
  readonly fingerprint256: string;
  readonly keyUsage: readonly string[];
  readonly extendedKeyUsage: readonly string[];
  readonly isCa: boolean;
  readonly selfSigned: boolean;
  readonly pem: string;
}

/** How a certificate chains to our trusted certificates. */
export interface ChainCheck {
  readonly trusted: boolean;
  /** Leaf first, then each issuer found. */
  readonly path: readonly { readonly subject: string; readonly fingerprint256: string }[];
  /** The trusted certificate the path ends in. */
  readonly anchor?: string;
  /** Why not trusted, in plain words. */
  readonly problem?: string;
}

export interface TrustedCertificate extends CertificateDetails {
  readonly label: string;
  readonly addedAt: string;
}

/** Our identity: the certificate (and chain) the node presents; the key stays in main. */
export interface IdentityInfo {
  readonly certificate: CertificateDetails;
  readonly chain: readonly CertificateDetails[];
  readonly chainCheck: ChainCheck;
  /** How the private key is kept: encrypted by the OS keychain (Electron safeStorage) or only by file permissions. */
  readonly keyProtection: 'os-keychain' | 'file-permissions';
}

export interface CertificatesState {
  readonly identity?: IdentityInfo;
  /** A certificate signing request made here and not yet answered by an imported certificate. */
  readonly pendingCsr?: { readonly pem: string; readonly subject: string; readonly createdAt: string };
  readonly trusted: readonly TrustedCertificate[];
}

export function identityRequestProblems(r: unknown): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  if (typeof r !== 'object' || r === null) return [{ field: 'request', message: 'must be an object' }];
  const o = r as Record<string, unknown>;
  if (!KEY_TYPES.includes(o.keyType as KeyType)) add('keyType', `must be one of ${KEY_TYPES.join(', ')}`);
  const s = o.subject as Record<string, unknown> | undefined;
  if (typeof s !== 'object' || s === null) add('subject', 'must be an object');
  else {
    if (typeof s.commonName !== 'string' || s.commonName.trim() === '' || s.commonName.length > 64) add('subject.commonName', 'must be 1-64 characters');
    for (const f of ['organization', 'organizationalUnit', 'locality', 'state'] as const) {
      if (s[f] !== undefined && (typeof s[f] !== 'string' || (s[f] as string).length > 64)) add(`subject.${f}`, 'must be at most 64 characters');
    }
    if (s.country !== undefined && s.country !== '' && (typeof s.country !== 'string' || !/^[A-Za-z]{2}$/.test(s.country))) add('subject.country', 'must be two letters (ISO 3166), e.g. DE');
  }
  if (!Array.isArray(o.dnsNames) || o.dnsNames.length > 32) add('dnsNames', 'must be a list of at most 32 host names');
  else o.dnsNames.forEach((n, i) => {
    if (typeof n !== 'string' || hostProblem(n) !== undefined || /^[\d.]+$/.test(n) || n.includes(':')) add(`dnsNames[${i}]`, `'${String(n)}' is not a host name`);
  });
  if (!Array.isArray(o.ipAddresses) || o.ipAddresses.length > 32) add('ipAddresses', 'must be a list of at most 32 IP addresses');
  else o.ipAddresses.forEach((n, i) => {
    if (typeof n !== 'string' || !(/^[\d.]+$/.test(n) || n.includes(':')) || n.includes('[') || hostProblem(n) !== undefined) add(`ipAddresses[${i}]`, `'${String(n)}' is not an IP address`);
  });
  if (!Number.isInteger(o.days) || (o.days as number) < 1 || (o.days as number) > 3650) add('days', 'must be a whole number of days from 1 to 3650');
  if (Array.isArray(o.dnsNames) && Array.isArray(o.ipAddresses) && o.dnsNames.length + o.ipAddresses.length === 0) add('dnsNames', 'name at least one host name or IP address: peers check the certificate against it');
  return problems;
}
