// The `dicomnet` bin (dist/cli/dicomnet.cjs): a small loader. It turns on Node's compile cache (for
// what is required from node_modules, e.g. dcmjs for a conversion) and loads the bundle of the
// command given with V8's code cache (code-cache.ts), so `dicomnet echo` reads and compiles only the
// C-ECHO path, and from its second run on takes even that compiled from the cache. dicomnet-main.cjs
// answers help, version and unknown commands. The commands are the entries in src-main/cli/entries/.
import Module from 'node:module';
import { join } from 'node:path';
import { codeCacheDir, loadBundle } from './code-cache';

declare const __COMMANDS__: string[];

try {
  (Module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
} catch {
  // Node < 22.1: no compile cache.
}
const command = process.argv[2] ?? '';
const bundle = join(__dirname, __COMMANDS__.includes(command) ? `dicomnet-${command}.cjs` : 'dicomnet-main.cjs');
// With --enable-source-maps (debugging), as a plain module: Node maps the stacks of modules, not of vm scripts.
if ((process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === true) module.require(bundle);
else loadBundle(bundle, module, codeCacheDir(process.env, process.platform), require.cache);
