// The Electron main process: thin. One instance; one window with the renderer locked down (window.ts);
// the IPC contract answered by the same Workstation object the browser bridge uses (ipc.ts).

import { app, dialog, shell, type BrowserWindow } from 'electron';
import { Workstation } from '../app/workstation';
import { registerIpc, pushEvent } from './ipc';
import { electronStoreBackend } from './settings-backend';
import { createMainWindow } from './window';

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let window: BrowserWindow | undefined;
  const workstation = new Workstation({
    dataFolder: app.getPath('userData'),
    settingsBackend: electronStoreBackend(),
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
    void workstation.close().finally(() => app.quit());
  });
  void app.whenReady().then(async () => {
    registerIpc(workstation, () => window);
    window = createMainWindow();
    await workstation.start();
  });
}
