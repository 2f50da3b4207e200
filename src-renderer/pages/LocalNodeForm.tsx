// The local node's settings form: every field checked as it is typed by the schema main applies;
// "Save and apply" only for valid settings (main saves them and restarts the node if it runs).
// The TLS listener (a second port speaking DICOM over TLS with our certificate) is set here too.

import { Alert, Box, Button, FormControlLabel, FormHelperText, Stack, Switch, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { validateLocalNode, type LocalNodeSettings } from '../../src-shared/settings-schema';

type TextKey = 'aeTitle' | 'port' | 'bindAddress' | 'storageFolder' | 'allowedCallingAeTitles' | 'maxAssociations' | 'tlsPort';
type Form = Record<TextKey, string> & { tlsEnabled: boolean; requireClientCertificate: boolean };

function toForm(s: LocalNodeSettings): Form {
  return {
    aeTitle: s.aeTitle, port: String(s.port), bindAddress: s.bindAddress, storageFolder: s.storageFolder,
    allowedCallingAeTitles: s.allowedCallingAeTitles.join(', '), maxAssociations: String(s.maxAssociations),
    tlsEnabled: s.tlsEnabled, tlsPort: String(s.tlsPort), requireClientCertificate: s.requireClientCertificate,
  };
}

export function LocalNodeForm({ settings, defaultStorageFolder, hasIdentity, onSave }: {
  settings: LocalNodeSettings;
  defaultStorageFolder?: string;
  /** Whether we have a certificate for the TLS listener (certs:state); undefined: not known yet. */
  hasIdentity?: boolean;
  onSave: (s: LocalNodeSettings) => void;
}) {
  const [form, setForm] = useState<Form>(() => toForm(settings));
  const candidate = {
    ...settings,
    aeTitle: form.aeTitle, port: Number(form.port), bindAddress: form.bindAddress, storageFolder: form.storageFolder,
    allowedCallingAeTitles: form.allowedCallingAeTitles.split(',').map((t) => t.trim()).filter(Boolean),
    maxAssociations: Number(form.maxAssociations),
    tlsEnabled: form.tlsEnabled, tlsPort: Number(form.tlsPort), requireClientCertificate: form.requireClientCertificate,
  };
  const v = validateLocalNode(candidate);
  const fieldError = (f: string) => (v.ok ? undefined : v.problems.find((p) => p.field.startsWith(`localNode.${f}`))?.message);
  const field = (name: TextKey, label: string, help?: string) => (
    <TextField size="small" label={label} value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.value })}
      error={fieldError(name) !== undefined} helperText={fieldError(name) ?? help ?? ' '} />
  );
  return (
    <>
      <Box sx={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 1.5 }}>
        {field('aeTitle', 'AE title', '1-16 characters, no backslash')}
        {field('port', 'Port', '11112 is the DICOM default')}
        {field('bindAddress', 'Bind address', '0.0.0.0 listens on every interface')}
        {field('maxAssociations', 'Max associations')}
        {field('storageFolder', 'Storage folder', `Empty: ${defaultStorageFolder ?? 'the default in the data folder'}`)}
        {field('allowedCallingAeTitles', 'Allowed calling AE titles', 'Comma separated; empty: any')}
      </Box>
      <Stack spacing={1} sx={{ mt: 1 }}>
        <Typography variant="subtitle2">DICOM over TLS</Typography>
        {hasIdentity === false && (
          <Alert severity="info">The TLS listener needs our certificate: create or import one on the Certificates page.</Alert>
        )}
        <Box>
          <FormControlLabel label="TLS listener"
            control={<Switch checked={form.tlsEnabled} onChange={(e) => setForm({ ...form, tlsEnabled: e.target.checked })} />} />
          <FormHelperText sx={{ mt: 0 }}>A second port where peers call us over TLS, with our certificate</FormHelperText>
        </Box>
        {/* Shown while the listener is on (or its port has a problem to fix). */}
        {(form.tlsEnabled || fieldError('tlsPort') !== undefined) && (
          <Box sx={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 1.5 }}>
            {field('tlsPort', 'TLS port', '2762 is the port registered for DICOM over TLS')}
          </Box>
        )}
        {form.tlsEnabled && (
          <Box>
            <FormControlLabel label="Require client certificates"
              control={<Switch checked={form.requireClientCertificate} onChange={(e) => setForm({ ...form, requireClientCertificate: e.target.checked })} />} />
            <FormHelperText sx={{ mt: 0 }}>Mutual TLS: callers must show a certificate that chains to one we trust</FormHelperText>
          </Box>
        )}
      </Stack>
      <Stack direction="row" spacing={1} sx={{ mt: 1 }}>
        <Button variant="contained" disabled={!v.ok} onClick={() => v.ok && onSave(v.value)}>Save and apply</Button>
        <Button onClick={() => setForm(toForm(settings))}>Revert</Button>
      </Stack>
    </>
  );
}
