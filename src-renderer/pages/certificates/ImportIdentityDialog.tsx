// Our identity from files main reads: certificate + key (PEM), PKCS#12, or our CA's answer to the
// signing request made here. Only the paths and the passphrase leave the renderer.

import { DialogContentText, TextField } from '@mui/material';
import { useState } from 'react';
import type { CertificatesState } from '../../../src-shared/certificates';
import { invoke } from '../../api';
import { ActionDialog } from './ActionDialog';
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
    <ActionDialog title="Import our identity" action="Import" canAct={list.length > 0} busy={busy} error={error} onAct={doImport} onClose={onClose}>
      <DialogContentText variant="body2">
        A certificate with its private key (PEM files), a PKCS#12 file (.p12, .pfx), or the certificate our CA returned for
        the signing request made here (with the CA's chain, if it sent one).
      </DialogContentText>
      <PathsField value={paths} onChange={setPaths} />
      <TextField size="small" type="password" label="Passphrase" value={passphrase} onChange={(e) => setPassphrase(e.target.value)}
        helperText="Only for an encrypted key or a PKCS#12 file" autoComplete="off" />
    </ActionDialog>
  );
}
