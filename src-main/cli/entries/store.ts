// Entry of `dicomnet store` (dist/cli/dicomnet-store.cjs). V8's own tiering: an earlier optimising
// tier measured slower here (app/optimise-early.ts).
import { runCommand } from '../run';
import { runStore } from '../store';

runCommand((args) => runStore(args, process.stdout, process.stderr));
