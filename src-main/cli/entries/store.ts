// Entry of `dicomnet store` (dist/cli/dicomnet-store.cjs).
import { runCommand } from '../run';
import { runStore } from '../store';

runCommand((args) => runStore(args, process.stdout, process.stderr));
