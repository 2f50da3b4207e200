// Verify configured peers: one, or all of them at once (concurrently: one slow or silent peer never
// delays the others' results), with our local AE title as the calling AE title.

import type { VerifyResult } from '../../src-shared/models';
import type { Peer, Settings } from '../../src-shared/settings-schema';
import { verifyPeer } from './verify';

export function verifyConfiguredPeer(peer: Peer, settings: Settings): Promise<VerifyResult> {
  const base = { host: peer.host, port: peer.port, callingAeTitle: settings.localNode.aeTitle, calledAeTitle: peer.aeTitle };
  if (peer.tls === 'mutual') {
    // Our certificate comes with the certificate service (issue #5): say so instead of failing oddly.
    return Promise.resolve({
      ...base, ok: false, steps: [], totalMs: 0,
      failure: { step: 'tls', code: 'no-identity', plain: `Peer '${peer.name}' needs mutual TLS, and this workstation has no certificate of its own yet: create or import one on the Certificates page.` },
    });
  }
  return verifyPeer({ ...base, tls: peer.tls === 'tls' ? {} : undefined, timeoutMs: settings.localNode.timeoutSeconds * 1000 });
}

/** Every peer verified concurrently; `onResult` as each one finishes. */
export async function verifyAllPeers(settings: Settings, onResult?: (peerId: string, r: VerifyResult) => void): Promise<Record<string, VerifyResult>> {
  const out: Record<string, VerifyResult> = {};
  await Promise.all(settings.peers.map(async (p) => {
    const r = await verifyConfiguredPeer(p, settings);
    out[p.id] = r;
    onResult?.(p.id, r);
  }));
  return out;
}
