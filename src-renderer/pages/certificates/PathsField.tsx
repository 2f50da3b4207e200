// File paths, one per line: typed (always, and the only way in browser mode) or chosen with the
// desktop app's file dialog. The renderer only ever hands paths to main, never file contents.

import { Button, Stack, TextField } from '@mui/material';
import { useState } from 'react';
import { invoke, isDesktop } from '../../api';

export function PathsField({ value, onChange, label = 'Files (one per line)', helperText }: {
  value: string;
  onChange: (text: string) => void;
  label?: string;
  helperText?: string;
}) {
  const [error, setError] = useState<string>();
  const choose = () => {
    invoke('paths:choose', { folders: false }).then(
      (chosen) => { setError(undefined); if (chosen.length) onChange([value.trim(), ...chosen].filter(Boolean).join('\n')); },
      (e: Error) => setError(e.message),
    );
  };
  return (
    <Stack spacing={0.5}>
      <TextField multiline minRows={2} size="small" label={label} value={value} onChange={(e) => onChange(e.target.value)}
        error={error !== undefined} helperText={error ?? helperText ?? ' '} />
      {isDesktop && (
        <Stack direction="row">
          <Button size="small" onClick={choose}>Choose files…</Button>
        </Stack>
      )}
    </Stack>
  );
}
