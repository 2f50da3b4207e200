// Bundles the headless CLI into one file so that `dicomnet echo` starts fast (issue #2: < 100 ms)
// and runs on plain Node >= 20 without the TypeScript sources.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const outfile = 'dist/cli/dicomnet.cjs';
await build({
  entryPoints: ['src-main/cli/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  banner: { js: '#!/usr/bin/env node' },
  define: { __VERSION__: JSON.stringify(process.env.npm_package_version ?? 'dev') },
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
console.log(`built ${outfile}`);
