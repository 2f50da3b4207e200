// The preload (bundled: a sandboxed preload cannot require project files). It exposes exactly the
// typed API of the contract as window.api, nothing of Node or Electron itself.

import { contextBridge, ipcRenderer } from 'electron';
import { EVENT_CHANNELS, INVOKE_CHANNELS } from '../../src-shared/ipc';

const INVOKE_ROUTE = 'dicomnet:invoke';
const EVENT_ROUTE = 'dicomnet:event';

contextBridge.exposeInMainWorld('api', {
  invoke(channel: string, request: unknown) {
    if (!(INVOKE_CHANNELS as readonly string[]).includes(channel)) return Promise.resolve({ ok: false, error: `Unknown channel '${channel}'.` });
    return ipcRenderer.invoke(INVOKE_ROUTE, channel, request);
  },
  on(channel: string, listener: (payload: unknown) => void) {
    if (!(EVENT_CHANNELS as readonly string[]).includes(channel)) return () => undefined;
    const handler = (_e: unknown, ch: string, payload: unknown) => { if (ch === channel) listener(payload); };
    ipcRenderer.on(EVENT_ROUTE, handler);
    return () => { ipcRenderer.removeListener(EVENT_ROUTE, handler); };
  },
});
