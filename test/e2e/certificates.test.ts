// TLS and certificates in the GUI, in Chromium on the real services: create our identity, export it,
// trust the site CA, then verify DCMTK storescp over mutual TLS (it trusts the exported certificate)
// and see the session and the peer's certificate; an expired peer certificate is explained.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workstation } from '../../src-main/app/workstation';
import { startBridge, type Bridge } from '../../src-main/bridge/server';
import { makeTestPki, type TestPki } from '../helpers/certs';
import { CHROMIUM, haveChromium, RENDERER, rendererBuilt, SHOTS } from '../helpers/browser';
import { killAllDcmtk, requireDcmtk, startStorescp, type RunningStorescp } from '../helpers/dcmtk';

describe.runIf(haveChromium('certificates e2e') && rendererBuilt() && requireDcmtk('certificates e2e with DCMTK peers'))('TLS and certificates in the GUI', () => {
  const work = mkdtempSync(join(tmpdir(), 'dicomnet-e2e-certs-'));
  const errors: string[] = [];
  let pki: TestPki;
  let ws: Workstation;
  let bridge: Bridge;
  let browser: Browser;
  let page: Page;
  const dcmtk: RunningStorescp[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    pki = await makeTestPki();
    const late: { bridge?: Bridge } = {};
    ws = new Workstation({ dataFolder: join(work, 'data'), onEvent: (c, p) => late.bridge?.broadcast(c, p) });
    await ws.invoke('node:configure', { ...ws.settings.settings.localNode, aeTitle: 'E2ETLS', bindAddress: '127.0.0.1', autoStart: false });
    bridge = await startBridge({ workstation: ws, staticDir: RENDERER });
    late.bridge = bridge;
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(bridge.url);
  }, 60_000);

  afterAll(async () => {
    for (const s of dcmtk) await s.stop();
    killAllDcmtk();
    await browser?.close();
    await bridge?.close();
    await ws?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('creates our identity from the proposed names', async () => {
    await page.getByRole('tab', { name: 'Certificates' }).click();
    await page.getByRole('button', { name: 'Create identity' }).click();
    await page.getByLabel('Common name').fill('e2e-workstation');
    await page.getByLabel('DNS names').fill('localhost');
    await page.getByLabel('IP addresses').fill('127.0.0.999');
    await expect.poll(() => page.getByText(/'127\.0\.0\.999' is not an IP address/).count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Create', exact: true }).isDisabled()).toBe(true);
    await page.getByLabel('IP addresses').fill('127.0.0.1');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect.poll(() => ws.certificates.identityInfo()?.certificate.commonName, { timeout: 15_000 }).toBe('e2e-workstation');
    const fp = ws.certificates.identityInfo()!.certificate.fingerprint256;
    await expect.poll(() => page.getByText(fp).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await shot('certificates-identity');
  });

  it('exports it as PEM with its fingerprint, never the key', async () => {
    await page.getByRole('button', { name: 'Export' }).click();
    const pemField = page.getByLabel('Certificate (PEM)');
    await expect.poll(() => pemField.inputValue()).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const pem = await pemField.inputValue();
    expect(pem.trim()).toBe(ws.certificates.exportIdentity().pem.trim());
    expect(pem).not.toMatch(/PRIVATE/);
    expect(await page.getByText(ws.certificates.exportIdentity().fingerprint256).count()).toBeGreaterThan(0);
    writeFileSync(join(work, 'exported.pem'), pem);
    await shot('certificates-export');
    await page.keyboard.press('Escape');
  });

  it("trusts the site CA from pasted PEM", async () => {
    await page.getByRole('button', { name: 'Trust a certificate' }).click();
    await page.getByLabel('PEM text').fill(pki.ca.certPem);
    await page.getByLabel('Label').fill('Site CA');
    await page.getByRole('button', { name: 'Trust', exact: true }).click();
    await expect.poll(() => ws.certificates.trusted().map((t) => t.label), { timeout: 10_000 }).toEqual(['Site CA']);
    await expect.poll(() => page.getByText('Site CA').count()).toBeGreaterThan(0);
    await shot('certificates-trusted');
  });

  async function addTlsPeer(name: string, port: number, mode: 'TLS' | 'Mutual TLS') {
    await page.getByRole('tab', { name: 'Peers' }).click();
    await page.getByRole('button', { name: 'Add peer' }).click();
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('AE title').fill('STORESCP');
    await page.getByLabel('Host').fill('127.0.0.1');
    await page.getByLabel('Port').fill(String(port));
    await page.getByLabel('TLS', { exact: true }).click();
    await page.getByRole('option', { name: mode, exact: true }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    const row = page.getByTestId(`peer-${name}`);
    await row.waitFor({ timeout: 10_000 });
    return row;
  }

  it('verifies DCMTK over mutual TLS: protocol, cipher suite and the peer certificate', async () => {
    // storescp trusts our exported certificate and requires it (DCMTK's default).
    const scp = await startStorescp(['-aet', 'STORESCP', '+tls', pki.server.keyFile, pki.server.certFile, '+cf', join(work, 'exported.pem')], { tls: true });
    dcmtk.push(scp);
    const row = await addTlsPeer('Secure-PACS', scp.port, 'Mutual TLS');
    await row.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toMatch(/OK [\d.]+ ms/);
    await row.getByText(/^OK/).click();
    const details = page.getByTestId('verify-details');
    await details.waitFor();
    await expect.poll(() => details.textContent()).toMatch(/TLSv1\.[23]/);
    const text = (await details.textContent()) ?? '';
    expect(text).toContain('CN=localhost');
    expect(text).toContain('CN=DICOMNET Test CA');
    expect(text).toMatch(/([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    await page.waitForTimeout(400);
    await shot('peers-tls-details');
    await page.keyboard.press('Escape');
  });

  it('an expired peer certificate: failed at tls, "expired", the certificate shown and the row warned', async () => {
    const scp = await startStorescp(['-aet', 'STORESCP', '+tls', pki.expiredServer.keyFile, pki.expiredServer.certFile, '+cf', join(work, 'exported.pem')], { tls: true });
    dcmtk.push(scp);
    const row = await addTlsPeer('Old-PACS', scp.port, 'TLS');
    await row.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain('Failed at tls');
    expect(await row.textContent()).toMatch(/expired/i);
    await row.getByText('Failed at tls').click();
    const details = page.getByTestId('verify-details');
    await expect.poll(() => details.textContent()).toMatch(/has expired/);
    expect(await details.textContent()).toMatch(/2021/);
    await page.waitForTimeout(400);
    await shot('peers-tls-expired');
    await page.keyboard.press('Escape');
    expect(errors, errors.join(' | ')).toEqual([]);
  });
});
