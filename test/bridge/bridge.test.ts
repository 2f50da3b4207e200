// The browser bridge: serves the renderer with the CSP, carries the contract over a WebSocket, and
// refuses connections without the page's token or from another origin.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Workstation } from '../../src-main/app/workstation';
import { startBridge, type Bridge } from '../../src-main/bridge/server';
import { CONTENT_SECURITY_POLICY } from '../../src-shared/csp';

const RENDERER = fileURLToPath(new URL('../../dist/renderer', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'dicomnet-bridge-'));
let ws: Workstation;
let bridge: Bridge;
let token: string;

beforeAll(async () => {
  ws = new Workstation({ dataFolder: join(work, 'data') });
  bridge = await startBridge({ workstation: ws, staticDir: RENDERER });
  token = new URL(bridge.url).hash.replace('#token=', '');
});
afterAll(async () => {
  await bridge.close();
  await ws.close();
  rmSync(work, { recursive: true, force: true });
});

function connect(query: string, origin: string | undefined): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const c = new WebSocket(`ws://127.0.0.1:${bridge.port}/api${query}`, { headers: origin ? { origin } : {} });
    c.once('open', () => resolve(c));
    c.once('error', reject);
    c.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function call(c: WebSocket, msg: object): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    c.once('message', (d) => resolve(JSON.parse(d.toString()) as Record<string, unknown>));
    c.send(JSON.stringify(msg));
  });
}

describe('browser bridge', () => {
  it('serves the page on loopback with the strict CSP, and nothing outside its folder', async () => {
    const page = await fetch(`http://127.0.0.1:${bridge.port}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await page.text()).toContain('<div id="root">');
    expect((await fetch(`http://127.0.0.1:${bridge.port}/..%2f..%2fpackage.json`)).status).toBe(404);
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{32}$/);
  });

  it('refuses a WebSocket without the token or from another origin', async () => {
    const own = `http://127.0.0.1:${bridge.port}`;
    await expect(connect('?token=wrong', own)).rejects.toThrow(/403/);
    await expect(connect(`?token=${token}`, 'http://evil.example')).rejects.toThrow(/403/);
    await expect(connect(`?token=${token}`, undefined)).rejects.toThrow(/403/);
  });

  it('carries contract channels, refuses others and malformed messages, and pushes events', async () => {
    const c = await connect(`?token=${token}`, `http://127.0.0.1:${bridge.port}`);
    expect(await call(c, { id: 1, channel: 'peers:list' })).toEqual({ id: 1, ok: true, value: [] });
    expect(await call(c, { id: 2, channel: 'fs:readFile', request: '/etc/passwd' })).toEqual({ id: 2, ok: false, error: "Unknown channel 'fs:readFile'." });
    expect(await call(c, { id: 3, channel: 'peers:add', request: { name: 'P', aeTitle: 'P', host: 'h', port: 'x' } })).toMatchObject({ id: 3, ok: false, error: expect.stringMatching(/peer\.port/) });
    expect(await call(c, { nonsense: true })).toMatchObject({ ok: false, error: expect.stringMatching(/numeric id/) });
    const pushed = new Promise((resolve) => c.once('message', (d) => resolve(JSON.parse(d.toString()))));
    bridge.broadcast('settings:changed', ws.settings.settings);
    expect(await pushed).toMatchObject({ event: 'settings:changed' });
    c.close();
  });
});
