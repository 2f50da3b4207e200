// A peer's TLS at a glance in its row: the mode, and a warning when the certificate it showed at the
// last verify, or one of the trust anchors chosen for it, expires within 30 days or no longer holds.

import { Chip, Stack, Tooltip, Typography } from '@mui/material';
import { expiryOf, type TrustedCertificate } from '../../src-shared/certificates';
import type { VerifyResult } from '../../src-shared/models';
import type { Peer } from '../../src-shared/settings-schema';
import { expiryColor, expiryLabel } from './certificates/ExpiryChip';
import { formatDate } from './certificates/format';

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

export function peerExpiryWarnings(peer: Peer, result: VerifyResult | undefined, trusted: readonly TrustedCertificate[], now = Date.now()) {
  const out: { key: string; label: string; color: 'warning' | 'error'; title: string }[] = [];
  const tls = result?.tls;
  if (tls?.validTo) {
    const e = expiryOf(tls.validFrom ?? new Date(0).toISOString(), tls.validTo, now);
    if (e.state !== 'valid') {
      out.push({
        key: 'peer', label: `Certificate ${lower(expiryLabel(e.state, e.daysLeft))}`, color: expiryColor(e.state) as 'warning' | 'error',
        title: `The certificate the peer showed at the last verify is valid from ${formatDate(tls.validFrom)} to ${formatDate(tls.validTo)}`,
      });
    }
  }
  for (const fp of peer.trustAnchors) {
    const t = trusted.find((c) => c.fingerprint256 === fp);
    if (!t) continue;
    const e = expiryOf(t.validFrom, t.validTo, now);
    if (e.state !== 'valid') {
      out.push({
        key: fp, label: `Trust anchor ${lower(expiryLabel(e.state, e.daysLeft))}`, color: expiryColor(e.state) as 'warning' | 'error',
        title: `Trust anchor ${t.label} is valid from ${formatDate(t.validFrom)} to ${formatDate(t.validTo)}`,
      });
    }
  }
  return out;
}

export function PeerTlsChips({ peer, result, trusted }: { peer: Peer; result?: VerifyResult; trusted: readonly TrustedCertificate[] }) {
  if (peer.tls === 'off') return <Typography variant="body2" color="text.secondary">Off</Typography>;
  return (
    <Stack direction="row" spacing={0.5} sx={{ flexWrap: 'wrap', gap: 0.5 }}>
      <Chip size="small" variant="outlined" color="primary" label={peer.tls === 'mutual' ? 'Mutual TLS' : 'TLS'} />
      {peerExpiryWarnings(peer, result, trusted).map((w) => (
        <Tooltip key={w.key} title={w.title}><Chip size="small" color={w.color} label={w.label} /></Tooltip>
      ))}
    </Stack>
  );
}
