// Entry of `dicomnet cert` (dist/cli/dicomnet-cert.cjs).
import { runCert } from '../cert';
import { runCommand } from '../run';

runCommand((args) => runCert(args, process.stdout, process.stderr));
