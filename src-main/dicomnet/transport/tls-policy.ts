// TLS settings of the secure transport, PS3.15 Annex B.12/B.13 (BCP 195, RFC 8996/9325): TLS 1.2 as
// the minimum, TLS 1.3 preferred where both sides have it, and the BCP 195 cipher suites for 1.2
// (ECDHE with AES-GCM or ChaCha20-Poly1305; no RSA key exchange, no CBC, no SHA-1 MACs).

import type { ConnectionOptions, PeerCertificate, TlsOptions } from 'node:tls';

/** TLS 1.2 suites in order of preference (OpenSSL names); TLS 1.3 suites are OpenSSL's defaults. */
export const BCP195_TLS12_CIPHERS: readonly string[] = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];
export const TLS13_CIPHERS: readonly string[] = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

const CIPHERS = [...TLS13_CIPHERS, ...BCP195_TLS12_CIPHERS].join(':');

export interface TlsConfig {
  /** Our certificate (PEM or DER via Buffer): required on a listener, optional for a client (mutual TLS). */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly passphrase?: string;
  /** Trust anchors; when absent, Node's bundled public CAs (rarely what a DICOM site uses). */
  readonly ca?: readonly (string | Buffer)[];
  /** Listener: ask for and require a client certificate signed by `ca`. */
  readonly requireClientCert?: boolean;
  /**
   * Client: check that the peer's certificate names the host we connect to. Off by default: DICOM
   * peers are usually addressed by IP with certificates issued for a host name, and trust comes from
   * the site's own CA (the profiles of PS3.15 B.12 do not fix a name check).
   */
  readonly checkHostName?: boolean;
  /** Client: SNI name to send (defaults to the host when it is a name). */
  readonly servername?: string;
  /** Client: the peer's certificate must have this SHA-256 fingerprint (colon-separated upper-case hex), besides a trusted chain. */
  readonly pinnedFingerprint256?: string;
}

const common = {
  minVersion: 'TLSv1.2' as const,
  ciphers: CIPHERS,
  ecdhCurve: 'X25519:P-256:P-384',
};

/** What both sides share: protocol floor, suites, our identity and the trust anchors. */
function base(c: TlsConfig) {
  return { ...common, cert: c.cert, key: c.key, passphrase: c.passphrase, ca: c.ca ? [...c.ca] : undefined };
}

export function serverOptions(c: TlsConfig): TlsOptions {
  if (!c.cert || !c.key) throw new Error('A TLS listener needs a certificate and a private key.');
  return {
    ...base(c),
    honorCipherOrder: true,
    requestCert: c.requireClientCert === true,
    rejectUnauthorized: c.requireClientCert === true,
  };
}

/**
 * `checkServerIdentity` is node:tls's own, passed in because node:tls is loaded only when TLS is
 * used (loading it costs ~10 ms of every plain `dicomnet echo`).
 */
export function clientOptions(c: TlsConfig, host: string, checkServerIdentity: (name: string, cert: PeerCertificate) => Error | undefined): ConnectionOptions {
  const isIp = /^[\d.]+$/.test(host) || host.includes(':');
  return {
    ...base(c),
    rejectUnauthorized: true,
    servername: c.servername ?? (isIp ? undefined : host),
    // The name checked is the SNI name when given, else the host we connect to (IP SANs count).
    checkServerIdentity: c.checkHostName ? (_name, cert) => checkServerIdentity(c.servername ?? host, cert) : () => undefined,
  };
}
