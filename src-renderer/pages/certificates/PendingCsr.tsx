// A signing request made here and not yet answered: its PEM to hand to our CA, and what to do next.

import { Alert, Stack, TextField } from '@mui/material';
import type { CertificatesState } from '../../../src-shared/certificates';
import { CopyButton } from './CopyButton';
import { formatDate } from './format';

export function PendingCsr({ csr }: { csr: NonNullable<CertificatesState['pendingCsr']> }) {
  return (
    <Stack spacing={1} data-testid="pending-csr">
      <Alert severity="info">
        A signing request for {csr.subject} (made {formatDate(csr.createdAt)}) waits for our CA's answer. Give the request below
        to the CA; when it returns the certificate, bring it in with "Import identity" (the key stays on this workstation).
      </Alert>
      <TextField multiline minRows={4} maxRows={12} size="small" label="Certificate signing request (PEM)" value={csr.pem}
        slotProps={{ htmlInput: { readOnly: true, style: { fontFamily: 'monospace', fontSize: 12 } } }} />
      <Stack direction="row"><CopyButton text={csr.pem} label="Copy CSR" /></Stack>
    </Stack>
  );
}
