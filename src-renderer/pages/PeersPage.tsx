import { Alert, Box, Button, Chip, Drawer, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import type { VerifyResult } from '../../src-shared/models';
import type { Peer } from '../../src-shared/settings-schema';
import { EMPTY_PEER_FORM, PeerEditor, peerToForm, type PeerForm } from './PeerEditor';
import { PeerTlsChips } from './PeerTlsChips';
import { VerifyTlsDetails } from './VerifyTlsDetails';
import { useCertificates } from './certificates/useCertificates';
import { invoke, on } from '../api';

function ResultChip({ r, busy }: { r?: VerifyResult; busy: boolean }) {
  if (busy) return <Chip size="small" label="Verifying…" />;
  if (!r) return <Chip size="small" variant="outlined" label="Not verified" />;
  if (r.ok) return <Chip size="small" color="success" label={`OK ${r.echoes?.rttMs ? `${r.echoes.rttMs.avg.toFixed(1)} ms` : ''}`} />;
  return <Chip size="small" color="error" label={`Failed at ${r.failure?.step ?? '?'}`} />;
}

/** The last verify result per peer, kept while the app runs (the page unmounts on tab changes). */
let lastResults: Record<string, VerifyResult> = {};

export function PeersPage() {
  const [peers, setPeers] = useState<readonly Peer[]>([]);
  const [results, setResultsState] = useState<Record<string, VerifyResult>>(lastResults);
  const setResults = (update: (r: Record<string, VerifyResult>) => Record<string, VerifyResult>) => setResultsState((r) => (lastResults = update(r)));
  const [busy, setBusy] = useState<Record<string, boolean>>({});
  const [editing, setEditing] = useState<{ id?: string; form: PeerForm }>();
  const [details, setDetails] = useState<string>();
  const [error, setError] = useState<string>();
  const { state: certificates } = useCertificates();
  const trusted = certificates?.trusted ?? [];

  const reload = () => invoke('peers:list').then(setPeers, (e: Error) => setError(e.message));
  useEffect(() => {
    void reload();
    const offA = on('verify:progress', ({ peerId, result }) => {
      setResults((r) => ({ ...r, [peerId]: result }));
      setBusy((b) => ({ ...b, [peerId]: false }));
    });
    const offB = on('settings:changed', (s) => setPeers(s.peers));
    return () => { offA(); offB(); };
  }, []);

  const verify = (id: string) => {
    setBusy((b) => ({ ...b, [id]: true }));
    invoke('verify:peer', { id }).catch((e: Error) => setError(e.message));
  };
  const verifyAll = () => {
    setBusy(Object.fromEntries(peers.map((p) => [p.id, true])));
    invoke('verify:all').catch((e: Error) => setError(e.message));
  };
  const shown = details ? results[details] : undefined;

  return (
    <Box>
      <Stack direction="row" spacing={1} sx={{ mb: 1 }}>
        <Typography variant="subtitle1" sx={{ flexGrow: 1 }}>Peers</Typography>
        <Button variant="outlined" onClick={verifyAll} disabled={peers.length === 0}>Verify all</Button>
        <Button variant="contained" onClick={() => setEditing({ form: EMPTY_PEER_FORM })}>Add peer</Button>
      </Stack>
      {error && <Alert severity="error" onClose={() => setError(undefined)}>{error}</Alert>}
      <Table size="small" aria-label="peers">
        <TableHead><TableRow>{['Name', 'AE title', 'Host', 'Port', 'TLS', 'Last result', ''].map((h) => <TableCell key={h}>{h}</TableCell>)}</TableRow></TableHead>
        <TableBody>
          {peers.map((p) => (
            <TableRow key={p.id} data-testid={`peer-${p.name}`} hover>
              <TableCell>{p.name}</TableCell><TableCell>{p.aeTitle}</TableCell><TableCell>{p.host}</TableCell><TableCell>{p.port}</TableCell>
              <TableCell><PeerTlsChips peer={p} result={results[p.id]} trusted={trusted} /></TableCell>
              <TableCell onClick={() => results[p.id] && setDetails(p.id)} sx={{ cursor: results[p.id] ? 'pointer' : undefined }}><ResultChip r={results[p.id]} busy={busy[p.id] === true} /></TableCell>
              <TableCell align="right">
                <Button size="small" onClick={() => verify(p.id)}>Verify</Button>
                <Button size="small" onClick={() => setEditing({ id: p.id, form: peerToForm(p) })}>Edit</Button>
                <Button size="small" color="error" onClick={() => invoke('peers:remove', { id: p.id }).then(reload, (e: Error) => setError(e.message))}>Delete</Button>
              </TableCell>
            </TableRow>
          ))}
          {peers.length === 0 && <TableRow><TableCell colSpan={7}>No peers yet: add the PACS and modalities this workstation talks to.</TableCell></TableRow>}
        </TableBody>
      </Table>
      {editing && (
        <PeerEditor initial={editing.form} trusted={trusted} hasIdentity={certificates ? certificates.identity !== undefined : undefined} onClose={() => setEditing(undefined)} onSave={async (input) => {
          if (editing.id) await invoke('peers:update', { id: editing.id, peer: input });
          else await invoke('peers:add', input);
          setEditing(undefined);
          await reload();
        }} />
      )}
      <Drawer anchor="right" open={shown !== undefined} onClose={() => setDetails(undefined)} slotProps={{ paper: { sx: { width: 460, maxWidth: '90vw' } } }}>
        {shown && (
          <Box sx={{ p: 2, overflowWrap: 'anywhere' }} data-testid="verify-details">
            <Typography variant="subtitle1">{shown.calledAeTitle}@{shown.host}:{shown.port}</Typography>
            {shown.failure && <Alert severity="error" sx={{ my: 1 }}>{shown.failure.plain}</Alert>}
            {shown.tls && <VerifyTlsDetails tls={shown.tls} />}
            <Table size="small" sx={{ tableLayout: 'fixed' }}><TableBody>
              {shown.steps.map((s) => (
                <TableRow key={s.step}>
                  <TableCell sx={{ width: 110 }}>{s.ok ? '✓' : '✗'} {s.step}</TableCell>
                  <TableCell sx={{ width: 80 }}>{s.ms.toFixed(1)} ms</TableCell>
                  <TableCell>{s.detail}</TableCell>
                </TableRow>
              ))}
            </TableBody></Table>
          </Box>
        )}
      </Drawer>
    </Box>
  );
}
