// The certificate service end to end with DCMTK, driven through the app's IPC handlers as the GUI
// drives them: an identity created here is trusted by echoscu/storescu/storescp; peers verified over
// TLS (mutual included) show the session and the peer's certificate; each failure a person meets
// (untrusted, expired, host name, pin, our certificate required, not TLS, expects TLS, no common
// cipher) comes back in plain words, on our side as caller and as listener.

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelfSigned, generateKey } from '../../src-main/app/certificates/x509-create';
import { Workstation } from '../../src-main/app/workstation';
import type { ActivityEntry, VerifyResult } from '../../src-shared/models';
import type { Peer } from '../../src-shared/settings-schema';
import { cliBuilt, runCli } from '../cli/run-cli';
import { makeTestPki, type TestPki } from '../helpers/certs';
import { killAllDcmtk, requireDcmtk, runDcmtk, startStorescp, type RunningStorescp } from '../helpers/dcmtk';
import { makeInstance } from '../helpers/dicom-files';
import { freePort } from '../helpers/ports';

const haveDcmtk = requireDcmtk('DCMTK TLS and certificates interop');

describe.runIf(haveDcmtk && cliBuilt())('TLS with certificates from the certificate service, against DCMTK', () => {
  const work = mkdtempSync(join(tmpdir(), 'dicomnet-tlscert-'));
  const activity: ActivityEntry[] = [];
  let pki: TestPki;
  let ws: Workstation;
  let ourCertFile: string;
  let tlsPort: number;

  async function ok<T>(p: Promise<{ ok: true; value: unknown } | { ok: false; error: string }>): Promise<T> {
    const r = await p;
    if (!r.ok) throw new Error(r.error);
    return r.value as T;
  }

  async function addPeer(port: number, extra: Partial<Peer> = {}): Promise<Peer> {
    return ok<Peer>(ws.invoke('peers:add', { name: `p${port}-${activity.length}-${Math.random().toString(36).slice(2, 6)}`, aeTitle: 'STORESCP', host: '127.0.0.1', port, tls: 'mutual', trustAnchors: [], checkHostName: true, pinnedFingerprint: '', ...extra }));
  }

  const verify = (peer: Peer) => ok<VerifyResult>(ws.invoke('verify:peer', { id: peer.id }));

  /** storescp +tls with a server certificate, trusting our exported certificate for the client side. */
  function tlsStorescp(keyFile: string, certFile: string, extra: string[] = []): Promise<RunningStorescp> {
    return startStorescp(['-aet', 'STORESCP', '+tls', keyFile, certFile, '+cf', ourCertFile, ...extra], { tls: true });
  }

  beforeAll(async () => {
    pki = await makeTestPki();
    ws = new Workstation({ dataFolder: join(work, 'data'), onEvent: (channel, payload) => { if (channel === 'association') activity.push(payload as ActivityEntry); } });
    // Our identity, created as the GUI does it; the site CA trusted.
    await ok(ws.invoke('certs:create', { mode: 'self-signed', keyType: 'ec-p256', subject: { commonName: 'ws-under-test' }, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 30 }));
    await ok(ws.invoke('certs:trust', { paths: [pki.ca.certFile], label: 'Site CA' }));
    const exported = await ok<{ pem: string; fingerprint256: string }>(ws.invoke('certs:export', undefined));
    expect(exported.pem).not.toMatch(/PRIVATE KEY/);
    ourCertFile = join(work, 'ours.pem');
    writeFileSync(ourCertFile, exported.pem);
    // Our TLS listener, requiring client certificates.
    tlsPort = await freePort();
    await ok(ws.invoke('node:configure', { ...ws.settings.settings.localNode, aeTitle: 'DICOMNET', port: await freePort(), bindAddress: '127.0.0.1', storageFolder: join(work, 'received'), tlsEnabled: true, tlsPort, requireClientCertificate: true }));
    const state = await ok<{ running: boolean; listening: { tls: boolean; port: number }[]; error?: string }>(ws.invoke('node:start', undefined));
    expect(state.error).toBeUndefined();
    expect(state.listening.find((l) => l.tls)?.port).toBe(tlsPort);
  });

  afterAll(async () => {
    killAllDcmtk();
    await ws?.close();
    rmSync(work, { recursive: true, force: true });
  });

  describe('our TLS listener (DCMTK calls us)', () => {
    it('echoscu and storescu +tls with a CA-issued client certificate, trusting our exported certificate: accepted, instance stored', async () => {
      const e = await runDcmtk('echoscu', ['+tls', pki.client.keyFile, pki.client.certFile, '+cf', ourCertFile, '-aet', 'TLSSCU', '-aec', 'DICOMNET', '127.0.0.1', String(tlsPort)]);
      expect(e.code, e.stderr).toBe(0);
      const file = join(work, 'one.dcm');
      makeInstance(file);
      const s = await runDcmtk('storescu', ['+tls', pki.client.keyFile, pki.client.certFile, '+cf', ourCertFile, '-aet', 'TLSSCU', '-aec', 'DICOMNET', '127.0.0.1', String(tlsPort), file]);
      expect(s.code, s.stderr).toBe(0);
      expect(readdirSync(join(work, 'received'), { recursive: true }).some((f) => String(f).endsWith('.dcm'))).toBe(true);
    });

    it('a caller without a certificate, or with an untrusted one, is refused and the activity log says why', async () => {
      const anonymous = await runDcmtk('echoscu', ['+tla', '+cf', ourCertFile, '-aec', 'DICOMNET', '127.0.0.1', String(tlsPort)]);
      expect(anonymous.code).not.toBe(0);
      const untrusted = await runDcmtk('echoscu', ['+tls', pki.selfSigned.keyFile, pki.selfSigned.certFile, '+cf', ourCertFile, '-aec', 'DICOMNET', '127.0.0.1', String(tlsPort)]);
      expect(untrusted.code).not.toBe(0);
      for (let i = 0; i < 100 && activity.filter((a) => a.detail?.startsWith('TLS handshake')).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      const details = activity.filter((a) => a.direction === 'in' && a.kind === 'rejected').map((a) => a.detail ?? '');
      expect(details.some((d) => /sent no certificate, and this node requires one/.test(d))).toBe(true);
      expect(details.some((d) => /certificate is not trusted/.test(d))).toBe(true);
    });

    it('a caller that does not trust our certificate: the log says so (not that we refused its own), with its address', async () => {
      // echoscu trusting another CA answers our certificate with the alert "unknown CA". That was
      // once explained as the caller's certificate being untrusted, and without the caller's address.
      const before = activity.length;
      const r = await runDcmtk('echoscu', ['+tls', pki.client.keyFile, pki.client.certFile, '+cf', pki.otherCa.certFile, '-aec', 'DICOMNET', '127.0.0.1', String(tlsPort)]);
      expect(r.code).not.toBe(0);
      await expect.poll(() => activity.slice(before).find((a) => a.kind === 'rejected')).toBeDefined();
      const entry = activity.slice(before).find((a) => a.kind === 'rejected')!;
      expect(entry.detail).toMatch(/The caller does not trust our certificate/);
      expect(entry.remoteAddress).toMatch(/127\.0\.0\.1/);
    });
  });

  describe('verifying peers over TLS (we call DCMTK)', () => {
    it('mutual TLS: success, with the protocol, the cipher suite and the peer certificate', async () => {
      const scp = await tlsStorescp(pki.server.keyFile, pki.server.certFile);
      try {
        const r = await verify(await addPeer(scp.port));
        expect(r.failure?.plain, JSON.stringify(r.steps)).toBeUndefined();
        expect(r.ok).toBe(true);
        expect(r.tls).toMatchObject({ protocol: expect.stringMatching(/^TLSv1\.[23]$/), peerSubject: 'CN=localhost', peerIssuer: 'CN=DICOMNET Test CA' });
        expect(r.tls?.peerFingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
        expect(r.tls?.cipher).toMatch(/AES|CHACHA/);
      } finally {
        await scp.stop();
      }
    });

    it('our certificate required by the peer, an expired peer certificate, an untrusted issuer', async () => {
      const scp = await tlsStorescp(pki.server.keyFile, pki.server.certFile);
      const expired = await tlsStorescp(pki.expiredServer.keyFile, pki.expiredServer.certFile);
      try {
        // Our certificate is offered in TLS mode too; take it away to see the peer ask for it.
        const saved = await ok<{ pem: string }>(ws.invoke('certs:export', undefined));
        await ok(ws.invoke('certs:remove-identity', undefined));
        const noCert = await verify(await addPeer(scp.port, { tls: 'tls' }));
        expect(noCert.failure).toMatchObject({ step: 'tls', code: 'client-cert-required' });
        expect(noCert.failure?.plain).toMatch(/requires a client certificate/);
        const mutual = await verify(await addPeer(scp.port, { tls: 'mutual' }));
        expect(mutual.failure?.plain).toMatch(/no certificate of its own yet/);
        expect(saved.pem).toContain('CERTIFICATE');
        await ok(ws.invoke('certs:create', { mode: 'self-signed', keyType: 'ec-p256', subject: { commonName: 'ws-under-test' }, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 30 }));
        writeFileSync(ourCertFile, (await ok<{ pem: string }>(ws.invoke('certs:export', undefined))).pem);

        const exp = await verify(await addPeer(expired.port, { tls: 'tls' }));
        expect(exp.failure).toMatchObject({ step: 'tls', code: 'expired' });
        expect(exp.failure?.plain).toMatch(/has expired/);
        expect(exp.tls?.validTo).toMatch(/2021/);

        const states = await ok<{ trusted: { fingerprint256: string; label: string }[] }>(ws.invoke('certs:trust', { paths: [pki.otherCa.certFile], label: 'Other CA' }));
        const other = states.trusted.find((t) => t.label === 'Other CA')!;
        const untrusted = await verify(await addPeer(scp.port, { tls: 'tls', trustAnchors: [other.fingerprint256] }));
        expect(untrusted.failure).toMatchObject({ step: 'tls', code: 'untrusted' });
        expect(untrusted.failure?.plain).toMatch(/not trusted/);
        expect(untrusted.tls?.peerIssuer).toBe('CN=DICOMNET Test CA');
      } finally {
        await scp.stop();
        await expired.stop();
      }
    });

    it('host name check and pin', async () => {
      // A certificate that names another host, trusted directly (self-signed).
      const key = await generateKey('ec-p256');
      const elsewhere = createSelfSigned(key, { subject: { commonName: 'elsewhere' }, dnsNames: ['elsewhere.example'], ipAddresses: [], days: 5 });
      writeFileSync(join(work, 'elsewhere.pem'), elsewhere);
      writeFileSync(join(work, 'elsewhere.key'), key.export({ type: 'pkcs8', format: 'pem' }) as string);
      await ok(ws.invoke('certs:trust', { pem: elsewhere, label: 'elsewhere' }));
      const scp = await tlsStorescp(join(work, 'elsewhere.key'), join(work, 'elsewhere.pem'));
      try {
        const mismatch = await verify(await addPeer(scp.port, { checkHostName: true }));
        expect(mismatch.failure).toMatchObject({ step: 'tls', code: 'host-mismatch' });
        expect(mismatch.failure?.plain).toMatch(/does not name '127\.0\.0\.1'/);
        const unchecked = await verify(await addPeer(scp.port, { checkHostName: false }));
        expect(unchecked.ok, unchecked.failure?.plain).toBe(true);
        const wrongPin = await verify(await addPeer(scp.port, { checkHostName: false, pinnedFingerprint: 'AB:'.repeat(31) + 'AB' }));
        expect(wrongPin.failure).toMatchObject({ step: 'tls', code: 'pin-mismatch' });
        expect(wrongPin.failure?.plain).toContain(unchecked.tls!.peerFingerprint256!);
        const rightPin = await verify(await addPeer(scp.port, { checkHostName: false, pinnedFingerprint: unchecked.tls!.peerFingerprint256! }));
        expect(rightPin.ok).toBe(true);
      } finally {
        await scp.stop();
      }
    });

    it('TLS to a plain port, plain to a TLS port, and no common cipher suite', async () => {
      const plain = await startStorescp(['-aet', 'STORESCP']);
      const tls = await tlsStorescp(pki.server.keyFile, pki.server.certFile);
      const aes = await tlsStorescp(pki.server.keyFile, pki.server.certFile, ['--profile-aes']);
      try {
        const notTls = await verify(await addPeer(plain.port, { tls: 'tls' }));
        expect(notTls.failure?.plain).toMatch(/does not speak TLS/);
        const expectsTls = await verify(await addPeer(tls.port, { tls: 'off' }));
        expect(expectsTls.failure?.plain).toMatch(/expects TLS/);
        const cipher = await verify(await addPeer(aes.port, { tls: 'mutual' }));
        expect(cipher.failure).toMatchObject({ step: 'tls', code: 'no-common-cipher' });
      } finally {
        await plain.stop();
        await tls.stop();
        await aes.stop();
      }
    });
  });

  describe('the CLI says the same', () => {
    it('dicomnet echo and store: "expired" with the peer certificate; "not trusted"', async () => {
      const expired = await startStorescp(['-aet', 'STORESCP', '+tls', pki.expiredServer.keyFile, pki.expiredServer.certFile, '+cf', pki.ca.certFile], { tls: true });
      try {
        const r = await runCli(['echo', '127.0.0.1', String(expired.port), '--aec', 'STORESCP', '--tls', '--ca', pki.ca.certFile, '--cert', pki.client.certFile, '--key', pki.client.keyFile]);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/has expired \(on 2021-01-01T00:00:00.000Z\)/);
        expect(r.stderr).toMatch(/peer certificate: CN=localhost \(issuer CN=DICOMNET Test CA\), valid .* SHA-256 ([0-9A-F]{2}:){31}/);
      } finally {
        await expired.stop();
      }
      const good = await startStorescp(['-aet', 'STORESCP', '+tls', pki.server.keyFile, pki.server.certFile, '+cf', pki.ca.certFile], { tls: true });
      try {
        const u = await runCli(['echo', '127.0.0.1', String(good.port), '--aec', 'STORESCP', '--tls', '--ca', pki.otherCa.certFile]);
        expect(u.code).toBe(1);
        expect(u.stderr).toMatch(/is not trusted/);
        const file = join(work, 'to-send.dcm');
        makeInstance(file);
        const s = await runCli(['store', '127.0.0.1', String(good.port), file, '--aec', 'STORESCP', '--tls', '--ca', pki.otherCa.certFile]);
        expect(s.code).toBe(1);
        expect(s.stderr).toMatch(/FAILED +.*to-send\.dcm: .*is not trusted/);
      } finally {
        await good.stop();
      }
    });
  });
});
