// Entry of `dicomnet scp` (dist/cli/dicomnet-scp.cjs): runs until SIGINT/SIGTERM, then stops listening
// and gives open associations a short grace period (issue #2).
import { optimiseEarly } from '../../app/optimise-early';
import { runCommand } from '../run';
import { startScp } from '../scp';

// An SCP serves the same few paths for days: V8's optimising tier sooner (app/optimise-early.ts), so
// that its first thousands of associations and instances do not run in the interpreter.
optimiseEarly();

runCommand(
  async (args) => {
    // Signal handlers go in before the 'listening' lines are printed: a script may send SIGTERM as
    // soon as it reads them.
    let stopRequested: string | undefined;
    let onStop: ((signal: string) => void) | undefined;
    const request = (signal: string) => {
      if (stopRequested) return;
      stopRequested = signal;
      onStop?.(signal);
    };
    process.on('SIGINT', () => request('SIGINT'));
    process.on('SIGTERM', () => request('SIGTERM'));
    const { scp } = await startScp(args, process.stdout, process.stderr);
    return new Promise<number>((resolve) => {
      onStop = (signal) => {
        process.stderr.write(`${signal}: stopping; open associations get 2 s to finish\n`);
        scp.stop(2000).then(() => resolve(0), () => resolve(1));
      };
      if (stopRequested) onStop(stopRequested);
    });
  },
  { exitWhenDone: true },
);
