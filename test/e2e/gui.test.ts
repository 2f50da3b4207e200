// The GUI in a real browser (Debian's Chromium driven by playwright-core) on the real app services
// through the browser bridge: set up the local node, add peers with validation as you type, verify
// them (our own node, and a port where nothing listens), see the activity.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workstation } from '../../src-main/app/workstation';
import { startBridge, type Bridge } from '../../src-main/bridge/server';
import { makeInstance } from '../helpers/dicom-files';
import { freePort } from '../helpers/ports';

const CHROMIUM = '/usr/bin/chromium';
const RENDERER = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

function haveChromium(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const why = `Chromium missing at ${CHROMIUM}: install it with 'apt-get install -y chromium'.`;
  if (process.env.CI) throw new Error(`GUI e2e: ${why} In CI a missing browser fails the run.`);
  console.warn(`\n!!!!!!!!!!\n!!! SKIPPING GUI e2e: ${why}\n!!!!!!!!!!\n`);
  return false;
}

function rendererBuilt(): boolean {
  if (!existsSync(join(RENDERER, 'index.html'))) throw new Error(`${RENDERER} is missing: run 'npm run build' first (npm test does).`);
  return true;
}

describe.runIf(haveChromium() && rendererBuilt())('GUI in Chromium on the real services', () => {
  const work = mkdtempSync(join(tmpdir(), 'dicomnet-e2e-'));
  let ws: Workstation;
  let bridge: Bridge;
  let browser: Browser;
  let page: Page;
  let nodePort: number;
  const errors: string[] = [];

  beforeAll(async () => {
    const late: { bridge?: Bridge } = {};
    ws = new Workstation({ dataFolder: join(work, 'data'), onEvent: (c, p) => late.bridge?.broadcast(c, p) });
    nodePort = await freePort();
    await ws.invoke('node:configure', { ...ws.settings.settings.localNode, aeTitle: 'E2E', port: nodePort, bindAddress: '127.0.0.1' });
    bridge = await startBridge({ workstation: ws, staticDir: RENDERER });
    late.bridge = bridge;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(bridge.url);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await bridge?.close();
    await ws?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('the local node page starts the node and shows where it listens', async () => {
    await page.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => page.getByTestId('node-status').textContent(), { timeout: 10_000 }).toContain(`Listening on 127.0.0.1:${nodePort}`);
    expect(ws.node.state.running).toBe(true);
  });

  it('a bad port is named as you type and cannot be saved', async () => {
    const port = page.getByLabel('Port');
    await port.fill('70000');
    await expect.poll(() => page.getByText('must be a whole number from 1 to 65535').count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Save and apply' }).isDisabled()).toBe(true);
    await port.fill(String(nodePort));
    expect(await page.getByRole('button', { name: 'Save and apply' }).isDisabled()).toBe(false);
  });

  it('adds a peer (the AE title checked as you type) and verifies it: OK with the round trip, details per step', async () => {
    await page.getByRole('tab', { name: 'Peers' }).click();
    await page.getByRole('button', { name: 'Add peer' }).click();
    await page.getByLabel('Name').fill('Myself');
    await page.getByLabel('AE title').fill('BACK\\SLASH');
    await expect.poll(() => page.getByText(/backslash/i).count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await page.getByLabel('AE title').fill('E2E');
    await page.getByLabel('Host').fill('127.0.0.1');
    await page.getByLabel('Port').fill(String(nodePort));
    await page.getByRole('button', { name: 'Save' }).click();
    const row = page.getByTestId('peer-Myself');
    await row.waitFor({ timeout: 10_000 });
    await row.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toMatch(/OK [\d.]+ ms/);
    await row.getByText(/^OK/).click();
    const details = page.getByTestId('verify-details');
    await details.waitFor();
    expect(await details.textContent()).toMatch(/connect.*associate.*echo.*release/s);
    await page.keyboard.press('Escape');
    expect(ws.settings.settings.peers.map((p) => p.name)).toEqual(['Myself']);
  });

  it('a peer where nothing listens fails at connect, with the reason in plain words', async () => {
    const deadPort = await freePort();
    await page.getByRole('button', { name: 'Add peer' }).click();
    await page.getByLabel('Name').fill('Nobody');
    await page.getByLabel('AE title').fill('NOBODY');
    await page.getByLabel('Host').fill('127.0.0.1');
    await page.getByLabel('Port').fill(String(deadPort));
    await page.getByRole('button', { name: 'Save' }).click();
    const row = page.getByTestId('peer-Nobody');
    await row.waitFor({ timeout: 10_000 });
    await row.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain('Failed at connect');
    await row.getByText('Failed at connect').click();
    await expect.poll(() => page.getByTestId('verify-details').textContent()).toContain(`Nothing is listening on 127.0.0.1:${deadPort}`);
    await page.keyboard.press('Escape');
  });

  it('sends a folder to a peer with progress, and the received page shows the study', async () => {
    const src = join(work, 'to-send');
    mkdirSync(src, { recursive: true });
    for (let i = 0; i < 5; i++) makeInstance(join(src, `${i}.dcm`), { patientName: 'GUI^TEST', modality: 'MR', pixelBytes: 200_000, seed: i });
    await page.getByRole('tab', { name: 'Send' }).click();
    await page.getByLabel('Peer').click();
    await page.getByRole('option', { name: /^Myself/ }).click();
    await page.getByLabel('Files or folders (one per line)').fill(src);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => page.getByTestId('send-progress').textContent(), { timeout: 15_000 }).toMatch(/5 of 5 file\(s\).*done: 5 stored, 0 failed, 0 skipped/);
    await page.getByRole('tab', { name: 'Received' }).click();
    const table = page.getByRole('table', { name: 'received studies' });
    await expect.poll(() => table.textContent(), { timeout: 10_000 }).toMatch(/GUI\^TEST.*MR.*5/);
  });

  it('the activity page lists both sides of the verify, and offers a rejected caller as a peer', async () => {
    // A peer entry with the wrong AE title for our own node: our node rejects it (called AE unknown).
    const wrong = await ws.invoke('peers:add', { name: 'Wrong AE', aeTitle: 'WRONG', host: '127.0.0.1', port: nodePort, tls: 'off' });
    await ws.invoke('verify:peer', { id: (wrong as { value: { id: string } }).value.id });
    await page.getByRole('tab', { name: 'Activity' }).click();
    const table = page.getByRole('table', { name: 'activity' });
    await expect.poll(() => table.textContent(), { timeout: 10_000 }).toMatch(/incoming.*E2E -> E2E.*accepted/s);
    expect(await table.textContent()).toMatch(/outgoing.*E2E -> E2E.*released/s);
    const rejected = table.getByRole('row').filter({ hasText: 'incoming' }).filter({ hasText: 'rejected' }).first();
    await rejected.click();
    await page.getByRole('button', { name: 'Add E2E as peer' }).click();
    await expect.poll(() => page.getByText(/Added E2E \(127\.0\.0\.1\)/).count()).toBe(1);
    expect(ws.settings.settings.peers.find((p) => p.name === 'E2E')).toMatchObject({ aeTitle: 'E2E', host: '127.0.0.1', port: 104 });
    expect(errors, errors.join(' | ')).toEqual([]);
  });
});
