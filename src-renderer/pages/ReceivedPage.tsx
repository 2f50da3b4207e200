import { Alert, Box, Button, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import type { ReceivedStudy } from '../../src-shared/models';
import { invoke, isDesktop, onBatched } from '../api';

/** At most one fetch of the received studies per this many ms while instances arrive. */
const RELOAD_EVERY_MS = 500;

export function ReceivedPage() {
  const [studies, setStudies] = useState<readonly ReceivedStudy[]>([]);
  const [error, setError] = useState<string>();
  const reload = () => invoke('received:studies').then(setStudies, () => undefined);
  useEffect(() => {
    void reload();
    // A modality sends hundreds of instances a second: the list is fetched at most twice a second
    // (the instant one arrives after a quiet spell), not once per instance, which kept the main
    // process, and the node receiving in it, busy answering the page.
    return onBatched('instance:received', RELOAD_EVERY_MS, () => void reload());
  }, []);
  return (
    <Box>
      <Typography variant="subtitle1" sx={{ mb: 1 }}>Received</Typography>
      {error && <Alert severity="error" onClose={() => setError(undefined)}>{error}</Alert>}
      <Table size="small" aria-label="received studies">
        <TableHead><TableRow>{['Patient', 'Study date', 'Modality', 'Series', 'Instances', 'From', 'Folder'].map((h) => <TableCell key={h}>{h}</TableCell>)}</TableRow></TableHead>
        <TableBody>
          {studies.map((s) => (
            <TableRow key={s.studyInstanceUid} hover>
              <TableCell>{s.patientName ?? '?'} {s.patientId ? `(${s.patientId})` : ''}</TableCell>
              <TableCell>{s.studyDate ?? ''}</TableCell>
              <TableCell>{s.modalities.join(', ')}</TableCell>
              <TableCell>{s.series}</TableCell>
              <TableCell>{s.instances}</TableCell>
              <TableCell>{s.callingAeTitles.join(', ')}</TableCell>
              <TableCell title={s.folder}>
                {isDesktop
                  ? <Button size="small" disabled={!s.folder} onClick={() => invoke('folder:open', { studyInstanceUid: s.studyInstanceUid }).catch((e: Error) => setError(e.message))}>Open folder</Button>
                  : <Button size="small" disabled={!s.folder} onClick={() => s.folder && navigator.clipboard?.writeText(s.folder)}>Copy path</Button>}
              </TableCell>
            </TableRow>
          ))}
          {studies.length === 0 && <TableRow><TableCell colSpan={7}>Nothing received yet.</TableCell></TableRow>}
        </TableBody>
      </Table>
    </Box>
  );
}
