// What files (or pasted PEM) hold, and whether they chain to our trusted certificates: to check a
// certificate before trusting or importing it.

import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import type { CertificateInspection } from '../../../src-shared/ipc';
import { invoke } from '../../api';
import { CertificateDetailsView } from './CertificateDetailsView';
import { CertificateSourceFields, sourceOf, type SourceText } from './CertificateSourceFields';
import { ChainStatus } from './ChainStatus';
import { useAction } from './useAction';

export function InspectDialog({ onClose }: { onClose: () => void }) {
  const [source, setSource] = useState<SourceText>({ paths: '', pem: '' });
  const [passphrase, setPassphrase] = useState('');
  const [result, setResult] = useState<CertificateInspection>();
  const { busy, error, run } = useAction();
  const src = sourceOf(source);
  const inspect = () => {
    if (src === undefined || src === 'both') return;
    setResult(undefined);
    run(() => invoke('certs:inspect', { ...src, ...(passphrase ? { passphrase } : {}) }), setResult);
  };
  return (
    <Dialog open onClose={onClose} maxWidth="md" fullWidth>
      <DialogTitle>Inspect a file</DialogTitle>
      <DialogContent>
        <Stack spacing={1} sx={{ pt: 1 }}>
          <CertificateSourceFields value={source} onChange={setSource} />
          <TextField size="small" type="password" label="Passphrase" value={passphrase} onChange={(e) => setPassphrase(e.target.value)}
            helperText="Only for a PKCS#12 file or an encrypted key" autoComplete="off" />
          {error && <Alert severity="error">{error}</Alert>}
          {result && (
            <Stack spacing={1.5} data-testid="inspection">
              <Typography variant="body2">
                {result.certificates.length} certificate{result.certificates.length === 1 ? '' : 's'}
                {result.hasKey ? ', and a private key' : ', no private key'}
              </Typography>
              <ChainStatus check={result.chainCheck} />
              {result.certificates.map((c, i) => (
                <Stack key={`${c.fingerprint256}-${i}`} spacing={0.5}>
                  <Typography variant="subtitle2">Certificate {i + 1}{result.certificates.length > 1 ? ` of ${result.certificates.length}` : ''}: {c.commonName ?? c.subject}</Typography>
                  <CertificateDetailsView certificate={c} />
                </Stack>
              ))}
            </Stack>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
        <Button variant="contained" disabled={src === undefined || src === 'both' || busy} onClick={inspect}>Inspect</Button>
      </DialogActions>
    </Dialog>
  );
}
