// What the GUI's end-to-end tests need: Debian's Chromium and the built renderer. Without Chromium
// a suite is skipped locally with a loud warning; in CI (CI set) it fails the run.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
export const RENDERER = fileURLToPath(new URL('../../dist/renderer', import.meta.url));
/** Screenshots of each page, kept as test artifacts. */
export const SHOTS = fileURLToPath(new URL('../../test-results/e2e', import.meta.url));

export function haveChromium(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  const why = `Chromium missing at ${CHROMIUM}: install it with 'apt-get install -y chromium'.`;
  if (process.env.CI) throw new Error(`${suite}: ${why} In CI a missing browser fails the run.`);
  console.warn(`\n!!!!!!!!!!\n!!! SKIPPING ${suite}: ${why}\n!!!!!!!!!!\n`);
  return false;
}

export function rendererBuilt(): boolean {
  if (!existsSync(join(RENDERER, 'index.html'))) throw new Error(`${RENDERER} is missing: run 'npm run build' first (npm test does).`);
  return true;
}
