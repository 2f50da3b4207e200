// The peer editor: every field checked as it is typed, by the same schema main applies
// (src-shared/settings-schema.ts); Save only when the whole peer is valid.

import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, Stack, TextField } from '@mui/material';
import { useState } from 'react';
import type { PeerInput } from '../../src-shared/ipc';
import { validatePeer, type TlsMode } from '../../src-shared/settings-schema';

export type PeerForm = { name: string; aeTitle: string; host: string; port: string; tls: TlsMode };
export const EMPTY_PEER_FORM: PeerForm = { name: '', aeTitle: '', host: '', port: '104', tls: 'off' };

export function PeerEditor({ initial, onClose, onSave }: { initial: PeerForm; onClose: () => void; onSave: (p: PeerInput) => Promise<void> }) {
  const [form, setForm] = useState(initial);
  const [error, setError] = useState<string>();
  const v = validatePeer({ ...form, port: Number(form.port) });
  const problem = (f: string) => (v.ok ? undefined : v.problems.find((p) => p.field === `peer.${f}`)?.message);
  const field = (name: keyof PeerForm, label: string) => (
    <TextField size="small" label={label} value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.value })}
      error={problem(name) !== undefined} helperText={problem(name) ?? ' '} />
  );
  return (
    <Dialog open onClose={onClose}>
      <DialogTitle>{initial.name ? `Edit ${initial.name}` : 'Add a peer'}</DialogTitle>
      <DialogContent>
        <Stack spacing={1} sx={{ pt: 1, width: 380 }}>
          {field('name', 'Name')}
          {field('aeTitle', 'AE title')}
          {field('host', 'Host')}
          {field('port', 'Port')}
          <TextField select size="small" label="TLS" value={form.tls} onChange={(e) => setForm({ ...form, tls: e.target.value as TlsMode })}>
            <MenuItem value="off">Off</MenuItem><MenuItem value="tls">TLS</MenuItem><MenuItem value="mutual">Mutual TLS</MenuItem>
          </TextField>
          {error && <Alert severity="error">{error}</Alert>}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" disabled={!v.ok} onClick={() => v.ok && onSave({ ...v.value, trustAnchors: v.value.trustAnchors, checkHostName: v.value.checkHostName, pinnedFingerprint: v.value.pinnedFingerprint }).catch((e: Error) => setError(e.message))}>Save</Button>
      </DialogActions>
    </Dialog>
  );
}
