// `npm start`: build, then launch the Electron app. Where Electron's binary is not installed (its
// install step downloads it, which some machines cannot), say so in one line and how to go on.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
// Not require('electron'): without its binary, that tries to download it (with a stack trace).
const dir = join('node_modules', 'electron');
const pathFile = join(dir, 'path.txt');
const electron = existsSync(pathFile) ? join(dir, 'dist', readFileSync(pathFile, 'utf8').trim()) : undefined;
if (!electron || !existsSync(electron)) {
  console.error("Electron's binary is not installed here (its download was blocked): run `npm run dev:web` for the same GUI in a browser, or `node node_modules/electron/install.js` where downloads work.");
  process.exit(1);
}
const child = spawn(electron, ['dist/electron/main.cjs'], { stdio: 'inherit' });
child.on('close', (code) => process.exit(code ?? 0));
