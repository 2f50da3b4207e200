// Entry of `dicomnet store` (dist/cli/dicomnet-store.cjs).
import { optimiseEarly } from '../optimise-early';
import { runCommand } from '../run';
import { runStore } from '../store';

// A store loops over files and messages: V8's optimising tier sooner (optimise-early.ts).
optimiseEarly();
runCommand((args) => runStore(args, process.stdout, process.stderr));
