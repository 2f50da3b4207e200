// One request to main from a dialog: busy while it runs, main's plain-words error when it fails.

import { useState } from 'react';

export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = <T,>(start: () => Promise<T>, done: (value: T) => void) => {
    setBusy(true);
    setError(undefined);
    start().then(
      (value) => { setBusy(false); done(value); },
      (e: Error) => { setBusy(false); setError(e.message); },
    );
  };
  return { busy, error, setError, run };
}
