// The Electron side of the contract, with only `electron` itself mocked (no binary here): the
// preload exposes exactly invoke/on for the contract's channels; main answers only its own window.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TURBOFAN_INVOCATIONS } from '../../src-main/app/optimise-early';
import { Workstation } from '../../src-main/app/workstation';
import { EVENT_CHANNELS, INVOKE_CHANNELS } from '../../src-shared/ipc';

const electron = vi.hoisted(() => ({
  // Filled in by the window test: what the window code asks of Electron.
  windows: [] as { options: Record<string, unknown>; handlers: Record<string, (...a: unknown[]) => unknown>; openHandler?: () => unknown; loaded?: string }[],
  headersHook: undefined as undefined | ((d: { responseHeaders: Record<string, string[]> }, cb: (r: unknown) => void) => void),
  BrowserWindow: class {
    webContents: object;
    constructor(options: Record<string, unknown>) {
      const record: (typeof electron.windows)[number] = { options, handlers: {} };
      electron.windows.push(record);
      this.webContents = {
        setWindowOpenHandler: (h: () => unknown) => { record.openHandler = h; },
        on: (event: string, h: (...a: unknown[]) => unknown) => { record.handlers[event] = h; },
      };
    }
    loadFile(path: string) { electron.windows.at(-1)!.loaded = path; return Promise.resolve(); }
  },
  session: { defaultSession: { webRequest: { onHeadersReceived: (h: (typeof electron)['headersHook']) => { electron.headersHook = h; } } } },
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: { invoke: vi.fn(async () => ({ ok: true, value: 'from main' })), on: vi.fn(), removeListener: vi.fn() },
  ipcMain: { handle: vi.fn(), on: vi.fn() },
  app: { getPath: () => tmpdir(), setPath: vi.fn(), requestSingleInstanceLock: () => false, quit: vi.fn() },
  shell: {},
  // The OS keychain as Electron exposes it; the tests switch its availability and backend.
  keychain: { available: true, backend: 'gnome_libsecret' },
  safeStorage: {
    isEncryptionAvailable: () => electron.keychain.available,
    getSelectedStorageBackend: () => electron.keychain.backend,
    encryptString: (s: string) => Buffer.from(`sealed:${Buffer.from(s, 'latin1').toString('base64')}`),
    decryptString: (b: Buffer) => Buffer.from(b.toString().slice('sealed:'.length), 'base64').toString('latin1'),
  },
}));
vi.mock('electron', () => ({ ...electron, default: electron }));

const work = mkdtempSync(join(tmpdir(), 'dicomnet-electron-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('main', () => {
  it('asks V8 for its optimising tier sooner, as `dicomnet scp` does, then (a second instance here) quits', async () => {
    const v8 = process.getBuiltinModule('node:v8');
    const flags = vi.spyOn(v8, 'setFlagsFromString').mockImplementation(() => undefined);
    try {
      await import('../../src-main/electron/main');
      expect(flags).toHaveBeenCalledWith(`--invocation-count-for-turbofan=${TURBOFAN_INVOCATIONS}`);
      expect(electron.app.quit).toHaveBeenCalled();
    } finally {
      flags.mockRestore();
    }
  });
});

describe('preload', () => {
  let exposed: [string, Record<string, unknown>][] = [];
  beforeAll(async () => {
    await import('../../src-main/electron/preload');
    exposed = [...electron.contextBridge.exposeInMainWorld.mock.calls] as [string, Record<string, unknown>][];
  });

  it('exposes window.api with invoke and on, nothing else', () => {
    expect(exposed).toHaveLength(1);
    const [name, api] = exposed[0]!;
    expect(name).toBe('api');
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
  });

  it('passes every contract channel to main and refuses any other', async () => {
    const api = exposed[0]![1] as { invoke(c: string, r: unknown): Promise<unknown> };
    electron.ipcRenderer.invoke.mockClear();
    for (const c of INVOKE_CHANNELS) expect(await api.invoke(c, { x: 1 })).toEqual({ ok: true, value: 'from main' });
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledTimes(INVOKE_CHANNELS.length);
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith('dicomnet:invoke', 'peers:list', { x: 1 });
    electron.ipcRenderer.invoke.mockClear();
    expect(await api.invoke('shell:openExternal', 'http://x')).toEqual({ ok: false, error: "Unknown channel 'shell:openExternal'." });
    expect(electron.ipcRenderer.invoke).not.toHaveBeenCalled();
  });

  it('delivers only the subscribed contract event, and unsubscribes', () => {
    const api = exposed[0]![1] as { on(c: string, l: (p: unknown) => void): () => void };
    electron.ipcRenderer.on.mockClear();
    expect(api.on('process:env', () => undefined)).toBeTypeOf('function');
    expect(electron.ipcRenderer.on).not.toHaveBeenCalled();
    const seen: unknown[] = [];
    const off = api.on(EVENT_CHANNELS[0], (p) => seen.push(p));
    const handler = electron.ipcRenderer.on.mock.calls[0]![1] as (e: unknown, ch: string, p: unknown) => void;
    handler({}, EVENT_CHANNELS[1], 'other');
    handler({}, EVENT_CHANNELS[0], 'mine');
    expect(seen).toEqual(['mine']);
    off();
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledWith('dicomnet:event', handler);
  });
});

