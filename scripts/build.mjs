// Bundles the headless CLI into one file so that `dicomnet echo` starts fast (issue #2: < 100 ms)
// and runs on plain Node >= 20 without the TypeScript sources.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, readdirSync } from 'node:fs';

const outfile = 'dist/cli/dicomnet.cjs';
// The bin is a small loader (src-main/cli/bin.ts): Node's compile cache, then the bundle of the
// command given with V8's code cache (src-main/cli/code-cache.ts), so `dicomnet echo` reads and
// compiles only the C-ECHO path (half the code of the whole CLI), and from its second run on takes
// it compiled from the cache. dicomnet-main.cjs answers help, version and unknown commands.
// The commands are the entries in src-main/cli/entries/ (echo, store, scp, cert).
const commands = readdirSync('src-main/cli/entries').filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: [
    { in: 'src-main/cli/main.ts', out: 'dicomnet-main' },
    ...commands.map((c) => ({ in: `src-main/cli/entries/${c}.ts`, out: `dicomnet-${c}` })),
  ],
  outdir: 'dist/cli',
  outExtension: { '.js': '.cjs' },
  minify: true,
  // The bundles run as vm scripts (code-cache.ts), where import() would need a loader of its own:
  // node:tls and dcmjs, loaded on demand, come through require() instead.
  supported: { 'dynamic-import': false },
  // dcmjs (most of the bundle's size) is loaded only for a conversion: from node_modules, where the
  // package's dependency puts it, instead of being read and parsed at every start.
  external: ['dcmjs'],
  define: { __VERSION__: JSON.stringify(process.env.npm_package_version ?? 'dev') },
});
await build({
  ...common,
  sourcemap: false,
  entryPoints: ['src-main/cli/bin.ts'],
  outfile,
  minify: true,
  banner: { js: '#!/usr/bin/env node' },
  define: { __COMMANDS__: JSON.stringify(commands) },
});
chmodSync(outfile, 0o755);
// The benchmark runs our stack in-process against peer processes (npm run bench).
await build({ ...common, entryPoints: ['bench/run.ts'], outfile: 'dist/bench/run.cjs' });
// The floor experiments: minimal Node clients the benchmark times against ours and DCMTK's.
await build({ ...common, entryPoints: [{ in: 'bench/floor/echo.ts', out: 'floor-echo' }, { in: 'bench/floor/store.ts', out: 'floor-store' }], outdir: 'dist/bench', outExtension: { '.js': '.cjs' } });
// The browser bridge (the GUI on the real services without Electron) and the Electron shell.
await build({ ...common, target: 'node22', entryPoints: ['src-main/bridge/main.ts'], outfile: 'dist/bridge/bridge.cjs' });
await build({ ...common, target: 'node22', entryPoints: ['src-main/electron/main.ts'], outfile: 'dist/electron/main.cjs', external: ['electron'] });
// A sandboxed preload cannot require project files: it is one bundle with only electron external.
await build({ ...common, target: 'node22', entryPoints: ['src-main/electron/preload.ts'], outfile: 'dist/electron/preload.cjs', external: ['electron'] });
// The renderer: React + MUI for the browser, one script (the CSP allows only 'self' scripts).
await build({
  bundle: true, platform: 'browser', format: 'iife', target: 'chrome120', minify: true, sourcemap: 'linked', logLevel: 'warning',
  jsx: 'automatic', entryPoints: ['src-renderer/main.tsx'], outfile: 'dist/renderer/app.js',
  define: { 'process.env.NODE_ENV': '"production"' },
});
copyFileSync('src-renderer/index.html', 'dist/renderer/index.html');
console.log(`built ${outfile}, dist/bench, dist/bridge, dist/electron and dist/renderer`);
