// Entry point of the headless `dicomnet` command (bundled to dist/cli/dicomnet.cjs).
// Exit codes: 0 success, 1 failure, 2 bad arguments.

import * as nodeModule from 'node:module';
import { runEcho } from './echo';
import { USAGE, UsageError } from './usage';

declare const __VERSION__: string | undefined;

// Node >= 22.1 caches the compiled bundle between runs: a faster start for every `dicomnet echo`.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'echo':
      return runEcho(rest, process.stdout, process.stderr);
    case 'store':
      // `store`, `scp` and `cert` are loaded on demand: `dicomnet echo`, the one a script runs in a
      // loop, starts with only what a C-ECHO needs (issue #2: one echo process under 100 ms).
      return (await import('./store')).runStore(rest, process.stdout, process.stderr);
    case 'cert':
      return (await import('./cert')).runCert(rest, process.stdout, process.stderr);
    case 'scp': {
      // Signal handlers go in before the 'listening' lines are printed: a script may send SIGTERM
      // as soon as it reads them.
      let stopRequested: string | undefined;
      let onStop: ((signal: string) => void) | undefined;
      const request = (signal: string) => {
        if (stopRequested) return;
        stopRequested = signal;
        onStop?.(signal);
      };
      process.on('SIGINT', () => request('SIGINT'));
      process.on('SIGTERM', () => request('SIGTERM'));
      const { startScp } = await import('./scp');
      const { scp } = await startScp(rest, process.stdout, process.stderr);
      return new Promise<number>((resolve) => {
        onStop = (signal) => {
          process.stderr.write(`${signal}: stopping; open associations get 2 s to finish\n`);
          scp.stop(2000).then(() => resolve(0), () => resolve(1));
        };
        if (stopRequested) onStop(stopRequested);
      });
    }
    case '--version':
    case 'version':
      process.stdout.write(`dicomnet ${typeof __VERSION__ === 'string' ? __VERSION__ : 'dev'}\n`);
      return 0;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`Unknown command '${command}'.`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    if (process.argv[2] === 'scp') process.exit(code);
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
