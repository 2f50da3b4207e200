// The Electron main process: thin. One instance; one window with the renderer locked down (window.ts);
// the IPC contract answered by the same Workstation object the browser bridge uses (ipc.ts).

import { app, dialog, shell, type BrowserWindow } from 'electron';
import { defaultDataFolder } from '../app/data-folder';
import { optimiseEarly } from '../app/optimise-early';
import { Workstation } from '../app/workstation';
import { safeStorageProtector } from './key-protector';
import { registerIpc, pushEvent } from './ipc';
import { electronStoreBackend } from './settings-backend';
import { createMainWindow } from './window';

// The app's node serves associations for days, as `dicomnet scp` does: V8's optimising tier sooner.
optimiseEarly();

// The same data folder as the CLI's default, whatever name the packager gives the app.
app.setPath('userData', defaultDataFolder());

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let window: BrowserWindow | undefined;
  let workstation: Workstation | undefined;
  // safeStorage is usable only once the app is ready: the workstation is made then.
  const makeWorkstation = () => new Workstation({
    dataFolder: app.getPath('userData'),
    settingsBackend: electronStoreBackend(),
    keyProtector: safeStorageProtector(),
    onEvent: (channel, payload) => window && pushEvent(window, channel, payload),
    choosePaths: async (folders) => {
      if (!window) return [];
      const r = await dialog.showOpenDialog(window, { properties: [folders ? 'openDirectory' : 'openFile', 'multiSelections'] });
      return r.canceled ? [] : r.filePaths;
    },
    openFolder: async (path) => {
      const problem = await shell.openPath(path);
      if (problem) throw new Error(problem);
    },
  });
  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  app.on('window-all-closed', () => {
    void (workstation?.close() ?? Promise.resolve()).finally(() => app.quit());
  });
  void app.whenReady().then(async () => {
    const ws = makeWorkstation();
    workstation = ws;
    registerIpc(ws, () => window);
    window = createMainWindow();
    await ws.start();
  });
}
