// Where the app keeps its data (settings.json, certificates, received studies): the desktop app and
// the CLI agree on it, so `dicomnet cert ...` scripts the same identity the app uses.
// The Electron main process sets its userData to exactly this folder.

import { homedir } from 'node:os';
import { join } from 'node:path';

export const DATA_FOLDER_NAME = 'dicomnet-workstation';

/** The OS's per-user application data folder, as Electron's app.getPath('appData') has it. */
export function appDataFolder(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return env.APPDATA ?? join(homedir(), 'AppData', 'Roaming');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME || join(homedir(), '.config');
}

/** DICOMNET_DATA overrides it (tests, several nodes on one machine). */
export function defaultDataFolder(env: NodeJS.ProcessEnv = process.env): string {
  return env.DICOMNET_DATA || join(appDataFolder(env), DATA_FOLDER_NAME);
}
