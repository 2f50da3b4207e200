// Every detail of one or more certificates (our identity with its chain, a trusted certificate).

import { Button, Dialog, DialogActions, DialogContent, DialogTitle, Stack, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import type { CertificateDetails } from '../../../src-shared/certificates';
import { CertificateDetailsView } from './CertificateDetailsView';

export function CertificateDetailsDialog({ title, certificates, children, onClose }: {
  title: string;
  certificates: readonly CertificateDetails[];
  /** Shown above the certificates (chain status...). */
  children?: ReactNode;
  onClose: () => void;
}) {
  return (
    <Dialog open onClose={onClose} maxWidth="md" fullWidth>
      <DialogTitle>{title}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          {children}
          {certificates.map((c, i) => (
            <Stack key={`${c.fingerprint256}-${i}`} spacing={0.5}>
              {certificates.length > 1 && <Typography variant="subtitle2">{i === 0 ? 'Certificate' : `Issuer ${i}`}: {c.commonName ?? c.subject}</Typography>}
              <CertificateDetailsView certificate={c} />
            </Stack>
          ))}
        </Stack>
      </DialogContent>
      <DialogActions><Button onClick={onClose}>Close</Button></DialogActions>
    </Dialog>
  );
}
