import { Alert, Box, Button, LinearProgress, MenuItem, Stack, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import type { SendFileProblem, SendProgress } from '../../src-shared/models';
import type { Peer } from '../../src-shared/settings-schema';
import { invoke, isDesktop, on } from '../api';

const SHOWN_PROBLEMS = 500;

export function SendPage() {
  const [peers, setPeers] = useState<readonly Peer[]>([]);
  const [peerId, setPeerId] = useState('');
  const [paths, setPaths] = useState('');
  const [sendId, setSendId] = useState<string>();
  const [progress, setProgress] = useState<SendProgress>();
  // The files not stored, the first SHOWN_PROBLEMS of them: they were the last 200 files of any
  // outcome, so a failure early in a big send scrolled away behind the files stored after it.
  const [problems, setProblems] = useState<readonly SendFileProblem[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    invoke('peers:list').then(setPeers, (e: Error) => setError(e.message));
    return on('send:progress', (p) => {
      setProgress(p);
      if (p.problems) setProblems((f) => (f.length >= SHOWN_PROBLEMS ? f : [...f, ...p.problems!.slice(0, SHOWN_PROBLEMS - f.length)]));
    });
  }, []);
  const start = () => {
    setProblems([]);
    setProgress(undefined);
    invoke('send:start', { peerId, paths: paths.split('\n').map((p) => p.trim()).filter(Boolean) }).then((r) => setSendId(r.sendId), (e: Error) => setError(e.message));
  };
  const running = sendId !== undefined && progress?.finished === undefined;
  return (
    <Stack spacing={2} sx={{ maxWidth: 860 }}>
      <Typography variant="subtitle1">Send files</Typography>
      <TextField select size="small" label="Peer" value={peerId} onChange={(e) => setPeerId(e.target.value)}>
        {peers.map((p) => <MenuItem key={p.id} value={p.id}>{p.name} ({p.aeTitle}@{p.host}:{p.port})</MenuItem>)}
      </TextField>
      <TextField multiline minRows={2} size="small" label="Files or folders (one per line)" value={paths} onChange={(e) => setPaths(e.target.value)} />
      {isDesktop && (
        <Stack direction="row" spacing={1}>
          {[false, true].map((folders) => (
            <Button key={String(folders)} size="small" onClick={() => invoke('paths:choose', { folders }).then((chosen) => chosen.length && setPaths([paths.trim(), ...chosen].filter(Boolean).join('\n')), (e: Error) => setError(e.message))}>
              {folders ? 'Choose folders…' : 'Choose files…'}
            </Button>
          ))}
        </Stack>
      )}
      <Stack direction="row" spacing={1}>
        <Button variant="contained" disabled={!peerId || !paths.trim() || running} onClick={start}>Send</Button>
        <Button disabled={!running} onClick={() => sendId && invoke('send:cancel', { sendId })}>Cancel</Button>
      </Stack>
      {error && <Alert severity="error" onClose={() => setError(undefined)}>{error}</Alert>}
      {progress && (
        <Box>
          <LinearProgress
            variant={progress.finished || progress.bytesTotal ? 'determinate' : 'indeterminate'}
            value={progress.finished ? 100 : progress.bytesTotal ? (100 * progress.bytesDone) / progress.bytesTotal : 0} />
          <Typography variant="body2" data-testid="send-progress">
            {progress.filesDone}{progress.filesTotal !== undefined ? ` of ${progress.filesTotal}` : ''} file(s),{' '}
            {(progress.bytesDone / 1e6).toFixed(1)}{progress.bytesTotal !== undefined ? ` of ${(progress.bytesTotal / 1e6).toFixed(1)}` : ''} MB,{' '}
            {progress.megabytesPerSecond.toFixed(1)} MB/s
            {!progress.finished && progress.secondsLeft !== undefined && `, about ${Math.ceil(progress.secondsLeft)} s left`}
            {progress.finished && ` — done: ${progress.finished.stored} stored, ${progress.finished.failed} failed, ${progress.finished.skipped} skipped`}
          </Typography>
          {problems.map((f, i) => <Typography key={i} variant="body2" color="error">{f.outcome}: {f.path} {f.detail}</Typography>)}
          {progress.finished && problems.length < progress.finished.failed + progress.finished.skipped && (
            <Typography variant="body2" color="error">… and {progress.finished.failed + progress.finished.skipped - problems.length} more not stored (the first {problems.length} are shown).</Typography>
          )}
        </Box>
      )}
    </Stack>
  );
}
