// Entry of `dicomnet store` (dist/cli/dicomnet-store.cjs). V8's optimising tier later than its
// default: a send's compiles take CPU from the receiver on a small machine (app/optimise-early.ts).
import { optimiseLate } from '../../app/optimise-early';
import { runCommand } from '../run';
import { runStore } from '../store';

optimiseLate();

runCommand((args) => runStore(args, process.stdout, process.stderr));
