// The certificates we trust: what each is, until when, and a way to stop trusting it.

import { Alert, Button, Paper, Stack, Table, TableBody, TableCell, TableHead, TableRow, Tooltip, Typography } from '@mui/material';
import { useState } from 'react';
import type { CertificatesState, TrustedCertificate } from '../../../src-shared/certificates';
import { invoke } from '../../api';
import { CertificateDetailsDialog } from './CertificateDetailsDialog';
import { ConfirmDialog } from './ConfirmDialog';
import { ExpiryChip } from './ExpiryChip';
import { formatDate, shortFingerprint } from './format';

export function TrustedCertificates({ trusted, onChanged, onTrust, onInspect }: {
  trusted: readonly TrustedCertificate[];
  onChanged: (s: CertificatesState) => void;
  onTrust: () => void;
  onInspect: () => void;
}) {
  const [removing, setRemoving] = useState<TrustedCertificate>();
  const [showing, setShowing] = useState<TrustedCertificate>();
  const [error, setError] = useState<string>();
  return (
    <Paper variant="outlined" sx={{ p: 2 }}>
      <Stack direction="row" spacing={1} sx={{ mb: 1, alignItems: 'center' }}>
        <Typography variant="subtitle1" sx={{ flexGrow: 1 }}>Trusted certificates</Typography>
        <Button variant="outlined" onClick={onInspect}>Inspect a file</Button>
        <Button variant="contained" onClick={onTrust}>Trust a certificate</Button>
      </Stack>
      {error && <Alert severity="error" onClose={() => setError(undefined)} sx={{ mb: 1 }}>{error}</Alert>}
      <Table size="small" aria-label="trusted certificates">
        <TableHead>
          <TableRow>{['Label', 'Subject', 'Issuer', 'Valid until', 'CA', 'SHA-256', ''].map((h) => <TableCell key={h}>{h}</TableCell>)}</TableRow>
        </TableHead>
        <TableBody>
          {trusted.map((t) => (
            <TableRow key={t.fingerprint256} hover data-testid={`trusted-${t.fingerprint256}`}>
              <TableCell>{t.label}</TableCell>
              <TableCell sx={{ overflowWrap: 'anywhere' }}>{t.subject}</TableCell>
              <TableCell sx={{ overflowWrap: 'anywhere' }}>{t.selfSigned ? '(self-signed)' : t.issuer}</TableCell>
              <TableCell>
                <Stack spacing={0.5} sx={{ alignItems: 'flex-start' }}>
                  <span>{formatDate(t.validTo)}</span>
                  <ExpiryChip validFrom={t.validFrom} validTo={t.validTo} />
                </Stack>
              </TableCell>
              <TableCell>{t.isCa ? 'Yes' : 'No'}</TableCell>
              <TableCell>
                <Tooltip title={t.fingerprint256}><Typography variant="body2" component="span" sx={{ fontFamily: 'monospace', whiteSpace: 'nowrap' }}>{shortFingerprint(t.fingerprint256)}</Typography></Tooltip>
              </TableCell>
              <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                <Button size="small" onClick={() => setShowing(t)}>Details</Button>
                <Button size="small" color="error" onClick={() => setRemoving(t)}>Remove</Button>
              </TableCell>
            </TableRow>
          ))}
          {trusted.length === 0 && (
            <TableRow><TableCell colSpan={7}>No trusted certificates yet: trust your site's CA, or the certificate of each TLS peer.</TableCell></TableRow>
          )}
        </TableBody>
      </Table>
      {removing && (
        <ConfirmDialog title={`Stop trusting ${removing.label}?`} confirm="Remove" onClose={() => setRemoving(undefined)}
          text={`Peers whose certificate chains only to ${removing.subject} will fail verification, and peers that name it as their trust anchor will trust nothing until you pick another.`}
          onConfirm={() => invoke('certs:untrust', { fingerprint256: removing.fingerprint256 }).then(onChanged)} />
      )}
      {showing && <CertificateDetailsDialog title={showing.label} certificates={[showing]} onClose={() => setShowing(undefined)} />}
    </Paper>
  );
}
