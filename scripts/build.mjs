// Bundles the headless CLI into one file so that `dicomnet echo` starts fast (issue #2: < 100 ms)
// and runs on plain Node >= 20 without the TypeScript sources.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const outfile = 'dist/cli/dicomnet.cjs';
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
  entryPoints: ['src-main/cli/main.ts'],
  outfile,
  banner: { js: '#!/usr/bin/env node' },
  define: { __VERSION__: JSON.stringify(process.env.npm_package_version ?? 'dev') },
});
chmodSync(outfile, 0o755);
// The benchmark runs our stack in-process against peer processes (npm run bench).
await build({ ...common, entryPoints: ['bench/run.ts'], outfile: 'dist/bench/run.cjs' });
console.log(`built ${outfile} and dist/bench/run.cjs`);
