// Entry of `dicomnet` without a known command (dist/cli/dicomnet-main.cjs): help, version, and the
// message for an unknown command. Each command has its own bundle (entries/), chosen by the bin
// (dist/cli/dicomnet.cjs, written by scripts/build.mjs) from the first argument, so that a command
// loads only its own code.

import { runCommand } from './run';
import { USAGE, UsageError } from './usage';

declare const __VERSION__: string | undefined;

runCommand(async () => {
  const command = process.argv[2];
  switch (command) {
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
});
