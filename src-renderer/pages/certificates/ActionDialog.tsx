// The frame of a dialog that sends one request to main: its fields, a progress bar while the request
// runs (the dialog cannot be closed then), main's plain-words error, Cancel and the action's button.

import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, LinearProgress, Stack } from '@mui/material';
import type { ReactNode } from 'react';

export function ActionDialog({ title, action, canAct, busy, error, onAct, onClose, children }: {
  title: string;
  /** The action button's label. */
  action: string;
  canAct: boolean;
  busy: boolean;
  error: string | undefined;
  onAct: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <Dialog open onClose={busy ? undefined : onClose} maxWidth="sm" fullWidth>
      <DialogTitle>{title}</DialogTitle>
      <DialogContent>
        <Stack spacing={1} sx={{ pt: 1 }}>
          {children}
          {busy && <LinearProgress />}
          {error && <Alert severity="error">{error}</Alert>}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>Cancel</Button>
        <Button variant="contained" disabled={!canAct || busy} onClick={onAct}>{action}</Button>
      </DialogActions>
    </Dialog>
  );
}
