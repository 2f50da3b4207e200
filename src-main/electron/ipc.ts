// Typed helpers over ipcMain: the only code touching it. One invoke route carries the contract's
// channels (Workstation.invoke refuses any other and validates each payload); events go to the
// window as (channel, payload) pairs of the contract.

import { ipcMain, type BrowserWindow } from 'electron';
import { EVENT_CHANNELS, type EventChannel, type EventChannels } from '../../src-shared/ipc';
import type { Workstation } from '../app/workstation';

export const INVOKE_ROUTE = 'dicomnet:invoke';
export const EVENT_ROUTE = 'dicomnet:event';

export function registerIpc(workstation: Workstation, window: () => BrowserWindow | undefined): void {
  ipcMain.handle(INVOKE_ROUTE, (event, channel: unknown, request: unknown) => {
    // Only our own window may call main.
    if (event.sender !== window()?.webContents) return { ok: false, error: 'Not allowed.' };
    if (typeof channel !== 'string') return { ok: false, error: 'A channel name is required.' };
    return workstation.invoke(channel, request);
  });
}

export function pushEvent<C extends EventChannel>(window: BrowserWindow, channel: C, payload: EventChannels[C]): void {
  if (!(EVENT_CHANNELS as readonly string[]).includes(channel) || window.isDestroyed()) return;
  window.webContents.send(EVENT_ROUTE, channel, payload);
}
