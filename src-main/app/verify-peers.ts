// Verify configured peers: one, or all of them at once (concurrently: one slow or silent peer never
// delays the others' results), with our local AE title as the calling AE title and the TLS settings
// of each peer (trust anchors, our certificate, host-name check, pin).

import type { VerifyResult } from '../../src-shared/models';
import type { Peer, Settings } from '../../src-shared/settings-schema';
import type { CertificateStore } from './certificates/cert-store';
import { peerTlsConfig, TlsSetupError } from './tls-settings';
import { verifyPeer } from './verify';

export function verifyConfiguredPeer(peer: Peer, settings: Settings, certificates: CertificateStore): Promise<VerifyResult> {
  const base = { host: peer.host, port: peer.port, callingAeTitle: settings.localNode.aeTitle, calledAeTitle: peer.aeTitle };
  let tls;
  try {
    tls = peerTlsConfig(peer, certificates);
  } catch (err) {
    if (!(err instanceof TlsSetupError)) throw err;
    return Promise.resolve({ ...base, ok: false, steps: [{ step: 'tls', ok: false, ms: 0, detail: err.message }], totalMs: 0, failure: { step: 'tls', code: err.code, plain: err.message } });
  }
  return verifyPeer({ ...base, tls, timeoutMs: settings.localNode.timeoutSeconds * 1000 });
}

/** Every peer verified concurrently; `onResult` as each one finishes. */
export async function verifyAllPeers(settings: Settings, certificates: CertificateStore, onResult?: (peerId: string, r: VerifyResult) => void): Promise<Record<string, VerifyResult>> {
  const out: Record<string, VerifyResult> = {};
  await Promise.all(settings.peers.map(async (p) => {
    const r = await verifyConfiguredPeer(p, settings, certificates);
    out[p.id] = r;
    onResult?.(p.id, r);
  }));
  return out;
}
