// Entry of `dicomnet echo` (dist/cli/dicomnet-echo.cjs): its own bundle, so the command a script runs
// in a loop reads and compiles only the C-ECHO path (issue #2: one echo process under 100 ms).
import { runEcho } from '../echo';
import { runCommand } from '../run';

runCommand((args) => runEcho(args, process.stdout, process.stderr));