describe('main process ipc', () => {
  it('answers the contract for its own window only, and pushes only contract events', async () => {
    const { registerIpc, pushEvent } = await import('../../src-main/electron/ipc');
    const ws = new Workstation({ dataFolder: join(work, 'data') });
    const own = { webContents: { send: vi.fn() }, isDestroyed: () => false };
    registerIpc(ws, () => own as never);
    const [route, handle] = electron.ipcMain.handle.mock.calls[0] as [string, (e: unknown, c: unknown, r: unknown) => Promise<unknown>];
    expect(route).toBe('dicomnet:invoke');
    expect(await handle({ sender: own.webContents }, 'peers:list', undefined)).toEqual({ ok: true, value: [] });
    expect(await handle({ sender: {} }, 'peers:list', undefined)).toEqual({ ok: false, error: 'Not allowed.' });
    expect(await handle({ sender: own.webContents }, 'peers:add', { name: 'x' })).toMatchObject({ ok: false, error: expect.stringMatching(/peer\.aeTitle/) });
    pushEvent(own as never, 'node:state', ws.node.state);
    pushEvent(own as never, 'not:a:channel' as never, {} as never);
    expect(own.webContents.send).toHaveBeenCalledTimes(1);
    expect(own.webContents.send).toHaveBeenCalledWith('dicomnet:event', 'node:state', ws.node.state);
    await ws.close();
  });
});

describe('settings with electron-store', () => {
  it('keeps the settings in settings.json through electron-store, and a broken file is kept aside', async () => {
    // The same object changed, not a new one: electron-store keeps the `app` it saw when loaded (main's test loads it first).
    Object.assign(electron.app, { getPath: () => join(work, 'userData'), getName: () => 'dicomnet', getVersion: () => '0.1.0' });
    const { electronStoreBackend } = await import('../../src-main/electron/settings-backend');
    const { SettingsStore } = await import('../../src-main/app/settings-store');
    const dir = join(work, 'estore');
    const first = new SettingsStore(electronStoreBackend(dir));
    first.update((s) => ({ ...s, localNode: { ...s.localNode, aeTitle: 'ESTORE' } }));
    const raw = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'));
    expect(raw.localNode.aeTitle).toBe('ESTORE');
    expect(new SettingsStore(electronStoreBackend(dir)).settings.localNode.aeTitle).toBe('ESTORE');
    writeFileSync(join(dir, 'settings.json'), '{ broken');
    const again = new SettingsStore(electronStoreBackend(dir));
    expect(again.problem).toMatch(/is not valid JSON/);
    expect(readdirSync(dir).some((f) => f.startsWith('settings.json.broken-'))).toBe(true);
    again.update((s) => ({ ...s, localNode: { ...s.localNode, aeTitle: 'FRESH' } }));
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).localNode.aeTitle).toBe('FRESH');
  });
});

describe('the window', () => {
  it('is locked down: context isolation, sandbox, no Node, CSP on every response, no new windows or navigation', async () => {
    const { createMainWindow } = await import('../../src-main/electron/window');
    createMainWindow();
    const w = electron.windows[0]!;
    expect(w.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String((w.options.webPreferences as { preload: string }).preload)).toMatch(/preload\.cjs$/);
    expect(w.openHandler?.()).toEqual({ action: 'deny' });
    const navigation = { prevented: false, preventDefault() { this.prevented = true; } };
    w.handlers['will-navigate']!(navigation);
    expect(navigation.prevented).toBe(true);
    let headers: unknown;
    electron.headersHook!({ responseHeaders: { 'X-Other': ['1'] } }, (r) => { headers = r; });
    const { CONTENT_SECURITY_POLICY } = await import('../../src-shared/csp');
    expect(headers).toEqual({ responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'none'; script-src 'self';/);
    expect(w.loaded).toMatch(/renderer[\\/]index\.html$/);
  });
});

describe('private keys sealed by the OS keychain (safeStorage)', () => {
  it('seals our key where a real keychain is available, and falls back to file permissions where not', async () => {
    const { safeStorageProtector } = await import('../../src-main/electron/key-protector');
    const { CertificateStore } = await import('../../src-main/app/certificates/cert-store');
    const request = { keyType: 'ec-p256' as const, subject: { commonName: 'ws' }, dnsNames: ['localhost'], ipAddresses: [], days: 5 };
    electron.keychain.available = true;
    electron.keychain.backend = process.platform === 'linux' ? 'gnome_libsecret' : 'unknown';
    const sealed = new CertificateStore(join(work, 'sealed'), safeStorageProtector());
    const info = await sealed.createSelfSigned(request);
    expect(info.keyProtection).toBe('os-keychain');
    const onDisk = readFileSync(join(sealed.folder, 'identity.key.enc'), 'latin1');
    expect(onDisk.startsWith('sealed:')).toBe(true);
    expect(onDisk).not.toContain('PRIVATE KEY');
    expect(sealed.identity()!.certificates[0]!.checkPrivateKey(sealed.identity()!.key)).toBe(true);
    if (process.platform === 'linux') {
      electron.keychain.backend = 'basic_text';
      expect(safeStorageProtector().kind).toBe('file-permissions');
    }
    electron.keychain.available = false;
    const plain = new CertificateStore(join(work, 'plain'), safeStorageProtector());
    expect((await plain.createSelfSigned(request)).keyProtection).toBe('file-permissions');
    expect(readdirSync(plain.folder)).toContain('identity.key');
  });
});
