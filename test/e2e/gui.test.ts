// The GUI in a real browser (Debian's Chromium driven by playwright-core) on the real app services
// through the browser bridge: set up the local node, add peers with validation as you type, verify
// them (our own node, and a port where nothing listens), see the activity.

import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workstation } from '../../src-main/app/workstation';
import { startBridge, type Bridge } from '../../src-main/bridge/server';
import { CHROMIUM, haveChromium, RENDERER, rendererBuilt, SHOTS } from '../helpers/browser';
import { killAllDcmtk, requireDcmtk, runDcmtk, startStorescp, type RunningStorescp } from '../helpers/dcmtk';
import { makeInstance, newUid } from '../helpers/dicom-files';
import { freePort } from '../helpers/ports';

describe.runIf(haveChromium('GUI e2e') && rendererBuilt() && requireDcmtk('GUI e2e with DCMTK peers'))('GUI in Chromium on the real services', () => {
  const work = mkdtempSync(join(tmpdir(), 'dicomnet-e2e-'));
  let ws: Workstation;
  let bridge: Bridge;
  let browser: Browser;
  let page: Page;
  let nodePort: number;
  let storescp: RunningStorescp;
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    const late: { bridge?: Bridge } = {};
    ws = new Workstation({ dataFolder: join(work, 'data'), onEvent: (c, p) => late.bridge?.broadcast(c, p) });
    nodePort = await freePort();
    await ws.invoke('node:configure', { ...ws.settings.settings.localNode, aeTitle: 'E2E', port: nodePort, bindAddress: '127.0.0.1' });
    bridge = await startBridge({ workstation: ws, staticDir: RENDERER });
    late.bridge = bridge;
    mkdirSync(SHOTS, { recursive: true });
    mkdirSync(join(work, 'storescp'), { recursive: true });
    storescp = await startStorescp(['-aet', 'STORESCP', '-od', join(work, 'storescp')]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(bridge.url);
  }, 60_000);

  afterAll(async () => {
    await storescp?.stop();
    killAllDcmtk();
    await browser?.close();
    await bridge?.close();
    await ws?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('the local node page starts the node and shows where it listens', async () => {
    await page.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => page.getByTestId('node-status').textContent(), { timeout: 10_000 }).toContain(`Listening on 127.0.0.1:${nodePort}`);
    expect(ws.node.state.running).toBe(true);
    await shot('local-node');
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

  /** On the Send page: the peer whose option matches `peer`, the folder `src`, Send. */
  async function sendOnPage(peer: RegExp, src: string): Promise<void> {
    await page.getByRole('tab', { name: 'Send' }).click();
    await page.getByLabel('Peer').click();
    await page.getByRole('option', { name: peer }).click();
    await page.getByLabel('Files or folders (one per line)').fill(src);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
  }

  it('sends a folder to a peer with progress, and the received page shows the study', async () => {
    const src = join(work, 'to-send');
    mkdirSync(src, { recursive: true });
    for (let i = 0; i < 5; i++) makeInstance(join(src, `${i}.dcm`), { patientName: 'GUI^TEST', modality: 'MR', pixelBytes: 200_000, seed: i });
    await sendOnPage(/^Myself/, src);
    await expect.poll(() => page.getByTestId('send-progress').textContent(), { timeout: 15_000 }).toMatch(/5 of 5 file\(s\).*done: 5 stored, 0 failed, 0 skipped/);
    await page.getByRole('tab', { name: 'Received' }).click();
    const table = page.getByRole('table', { name: 'received studies' });
    await expect.poll(() => table.textContent(), { timeout: 10_000 }).toMatch(/GUI\^TEST.*MR.*5/);
  });

  it('a file not stored early in a big send stays listed after the hundreds stored behind it', async () => {
    // The page kept the last 200 files of any outcome: this skipped file scrolled away.
    const src = join(work, 'big-send');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, '000-notes.txt'), 'not DICOM');
    const first = join(src, 'f000.dcm');
    makeInstance(first, { patientName: 'MANY^FILES', pixelBytes: 64, seed: 7 });
    for (let i = 1; i < 250; i++) copyFileSync(first, join(src, `f${String(i).padStart(3, '0')}.dcm`));
    await sendOnPage(/^Myself/, src);
    await expect.poll(() => page.getByTestId('send-progress').textContent(), { timeout: 20_000 }).toMatch(/250 of 250 file\(s\).*done: 250 stored, 0 failed, 1 skipped/);
    expect(await page.getByText(/^skipped: .*000-notes\.txt/).count()).toBe(1);
  });

  async function addPeer(name: string, aeTitle: string, port: number): Promise<ReturnType<Page['getByTestId']>> {
    await page.getByRole('tab', { name: 'Peers' }).click();
    await page.getByRole('button', { name: 'Add peer' }).click();
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('AE title').fill(aeTitle);
    await page.getByLabel('Host').fill('127.0.0.1');
    await page.getByLabel('Port').fill(String(port));
    await page.getByRole('button', { name: 'Save' }).click();
    const row = page.getByTestId(`peer-${name}`);
    await row.waitFor({ timeout: 10_000 });
    return row;
  }

  it('a DCMTK storescp as a peer verifies OK; a wrong called AE title is explained', async () => {
    const dcmtk = await addPeer('DCMTK', 'STORESCP', storescp.port);
    await dcmtk.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => dcmtk.textContent(), { timeout: 15_000 }).toMatch(/OK [\d.]+ ms/);
    const wrong = await addPeer('Wrong-AE', 'NOT-US', nodePort);
    await wrong.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => wrong.textContent(), { timeout: 15_000 }).toContain('Failed at associate');
    await wrong.getByText('Failed at associate').click();
    await expect.poll(() => page.getByTestId('verify-details').textContent()).toMatch(/called AE title 'NOT-US'/);
    await page.waitForTimeout(400); // the drawer slides in
    await shot('peers-details');
    await page.keyboard.press('Escape');
    await shot('peers');
  });

  it('DCMTK echoscu against our node shows up in the activity; storescu files show up under Received', async () => {
    const echo = await runDcmtk('echoscu', ['-aet', 'ECHOSCU', '-aec', 'E2E', '127.0.0.1', String(nodePort)]);
    expect(echo.code, echo.stderr).toBe(0);
    const src = join(work, 'from-dcmtk');
    mkdirSync(src, { recursive: true });
    const study = newUid();
    for (let i = 0; i < 3; i++) makeInstance(join(src, `${i}.dcm`), { patientName: 'FROM^DCMTK', modality: 'CT', seed: 100 + i, studyInstanceUid: study });
    const store = await runDcmtk('storescu', ['-aet', 'STORESCU', '-aec', 'E2E', '+sd', '127.0.0.1', String(nodePort), src], 30_000);
    expect(store.code, store.stderr).toBe(0);
    await page.getByRole('tab', { name: 'Activity' }).click();
    const table = page.getByRole('table', { name: 'activity' });
    await expect.poll(() => table.textContent(), { timeout: 10_000 }).toMatch(/incoming.*ECHOSCU -> E2E.*accepted/s);
    await shot('activity');
    await page.getByRole('tab', { name: 'Received' }).click();
    const received = page.getByRole('table', { name: 'received studies' });
    await expect.poll(async () => (await received.textContent())?.includes('FROM^DCMTK'), { timeout: 10_000 }).toBe(true);
    expect(await received.textContent()).toMatch(/FROM\^DCMTK.*CT.*3.*STORESCU/);
    await shot('received');
  });

  it('a DCMTK findscu, asking a node that only stores, shows as accepted with no context, the SOP class named', async () => {
    const find = await runDcmtk('findscu', ['-P', '-aet', 'FINDSCU', '-aec', 'E2E', '-k', 'QueryRetrieveLevel=PATIENT', '127.0.0.1', String(nodePort)]);
    expect(find.code).not.toBe(0);
    await page.getByRole('tab', { name: 'Activity' }).click();
    const table = page.getByRole('table', { name: 'activity' });
    const row = table.getByRole('row').filter({ hasText: 'FINDSCU -> E2E' }).filter({ hasText: 'accepted, no context' });
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    await row.click();
    await expect.poll(() => table.textContent(), { timeout: 5_000 }).toMatch(/#1 PatientRootQueryRetrieveInformationModelFind: abstract-syntax-not-supported/);
  });

  it('Send pushes a generated study to DCMTK storescp, the progress bar reaching 100 %', async () => {
    const src = join(work, 'to-dcmtk');
    mkdirSync(src, { recursive: true });
    for (let i = 0; i < 4; i++) makeInstance(join(src, `${i}.dcm`), { patientName: 'TO^DCMTK', pixelBytes: 500_000, seed: 200 + i });
    await sendOnPage(/^DCMTK/, src);
    await expect.poll(() => page.getByTestId('send-progress').textContent(), { timeout: 20_000 }).toMatch(/4 of 4 file\(s\).*done: 4 stored/);
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    await shot('send');
    expect(readdirSync(join(work, 'storescp')).length).toBeGreaterThanOrEqual(4);
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
