// Our certificate (never the key) to hand to a peer's administrator: PEM, fingerprint, a download.

import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, LinearProgress, Stack, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import type { CertificateExport } from '../../../src-shared/ipc';
import { invoke } from '../../api';
import { CopyButton } from './CopyButton';

/** "pacs-ws1.pem" from "CN=pacs-ws1, O=Clinic". */
function fileNameOf(subject: string): string {
  const cn = /(?:^|,\s*)CN=([^,]+)/.exec(subject)?.[1] ?? 'certificate';
  return `${cn.trim().replace(/[^A-Za-z0-9._-]+/g, '_') || 'certificate'}.pem`;
}

/** A Blob URL for the PEM while the dialog is open (where the browser can make one). */
function useDownloadUrl(pem: string | undefined): string | undefined {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (pem === undefined || typeof URL.createObjectURL !== 'function') return;
    const u = URL.createObjectURL(new Blob([pem], { type: 'application/x-pem-file' }));
    setUrl(u);
    return () => { URL.revokeObjectURL(u); setUrl(undefined); };
  }, [pem]);
  return url;
}

export function ExportDialog({ onClose }: { onClose: () => void }) {
  const [exported, setExported] = useState<CertificateExport>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    invoke('certs:export').then((x) => { if (live) setExported(x); }, (e: Error) => { if (live) setError(e.message); });
    return () => { live = false; };
  }, []);
  const url = useDownloadUrl(exported?.pem);
  return (
    <Dialog open onClose={onClose} maxWidth="md" fullWidth>
      <DialogTitle>Export our certificate</DialogTitle>
      <DialogContent>
        {error && <Alert severity="error">{error}</Alert>}
        {!exported && !error && <LinearProgress sx={{ my: 2 }} />}
        {exported && (
          <Stack spacing={1.5} sx={{ pt: 1 }}>
            <Typography variant="body2">
              Give this certificate to the administrator of each peer that must trust this workstation (mutual TLS, or a peer
              calling our TLS listener), and ask them to compare the fingerprint. It holds no private key.
            </Typography>
            <Typography variant="body2"><strong>Subject</strong> {exported.subject}</Typography>
            <Typography variant="body2" data-testid="export-fingerprint">
              <strong>SHA-256</strong> <Box component="span" sx={{ fontFamily: 'monospace', overflowWrap: 'anywhere' }}>{exported.fingerprint256}</Box>
            </Typography>
            <TextField multiline minRows={8} maxRows={16} size="small" label="Certificate (PEM)" value={exported.pem}
              slotProps={{ htmlInput: { readOnly: true, style: { fontFamily: 'monospace', fontSize: 12 } } }} />
            <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap' }}>
              <CopyButton text={exported.pem} label="Copy PEM" />
              <CopyButton text={exported.fingerprint256} label="Copy fingerprint" />
              <CopyButton text={exported.text} label="Copy summary" />
              {url && <Button size="small" component="a" href={url} download={fileNameOf(exported.subject)}>Download .pem</Button>}
            </Stack>
          </Stack>
        )}
      </DialogContent>
      <DialogActions><Button onClick={onClose}>Close</Button></DialogActions>
    </Dialog>
  );
}
