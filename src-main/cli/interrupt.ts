// Ctrl-C (SIGINT) or SIGTERM during `echo` or `store`: the first one stops the work the DICOM way
// (a send aborts its association with an A-ABORT, an echo loop releases it after the C-ECHO under
// way) and the command still prints what it did; a second one ends the process at once. Before,
// Node's default ended it on the spot: no summary, and the peer logged a connection closed without
// a release or an abort.

export interface Interrupt {
  readonly signal: AbortSignal;
  /** Puts Node's default handling back (the command is done). */
  dispose(): void;
}

export function onInterrupt(err: NodeJS.WritableStream, what: string): Interrupt {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    err.write(`dicomnet: ${name}: ${what}; press Ctrl-C again to quit at once.\n`);
    controller.abort(name);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  for (const s of signals) process.on(s, handler);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of signals) process.off(s, handler);
    },
  };
}
