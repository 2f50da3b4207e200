// TLS and certificates: our identity (the certificate the node presents), the certificates we trust,
// and warnings before any of them expires. Keys stay in main: this page only sends paths and passphrases.

import { Alert, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import { invoke } from '../api';
import { CertificateDetailsDialog } from './certificates/CertificateDetailsDialog';
import { ChainStatus } from './certificates/ChainStatus';
import { CreateIdentityDialog } from './certificates/CreateIdentityDialog';
import { ExpiryWarnings } from './certificates/ExpiryWarnings';
import { ExportDialog } from './certificates/ExportDialog';
import { IdentityCard } from './certificates/IdentityCard';
import { ImportIdentityDialog } from './certificates/ImportIdentityDialog';
import { InspectDialog } from './certificates/InspectDialog';
import { TrustDialog } from './certificates/TrustDialog';
import { TrustedCertificates } from './certificates/TrustedCertificates';
import { useCertificates } from './certificates/useCertificates';

type Open = 'create' | 'import' | 'export' | 'details' | 'trust' | 'inspect';

export function CertificatesPage() {
  const { state, error, setState } = useCertificates();
  const [open, setOpen] = useState<Open>();
  const close = () => setOpen(undefined);

  if (!state) return error ? <Alert severity="error">{error}</Alert> : <Typography>Loading…</Typography>;
  const identity = state.identity;
  return (
    <Stack spacing={2} sx={{ maxWidth: 1000 }}>
      <ExpiryWarnings state={state} />
      <IdentityCard state={state}
        onCreate={() => setOpen('create')} onImport={() => setOpen('import')} onExport={() => setOpen('export')} onDetails={() => setOpen('details')}
        onRemove={() => invoke('certs:remove-identity').then(setState)} />
      <TrustedCertificates trusted={state.trusted} onChanged={setState} onTrust={() => setOpen('trust')} onInspect={() => setOpen('inspect')} />
      {open === 'create' && <CreateIdentityDialog onClose={close} onChanged={setState} />}
      {open === 'import' && <ImportIdentityDialog onClose={close} onChanged={setState} />}
      {open === 'export' && <ExportDialog onClose={close} />}
      {open === 'details' && identity && (
        <CertificateDetailsDialog title="Our identity" certificates={[identity.certificate, ...identity.chain]} onClose={close}>
          <ChainStatus check={identity.chainCheck} />
        </CertificateDetailsDialog>
      )}
      {open === 'trust' && <TrustDialog onClose={close} onChanged={setState} />}
      {open === 'inspect' && <InspectDialog onClose={close} />}
    </Stack>
  );
}
