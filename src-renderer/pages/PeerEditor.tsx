// The peer editor: every field checked as it is typed, by the same schema main applies
// (src-shared/settings-schema.ts); Save only when the whole peer is valid. With TLS on: which trusted
// certificates the peer's chain may end in, the host name check, and an optional pinned fingerprint.

import { Alert, Button, Checkbox, Dialog, DialogActions, DialogContent, DialogTitle, FormControlLabel, ListItemText, MenuItem, Stack, Switch, TextField } from '@mui/material';
import { useState } from 'react';
import type { TrustedCertificate } from '../../src-shared/certificates';
import type { PeerInput } from '../../src-shared/ipc';
import { validatePeer, type Peer, type TlsMode } from '../../src-shared/settings-schema';
import { shortFingerprint } from './certificates/format';

export type PeerForm = {
  name: string;
  aeTitle: string;
  host: string;
  port: string;
  tls: TlsMode;
  /** SHA-256 fingerprints of trusted certificates; empty: any trusted certificate. */
  trustAnchors: readonly string[];
  checkHostName: boolean;
  pinnedFingerprint: string;
};
export const EMPTY_PEER_FORM: PeerForm = { name: '', aeTitle: '', host: '', port: '104', tls: 'off', trustAnchors: [], checkHostName: true, pinnedFingerprint: '' };

export function peerToForm(p: Peer): PeerForm {
  return {
    name: p.name, aeTitle: p.aeTitle, host: p.host, port: String(p.port), tls: p.tls,
    trustAnchors: p.trustAnchors, checkHostName: p.checkHostName, pinnedFingerprint: p.pinnedFingerprint,
  };
}

type TextKey = 'name' | 'aeTitle' | 'host' | 'port' | 'pinnedFingerprint';

export function PeerEditor({ initial, trusted = [], hasIdentity, onClose, onSave }: {
  initial: PeerForm;
  /** The trusted certificates (certs:state), offered as trust anchors. */
  trusted?: readonly TrustedCertificate[];
  /** Whether we have an identity to present (mutual TLS needs one); undefined: not known. */
  hasIdentity?: boolean;
  onClose: () => void;
  onSave: (p: PeerInput) => Promise<void>;
}) {
  const [form, setForm] = useState(initial);
  const [error, setError] = useState<string>();
  const v = validatePeer({ ...form, port: Number(form.port) });
  const problem = (f: string) => (v.ok ? undefined : v.problems.find((p) => p.field === `peer.${f}` || p.field.startsWith(`peer.${f}[`))?.message);
  const field = (name: TextKey, label: string, help?: string) => (
    <TextField size="small" label={label} value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.value })}
      error={problem(name) !== undefined} helperText={problem(name) ?? help ?? ' '} />
  );
  // Anchors chosen earlier whose certificate is no longer trusted stay listed, so they can be removed.
  const anchorOptions = [
    ...trusted.map((t) => ({ fp: t.fingerprint256, label: t.label })),
    ...form.trustAnchors.filter((fp) => !trusted.some((t) => t.fingerprint256 === fp)).map((fp) => ({ fp, label: 'No longer trusted' })),
  ];
  const anchorName = (fp: string) => `${anchorOptions.find((o) => o.fp === fp)?.label ?? '?'} (${shortFingerprint(fp)})`;
  return (
    <Dialog open onClose={onClose}>
      <DialogTitle>{initial.name ? `Edit ${initial.name}` : 'Add a peer'}</DialogTitle>
      <DialogContent>
        <Stack spacing={1} sx={{ pt: 1, width: 400 }}>
          {field('name', 'Name')}
          {field('aeTitle', 'AE title')}
          {field('host', 'Host')}
          {field('port', 'Port')}
          <TextField select size="small" label="TLS" value={form.tls} onChange={(e) => setForm({ ...form, tls: e.target.value as TlsMode })}
            helperText={form.tls === 'mutual' ? 'We present our certificate too' : form.tls === 'tls' ? 'DICOM over TLS; 2762 is its registered port' : ' '}>
            <MenuItem value="off">Off</MenuItem><MenuItem value="tls">TLS</MenuItem><MenuItem value="mutual">Mutual TLS</MenuItem>
          </TextField>
          {form.tls !== 'off' && (
            <>
              <TextField select size="small" label="Trust anchors" value={form.trustAnchors}
                onChange={(e) => {
                  const value = e.target.value as unknown as string[] | string;
                  setForm({ ...form, trustAnchors: typeof value === 'string' ? value.split(',').filter(Boolean) : value });
                }}
                error={problem('trustAnchors') !== undefined}
                helperText={problem('trustAnchors') ?? (trusted.length === 0
                  ? 'No trusted certificates yet: add the peer\'s CA on the Certificates page'
                  : 'The trusted certificates this peer\'s chain may end in; none chosen: any')}
                slotProps={{
                  inputLabel: { shrink: true },
                  select: {
                    multiple: true,
                    displayEmpty: true,
                    renderValue: (selected) => {
                      const list = selected as readonly string[];
                      return list.length === 0 ? 'Any trusted certificate' : list.map(anchorName).join(', ');
                    },
                  },
                }}>
                {anchorOptions.map((o) => (
                  <MenuItem key={o.fp} value={o.fp} dense>
                    <Checkbox size="small" checked={form.trustAnchors.includes(o.fp)} sx={{ p: 0.5, mr: 1 }} />
                    <ListItemText primary={`${o.label} (${shortFingerprint(o.fp)})`} />
                  </MenuItem>
                ))}
              </TextField>
              <FormControlLabel label="Check the host name"
                control={<Switch checked={form.checkHostName} onChange={(e) => setForm({ ...form, checkHostName: e.target.checked })} />} />
              {field('pinnedFingerprint', 'Pinned SHA-256 fingerprint', 'Optional: the peer certificate\'s own fingerprint, as its administrator reads it to you')}
              {form.tls === 'mutual' && hasIdentity === false && (
                <Alert severity="warning">Mutual TLS presents our certificate, and there is none yet: create or import one on the Certificates page.</Alert>
              )}
            </>
          )}
          {error && <Alert severity="error">{error}</Alert>}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" disabled={!v.ok} onClick={() => v.ok && onSave(v.value).catch((e: Error) => setError(e.message))}>Save</Button>
      </DialogActions>
    </Dialog>
  );
}
