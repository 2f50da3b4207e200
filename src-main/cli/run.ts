// How every `dicomnet` entry ends: the exit code of its command, or a message and 2 for bad
// arguments, 1 for anything else (the contract of issue #2: 0 success, 1 failure, 2 bad arguments).

import { USAGE, UsageError } from './usage';

/**
 * A reader that went away (`dicomnet store ... | head -1`) makes Node report EPIPE on stdout as an
 * unhandled 'error', and the process died with a stack trace in the middle of a send. The command
 * goes on instead (a send that started finishes; its exit code says how it went) and its further
 * output is dropped: DICOM work is not cut off by a closed pipe.
 */
function keepGoingWithoutReader(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

/** Runs one command with the arguments after its name and sets the process's exit code. */
export function runCommand(run: (args: string[]) => Promise<number>, opts: { exitWhenDone?: boolean } = {}): void {
  keepGoingWithoutReader(process.stdout);
  keepGoingWithoutReader(process.stderr);
  run(process.argv.slice(3)).then(
    (code) => {
      process.exitCode = code;
      // The SCP's listeners and timers would keep the loop alive after a stop; exit explicitly.
      if (opts.exitWhenDone) process.exit(code);
    },
    (err: unknown) => {
      if (err instanceof UsageError) {
        process.stderr.write(`dicomnet: ${err.message}\n\n${USAGE}`);
        process.exitCode = 2;
      } else {
        const e = err as Error & { plain?: string };
        process.stderr.write(`dicomnet: ${e.plain ?? e.message}\n`);
        process.exitCode = 1;
      }
    },
  );
}
