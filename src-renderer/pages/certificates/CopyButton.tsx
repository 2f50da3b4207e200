// Copies a text to the clipboard where the browser allows it (disabled where it does not).

import { Button } from '@mui/material';
import { useState } from 'react';

function clipboard(): Clipboard | undefined {
  return typeof navigator !== 'undefined' ? navigator.clipboard : undefined;
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState<'copied' | 'failed'>();
  const cb = clipboard();
  const copy = () => {
    if (!cb) return;
    cb.writeText(text).then(() => setDone('copied'), () => setDone('failed'));
  };
  return (
    <Button size="small" disabled={!cb} onClick={copy} title={cb ? undefined : 'The clipboard is not available here: select the text and copy it'}>
      {done === 'copied' ? `${label} ✓` : done === 'failed' ? `${label} (failed)` : label}
    </Button>
  );
}
