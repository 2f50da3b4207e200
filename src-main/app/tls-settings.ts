// From the settings and the certificate store to the TLS configuration of one association or of our
// TLS listener: which trust anchors, our identity, the host-name check and the pin. A configuration
// that cannot work (mutual TLS without our certificate, an anchor since removed) is said in plain
// words before any connection is tried.

import type { LocalNodeSettings, Peer } from '../../src-shared/settings-schema';
import type { TlsConfig } from '../dicomnet/transport';
import type { CertificateStore, Identity } from './certificates/cert-store';

export class TlsSetupError extends Error {
  override name = 'TlsSetupError';
  constructor(readonly code: 'no-identity' | 'anchor-missing' | 'no-trust' | 'identity-unreadable', plain: string) {
    super(plain);
  }
}

function ourIdentity(store: CertificateStore): Identity | undefined {
  try {
    return store.identity();
  } catch (err) {
    throw new TlsSetupError('identity-unreadable', (err as Error).message);
  }
}

const pemChain = (i: Identity) => i.certificates.map((c) => c.toString()).join('');

/** TLS for an association with `peer`; undefined when the peer is plain. */
export function peerTlsConfig(peer: Peer, store: CertificateStore): TlsConfig | undefined {
  if (peer.tls === 'off') return undefined;
  const trusted = store.trustedCertificates();
  let anchors = trusted;
  if (peer.trustAnchors.length > 0) {
    anchors = trusted.filter((c) => peer.trustAnchors.includes(c.fingerprint256));
    const missing = peer.trustAnchors.filter((fp) => !trusted.some((c) => c.fingerprint256 === fp));
    if (missing.length) {
      throw new TlsSetupError('anchor-missing', `Peer '${peer.name}' trusts a certificate that is no longer among the trusted certificates (${missing[0]!.slice(0, 23)}...): choose its trust anchors again in the peer editor.`);
    }
  }
  if (anchors.length === 0) {
    throw new TlsSetupError('no-trust', `There are no trusted certificates to check ${peer.name}'s certificate with: add the peer's certificate or its CA on the Certificates page.`);
  }
  const identity = ourIdentity(store);
  if (peer.tls === 'mutual' && !identity) {
    throw new TlsSetupError('no-identity', `Peer '${peer.name}' needs mutual TLS, and this workstation has no certificate of its own yet: create or import one on the Certificates page.`);
  }
  return {
    ca: anchors.map((c) => c.toString()),
    // Offered whenever we have one: a peer that asks for our certificate gets it.
    cert: identity ? pemChain(identity) : undefined,
    key: identity?.key.export({ type: 'pkcs8', format: 'pem' }) as string | undefined,
    checkHostName: peer.checkHostName,
    pinnedFingerprint256: peer.pinnedFingerprint || undefined,
  };
}

/** TLS for our listener: our identity, the trusted certificates for callers' certificates. */
export function listenerTlsConfig(local: LocalNodeSettings, store: CertificateStore): TlsConfig {
  const identity = ourIdentity(store);
  if (!identity) throw new TlsSetupError('no-identity', 'The TLS listener needs a certificate of our own: create or import one on the Certificates page.');
  const trusted = store.trustedCertificates();
  if (local.requireClientCertificate && trusted.length === 0) {
    throw new TlsSetupError('no-trust', 'Client certificates are required, and no certificate is trusted yet: add the callers\' certificates or their CA on the Certificates page.');
  }
  return {
    cert: pemChain(identity),
    key: identity.key.export({ type: 'pkcs8', format: 'pem' }) as string,
    ca: trusted.map((c) => c.toString()),
    requireClientCert: local.requireClientCertificate,
  };
}
