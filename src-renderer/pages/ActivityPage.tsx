import { Alert, Box, Button, Chip, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import type { ActivityEntry } from '../../src-shared/models';
import { invoke, onBatched } from '../api';

export function ActivityPage() {
  const [entries, setEntries] = useState<ActivityEntry[]>([]);
  const [note, setNote] = useState<string>();
  // A node we rejected becomes a peer in one click (its listening port is unknown: 104, to edit).
  const addAsPeer = (e: ActivityEntry) => {
    invoke('peers:add', { name: e.callingAeTitle!, aeTitle: e.callingAeTitle!, host: e.remoteAddress.replace(/^::ffff:/, ''), port: 104, tls: 'off', trustAnchors: [], checkHostName: true, pinnedFingerprint: '' })
      .then((p) => setNote(`Added ${p.name} (${p.host}); check its port on the Peers page.`), (err: Error) => setNote(err.message));
  };
  const [text, setText] = useState('');
  const [open, setOpen] = useState<number>();
  useEffect(() => {
    invoke('activity:list', { limit: 500 }).then((e) => setEntries([...e]), () => undefined);
    // One render per batch, at most four a second: a busy node makes hundreds of events a second.
    return onBatched('association', 250, (batch) => setEntries((list) => [...list, ...batch].slice(-500)));
  }, []);
  const t = text.trim().toLowerCase();
  const shown = entries.filter((e) => !t || [e.remoteAddress, e.callingAeTitle, e.calledAeTitle, e.detail, e.kind].some((f) => f?.toLowerCase().includes(t))).reverse();
  return (
    <Box>
      <Stack direction="row" spacing={1} sx={{ mb: 1, alignItems: "center" }}>
        <Typography variant="subtitle1" sx={{ flexGrow: 1 }}>Activity</Typography>
        <TextField size="small" label="Filter" value={text} onChange={(e) => setText(e.target.value)} />
      </Stack>
      {note && <Alert severity="info" onClose={() => setNote(undefined)} sx={{ mb: 1 }}>{note}</Alert>}
      <Table size="small" aria-label="activity">
        <TableHead><TableRow>{['Time', 'Direction', 'Peer', 'Calling -> called', 'Outcome', 'Duration'].map((h) => <TableCell key={h}>{h}</TableCell>)}</TableRow></TableHead>
        <TableBody>
          {shown.map((e) => [
            <TableRow key={e.id} hover onClick={() => setOpen(open === e.id ? undefined : e.id)} sx={{ cursor: 'pointer' }}>
              <TableCell>{new Date(e.at).toLocaleTimeString()}</TableCell>
              <TableCell>{e.direction === 'in' ? 'incoming' : 'outgoing'}</TableCell>
              <TableCell>{e.remoteAddress}{e.remotePort ? `:${e.remotePort}` : ''}</TableCell>
              <TableCell>{e.callingAeTitle ?? '?'} -&gt; {e.calledAeTitle ?? '?'}</TableCell>
              <TableCell><OutcomeChip entry={e} /></TableCell>
              <TableCell>{e.durationMs !== undefined ? `${e.durationMs} ms` : ''}</TableCell>
            </TableRow>,
            open === e.id && (
              <TableRow key={`${e.id}-details`}><TableCell colSpan={6}>
                {e.detail && <Typography variant="body2">{e.detail}</Typography>}
                {e.direction === 'in' && e.kind === 'rejected' && e.callingAeTitle && (
                  <Button size="small" sx={{ mt: 0.5 }} onClick={(ev) => { ev.stopPropagation(); addAsPeer(e); }}>Add {e.callingAeTitle} as peer</Button>
                )}
                {e.contexts?.map((c) => (
                  <Typography key={c.id} variant="body2" title={c.abstractSyntax}>
                    #{c.id} {c.abstractSyntaxName ?? c.abstractSyntax}: {c.result}{c.transferSyntax ? ` (${c.transferSyntaxName ?? c.transferSyntax})` : ''}
                  </Typography>
                ))}
              </TableCell></TableRow>
            ),
          ])}
          {shown.length === 0 && <TableRow><TableCell colSpan={6}>No associations yet.</TableCell></TableRow>}
        </TableBody>
      </Table>
    </Box>
  );
}

/**
 * An association accepted with every presentation context refused (PS3.8 allows it) can serve
 * nothing: a C-FIND or C-MOVE asked of a node that only stores. A green "accepted" misled there.
 */
function OutcomeChip({ entry: e }: { entry: ActivityEntry }) {
  if (e.kind === 'accepted' && e.contexts && e.contexts.length > 0 && !e.contexts.some((c) => c.result === 'acceptance')) {
    return <Chip size="small" label="accepted, no context" color="warning" title="None of the presentation contexts asked for is offered by this node: see the details" />;
  }
  return <Chip size="small" label={e.kind} color={e.kind === 'rejected' || e.kind === 'aborted' ? 'error' : e.kind === 'accepted' ? 'success' : 'default'} />;
}
