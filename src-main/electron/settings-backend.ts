// The app's settings kept with electron-store (settings.json in the app's userData folder): the same
// JSON the CLI and the browser bridge use, validated by the shared schema in app/settings-store.ts.
// electron-store validates nothing itself here and never clears a file it cannot read
// (clearInvalidConfig: false): the settings store keeps such a file aside instead.

import { app } from 'electron';
import Store from 'electron-store';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../../src-shared/settings-schema';
import type { SettingsBackend } from '../app/settings-store';

export function electronStoreBackend(cwd: string = app.getPath('userData')): SettingsBackend {
  // electron-store's file for name 'settings': known without opening it (opening a broken one throws).
  const path = join(cwd, 'settings.json');
  let store: Store<Record<string, unknown>> | undefined;
  const open = () => (store ??= new Store<Record<string, unknown>>({ name: 'settings', cwd, clearInvalidConfig: false, accessPropertiesByDotNotation: false, watch: false }));
  return {
    path,
    read() {
      if (!existsSync(path)) return undefined;
      try {
        return open().store; // a SyntaxError for a file that does not parse
      } finally {
        if (!existsSync(path)) store = undefined;
      }
    },
    write(settings: Settings) {
      // After a broken file was kept aside, open anew on the (now missing) file.
      if (!existsSync(path)) store = undefined;
      open().store = settings as unknown as Record<string, unknown>;
    },
  };
}
