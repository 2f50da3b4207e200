// Our identity from files main reads: certificate + key (PEM), PKCS#12, or our CA's answer to the
// signing request made here. Only the paths and the passphrase leave the renderer.

import { Alert, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, LinearProgress, Stack, TextField } from '@mui/material';
import { useState } from 'react';
import type { CertificatesState } from '../../../src-shared/certificates';
import { invoke } from '../../api';
import { lineList } from './format';
import { PathsField } from './PathsField';
import { useAction } from './useAction';

export function ImportIdentityDialog({ onClose, onChanged }: { onClose: () => void; onChanged: (s: CertificatesState) => void }) {
  const [paths, setPaths] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const { busy, error, run } = useAction();
  const list = lineList(paths);
  const doImport = () => {
    run(() => invoke('certs:import-identity', { paths: list, ...(passphrase ? { passphrase } : {}) }), (s) => { onChanged(s); onClose(); });
  };
  return (
    <Dialog open onClose={busy ? undefined : onClose} maxWidth="sm" fullWidth>
      <DialogTitle>Import our identity</DialogTitle>
      <DialogContent>
        <Stack spacing={1} sx={{ pt: 1 }}>
          <DialogContentText variant="body2">
            A certificate with its private key (PEM files), a PKCS#12 file (.p12, .pfx), or the certificate our CA returned for
            the signing request made here (with the CA's chain, if it sent one).
          </DialogContentText>
          <PathsField value={paths} onChange={setPaths} />
          <TextField size="small" type="password" label="Passphrase" value={passphrase} onChange={(e) => setPassphrase(e.target.value)}
            helperText="Only for an encrypted key or a PKCS#12 file" autoComplete="off" />
          {busy && <LinearProgress />}
          {error && <Alert severity="error">{error}</Alert>}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>Cancel</Button>
        <Button variant="contained" disabled={list.length === 0 || busy} onClick={doImport}>Import</Button>
      </DialogActions>
    </Dialog>
  );
}
