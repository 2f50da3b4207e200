// Whether a certificate chains to one we trust, and if not why, in plain words.

import { Chip, Stack, Typography } from '@mui/material';
import type { ChainCheck } from '../../../src-shared/certificates';

export function ChainStatus({ check }: { check: ChainCheck }) {
  return (
    <Stack spacing={0.5}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <Chip size="small" color={check.trusted ? 'success' : 'warning'} label={check.trusted ? 'Trusted chain' : 'Not trusted here'} />
        {check.anchor && <Typography variant="body2">ends in {check.anchor}</Typography>}
      </Stack>
      {check.problem && <Typography variant="body2" color="text.secondary">{check.problem}</Typography>}
      {check.path.length > 1 && (
        <Typography variant="body2" color="text.secondary">Path: {check.path.map((p) => p.subject).join(' → ')}</Typography>
      )}
    </Stack>
  );
}
