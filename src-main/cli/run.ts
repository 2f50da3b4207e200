// How every `dicomnet` entry ends: the exit code of its command, or a message and 2 for bad
// arguments, 1 for anything else (the contract of issue #2: 0 success, 1 failure, 2 bad arguments).

import { USAGE, UsageError } from './usage';

/** Runs one command with the arguments after its name and sets the process's exit code. */
export function runCommand(run: (args: string[]) => Promise<number>, opts: { exitWhenDone?: boolean } = {}): void {
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
