import { Alert, Button, Chip, Paper, Stack, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import type { NodeState } from '../../src-shared/models';
import type { LocalNodeSettings } from '../../src-shared/settings-schema';
import { invoke, on } from '../api';
import { LocalNodeForm } from './LocalNodeForm';
import { useCertificates } from './certificates/useCertificates';

export function LocalNodePage() {
  const [settings, setSettings] = useState<LocalNodeSettings>();
  const [state, setState] = useState<NodeState>();
  const [problem, setProblem] = useState<string>();
  const [error, setError] = useState<string>();
  const { state: certificates } = useCertificates();

  useEffect(() => {
    invoke('settings:get').then((r) => { setSettings(r.settings.localNode); setProblem(r.problem); }, (e: Error) => setError(e.message));
    invoke('node:state').then(setState, (e: Error) => setError(e.message));
    return on('node:state', setState);
  }, []);

  if (!settings) return <Typography>Loading…</Typography>;
  const run = (p: Promise<NodeState>) => p.then((s) => { setState(s); setError(undefined); }, (e: Error) => setError(e.message));

  return (
    <Stack spacing={2} sx={{ maxWidth: 720 }}>
      {problem && <Alert severity="warning">{problem}</Alert>}
      <Paper variant="outlined" sx={{ p: 2 }}>
        <Stack direction="row" spacing={1} sx={{ mb: 1, alignItems: "center" }}>
          <Typography variant="subtitle1" sx={{ flexGrow: 1 }}>Local node</Typography>
          <Chip data-testid="node-status" color={state?.running ? 'success' : 'default'} label={state?.running ? `Listening on ${state.listening.map((l) => `${l.host}:${l.port}${l.tls ? ' (TLS)' : ''}`).join(', ')}` : 'Stopped'} />
          <Chip variant="outlined" label={`${state?.openAssociations ?? 0} open association(s)`} />
          {state?.running
            ? <Button variant="outlined" onClick={() => run(invoke('node:stop'))}>Stop</Button>
            : <Button variant="contained" onClick={() => run(invoke('node:start'))}>Start</Button>}
        </Stack>
        {state?.error && <Alert severity="error" data-testid="node-error" sx={{ mb: 1 }}>{state.error}</Alert>}
        <LocalNodeForm settings={settings} defaultStorageFolder={state?.storageFolder} hasIdentity={certificates ? certificates.identity !== undefined : undefined}
          onSave={(next) => run(invoke('node:configure', next).then((st) => { setSettings(next); return st; }))} />
        {error && <Alert severity="error" sx={{ mt: 1 }}>{error}</Alert>}
      </Paper>
    </Stack>
  );
}
