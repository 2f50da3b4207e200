// Trusts the certificates in files or pasted PEM (a site CA, or a peer's own certificate).

import { DialogContentText, TextField } from '@mui/material';
import { useState } from 'react';
import type { CertificatesState } from '../../../src-shared/certificates';
import { invoke } from '../../api';
import { ActionDialog } from './ActionDialog';
import { CertificateSourceFields, sourceOf, type SourceText } from './CertificateSourceFields';
import { useAction } from './useAction';

export function TrustDialog({ onClose, onChanged }: { onClose: () => void; onChanged: (s: CertificatesState) => void }) {
  const [source, setSource] = useState<SourceText>({ paths: '', pem: '' });
  const [label, setLabel] = useState('');
  const { busy, error, run } = useAction();
  const src = sourceOf(source);
  const trust = () => {
    if (src === undefined || src === 'both') return;
    run(() => invoke('certs:trust', { ...src, ...(label.trim() ? { label: label.trim() } : {}) }), (s) => { onChanged(s); onClose(); });
  };
  return (
    <ActionDialog title="Trust a certificate" action="Trust" canAct={src !== undefined && src !== 'both'} busy={busy} error={error} onAct={trust} onClose={onClose}>
      <DialogContentText variant="body2">
        Peers whose certificate chains to a trusted certificate are accepted (when calling them, and when they call our TLS
        listener). Trust your site's CA, or a peer's own certificate; compare its fingerprint with the peer's administrator.
      </DialogContentText>
      <CertificateSourceFields value={source} onChange={setSource} />
      <TextField size="small" label="Label" value={label} onChange={(e) => setLabel(e.target.value)} helperText="Optional: how it is named here, e.g. Site CA" />
    </ActionDialog>
  );
}
