// The local node's settings form: every field checked as it is typed by the schema main applies;
// "Save and apply" only for valid settings (main saves them and restarts the node if it runs).

import { Box, Button, Stack, TextField } from '@mui/material';
import { useState } from 'react';
import { validateLocalNode, type LocalNodeSettings } from '../../src-shared/settings-schema';

type Form = Record<'aeTitle' | 'port' | 'bindAddress' | 'storageFolder' | 'allowedCallingAeTitles' | 'maxAssociations', string>;

function toForm(s: LocalNodeSettings): Form {
  return {
    aeTitle: s.aeTitle, port: String(s.port), bindAddress: s.bindAddress, storageFolder: s.storageFolder,
    allowedCallingAeTitles: s.allowedCallingAeTitles.join(', '), maxAssociations: String(s.maxAssociations),
  };
}

export function LocalNodeForm({ settings, defaultStorageFolder, onSave }: {
  settings: LocalNodeSettings;
  defaultStorageFolder?: string;
  onSave: (s: LocalNodeSettings) => void;
}) {
  const [form, setForm] = useState<Form>(() => toForm(settings));
  const candidate = {
    ...settings,
    aeTitle: form.aeTitle, port: Number(form.port), bindAddress: form.bindAddress, storageFolder: form.storageFolder,
    allowedCallingAeTitles: form.allowedCallingAeTitles.split(',').map((t) => t.trim()).filter(Boolean),
    maxAssociations: Number(form.maxAssociations),
  };
  const v = validateLocalNode(candidate);
  const fieldError = (f: string) => (v.ok ? undefined : v.problems.find((p) => p.field.startsWith(`localNode.${f}`))?.message);
  const field = (name: keyof Form, label: string, help?: string) => (
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
      <Stack direction="row" spacing={1} sx={{ mt: 1 }}>
        <Button variant="contained" disabled={!v.ok} onClick={() => v.ok && onSave(v.value)}>Save and apply</Button>
        <Button onClick={() => setForm(toForm(settings))}>Revert</Button>
      </Stack>
    </>
  );
}
