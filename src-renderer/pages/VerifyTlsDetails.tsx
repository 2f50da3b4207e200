// The TLS session of a verify: protocol, cipher suite and the peer's certificate (also when the TLS
// step failed because of that certificate: expired, untrusted, pin mismatch).

import { Stack, Typography } from '@mui/material';
import type { VerifyTlsInfo } from '../../src-shared/models';
import { DetailsTable } from './certificates/DetailsTable';
import { ExpiryChip } from './certificates/ExpiryChip';
import { formatDate } from './certificates/format';

export function VerifyTlsDetails({ tls }: { tls: VerifyTlsInfo }) {
  return (
    <Stack spacing={0.5} sx={{ my: 1.5 }} data-testid="verify-tls">
      <Typography variant="subtitle2">TLS</Typography>
      <DetailsTable label="TLS session" rows={[
        ['Protocol', tls.protocol ?? '(not negotiated)'],
        ['Cipher suite', tls.cipher ?? '(not negotiated)'],
        ['Peer certificate', tls.peerSubject ?? '(none shown)'],
        ['Issuer', tls.peerIssuer ?? '?'],
        ['SHA-256', <Typography key="fp" variant="body2" component="span" sx={{ fontFamily: 'monospace' }}>{tls.peerFingerprint256 ?? '?'}</Typography>],
        ['Validity', (
          <Stack key="validity" direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
            <span>{formatDate(tls.validFrom)} to {formatDate(tls.validTo)}</span>
            {tls.validTo && <ExpiryChip validFrom={tls.validFrom ?? new Date(0).toISOString()} validTo={tls.validTo} />}
          </Stack>
        )],
      ]} />
    </Stack>
  );
}
