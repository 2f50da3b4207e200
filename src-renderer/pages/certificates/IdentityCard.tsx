// "Our identity": the certificate this workstation presents (TLS listener, mutual TLS), or how to get one.

import { Alert, Button, Menu, MenuItem, Paper, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import type { CertificatesState, IdentityInfo } from '../../../src-shared/certificates';
import { CertificateDetailsView } from './CertificateDetailsView';
import { ChainStatus } from './ChainStatus';
import { ConfirmDialog } from './ConfirmDialog';
import { ExpiryChip } from './ExpiryChip';
import { PendingCsr } from './PendingCsr';

export const KEY_PROTECTION_TEXT: Readonly<Record<IdentityInfo['keyProtection'], string>> = {
  'os-keychain': 'Private key encrypted by the OS keychain',
  'file-permissions': 'Private key protected by file permissions only',
};

export function IdentityCard({ state, onCreate, onImport, onExport, onDetails, onRemove }: {
  state: CertificatesState;
  onCreate: () => void;
  onImport: () => void;
  onExport: () => void;
  onDetails: () => void;
  /** Removes our identity (after the person confirmed). */
  onRemove: () => Promise<unknown>;
}) {
  const [replaceMenu, setReplaceMenu] = useState<HTMLElement>();
  const [confirming, setConfirming] = useState(false);
  const identity = state.identity;
  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid="identity-card">
      <Stack direction="row" spacing={1} sx={{ mb: 1, alignItems: 'center' }}>
        <Typography variant="subtitle1" sx={{ flexGrow: 1 }}>Our identity</Typography>
        {identity && <ExpiryChip validFrom={identity.certificate.validFrom} validTo={identity.certificate.validTo} />}
      </Stack>
      {identity ? (
        <>
          <CertificateDetailsView certificate={identity.certificate} label="our certificate" extraRows={[
            ['Chain', <ChainStatus key="chain" check={identity.chainCheck} />],
            ['Private key', (
              <Typography key="key" variant="body2" component="span" color={identity.keyProtection === 'os-keychain' ? 'text.primary' : 'warning.main'}>
                {KEY_PROTECTION_TEXT[identity.keyProtection]}
              </Typography>
            )],
          ]} />
          {state.pendingCsr && <Stack sx={{ mt: 1 }}><PendingCsr csr={state.pendingCsr} /></Stack>}
          <Stack direction="row" spacing={1} sx={{ mt: 1.5 }}>
            <Button variant="contained" onClick={onExport}>Export</Button>
            <Button onClick={onDetails}>Details</Button>
            <Button onClick={(e) => setReplaceMenu(e.currentTarget)} aria-haspopup="menu">Replace</Button>
            <Button color="error" onClick={() => setConfirming(true)}>Remove</Button>
          </Stack>
          <Menu anchorEl={replaceMenu} open={replaceMenu !== undefined} onClose={() => setReplaceMenu(undefined)}>
            <MenuItem onClick={() => { setReplaceMenu(undefined); onCreate(); }}>Create identity</MenuItem>
            <MenuItem onClick={() => { setReplaceMenu(undefined); onImport(); }}>Import identity</MenuItem>
          </Menu>
          {confirming && (
            <ConfirmDialog title="Remove our identity?" confirm="Remove" onConfirm={onRemove} onClose={() => setConfirming(false)}
              text="Our certificate and its private key are deleted from this workstation. The TLS listener stops and peers that ask for our certificate (mutual TLS) can no longer verify us, until a new identity is created or imported." />
          )}
        </>
      ) : (
        <Stack spacing={1.5}>
          {state.pendingCsr
            ? <PendingCsr csr={state.pendingCsr} />
            : <Alert severity="info">No identity yet. The TLS listener and mutual TLS need our certificate and its private key: create one here (self-signed, or a signing request for our CA), or import one.</Alert>}
          <Stack direction="row" spacing={1}>
            <Button variant="contained" onClick={onCreate}>Create identity</Button>
            <Button variant="outlined" onClick={onImport}>Import identity</Button>
          </Stack>
        </Stack>
      )}
    </Paper>
  );
}
