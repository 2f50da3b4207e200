import { Alert, Box, Button, Chip, Paper, Stack, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import type { NodeState } from '../../src-shared/models';
import { validateLocalNode, type LocalNodeSettings } from '../../src-shared/settings-schema';
import { invoke, on } from '../api';

type Form = Record<'aeTitle' | 'port' | 'bindAddress' | 'storageFolder' | 'allowedCallingAeTitles' | 'maxAssociations', string>;

function toForm(s: LocalNodeSettings): Form {
  return {
    aeTitle: s.aeTitle, port: String(s.port), bindAddress: s.bindAddress, storageFolder: s.storageFolder,
    allowedCallingAeTitles: s.allowedCallingAeTitles.join(', '), maxAssociations: String(s.maxAssociations),
  };
}

export function LocalNodePage() {
  const [settings, setSettings] = useState<LocalNodeSettings>();
  const [form, setForm] = useState<Form>();
  const [state, setState] = useState<NodeState>();
  const [problem, setProblem] = useState<string>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    invoke('settings:get').then((r) => { setSettings(r.settings.localNode); setForm(toForm(r.settings.localNode)); setProblem(r.problem); }, (e: Error) => setError(e.message));
    invoke('node:state').then(setState, (e: Error) => setError(e.message));
    return on('node:state', setState);
  }, []);

  if (!form || !settings) return <Typography>Loading…</Typography>;
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
  const run = (p: Promise<NodeState>) => p.then((s) => { setState(s); setError(undefined); }, (e: Error) => setError(e.message));

  return (
    <Stack spacing={2} sx={{ maxWidth: 720 }}>
      {problem && <Alert severity="warning">{problem}</Alert>}
      <Paper variant="outlined" sx={{ p: 2 }}>
        <Stack direction="row" spacing={1} sx={{ mb: 1, alignItems: "center" }}>
          <Typography variant="subtitle1" sx={{ flexGrow: 1 }}>Local node</Typography>
          <Chip data-testid="node-status" color={state?.running ? 'success' : 'default'} label={state?.running ? `Listening on ${state.listening.map((l) => `${l.host}:${l.port}`).join(', ')}` : 'Stopped'} />
          <Chip variant="outlined" label={`${state?.openAssociations ?? 0} open association(s)`} />
          {state?.running
            ? <Button variant="outlined" onClick={() => run(invoke('node:stop'))}>Stop</Button>
            : <Button variant="contained" onClick={() => run(invoke('node:start'))}>Start</Button>}
        </Stack>
        {state?.error && <Alert severity="error" data-testid="node-error" sx={{ mb: 1 }}>{state.error}</Alert>}
        <Box sx={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 1.5 }}>
          {field('aeTitle', 'AE title', '1-16 characters, no backslash')}
          {field('port', 'Port', '11112 is the DICOM default')}
          {field('bindAddress', 'Bind address', '0.0.0.0 listens on every interface')}
          {field('maxAssociations', 'Max associations')}
          {field('storageFolder', 'Storage folder', `Empty: ${state?.storageFolder ?? 'the default in the data folder'}`)}
          {field('allowedCallingAeTitles', 'Allowed calling AE titles', 'Comma separated; empty: any')}
        </Box>
        <Stack direction="row" spacing={1} sx={{ mt: 1 }}>
          <Button variant="contained" disabled={!v.ok} onClick={() => v.ok && run(invoke('node:configure', v.value).then((s) => { setSettings(v.value); return s; }))}>Save and apply</Button>
          <Button onClick={() => setForm(toForm(settings))}>Revert</Button>
        </Stack>
        {error && <Alert severity="error" sx={{ mt: 1 }}>{error}</Alert>}
      </Paper>
    </Stack>
  );
}
