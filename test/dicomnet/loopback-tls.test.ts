// Our SCU against our SCP over TLS (PS3.15 B.12): handshake, mutual TLS, and each failure explained.

import { createServer as createTlsServer, connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPeer } from '../../src-main/app/verify';
import { echoHandlers } from '../../src-main/dicomnet/services/echo';
import { DicomScp, type ScpListener } from '../../src-main/dicomnet/services/scp';
import { BCP195_TLS12_CIPHERS, TLS13_CIPHERS, type TlsConfig } from '../../src-main/dicomnet/transport';
import { VERIFICATION_TRANSFER_SYNTAXES } from '../../src-main/dicomnet/uids';
import { makeTestPki, type TestPki } from '../helpers/certs';

const VERIFICATION = '1.2.840.10008.1.1';
let pki: TestPki;
const scps: DicomScp[] = [];

async function scpOn(listener: Omit<ScpListener, 'port' | 'host'>): Promise<number> {
  const scp = new DicomScp({
    aeTitle: 'DICOMNET',
    listeners: [{ host: '127.0.0.1', port: 0, ...listener }],
    supportedContexts: new Map([[VERIFICATION, VERIFICATION_TRANSFER_SYNTAXES]]),
    handlers: echoHandlers,
  });
  scps.push(scp);
  return (await scp.start())[0]!.port;
}

function verify(port: number, tls?: TlsConfig) {
  return verifyPeer({ host: '127.0.0.1', port, callingAeTitle: 'SCU', calledAeTitle: 'DICOMNET', timeoutMs: 3000, tls });
}

beforeAll(async () => {
  pki = await makeTestPki();
});
afterAll(async () => {
  await Promise.all(scps.map((s) => s.stop(0)));
});

describe('TLS loopback', () => {
  it('handshakes with TLS 1.2+ and a BCP 195 suite, then associates and echoes', async () => {
    const port = await scpOn({ tls: { cert: pki.server.certPem, key: pki.server.keyPem } });
    const r = await verify(port, { ca: [pki.ca.certPem] });
    expect(r.ok, r.failure?.plain).toBe(true);
    expect(r.steps.map((s) => s.step)).toEqual(['resolve', 'connect', 'tls', 'associate', 'echo', 'release']);
    expect(r.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect([...TLS13_CIPHERS, ...BCP195_TLS12_CIPHERS]).toContain(r.tls?.cipher);
    expect(r.tls?.peerSubject).toMatch(/CN=localhost/);
    expect(r.tls?.peerIssuer).toMatch(/CN=DICOMNET Test CA/);
  });

  it('mutual TLS: accepted with our client certificate, refused without it', async () => {
    const port = await scpOn({ tls: { cert: pki.server.certPem, key: pki.server.keyPem, ca: [pki.ca.certPem], requireClientCert: true } });
    const ok = await verify(port, { ca: [pki.ca.certPem], cert: pki.client.certPem, key: pki.client.keyPem });
    expect(ok.ok, ok.failure?.plain).toBe(true);
    const without = await verify(port, { ca: [pki.ca.certPem] });
    expect(without.ok).toBe(false);
    // TLS 1.3: the handshake completes before the server checks our certificate; it then closes.
    expect(['tls', 'associate']).toContain(without.failure?.step);
    expect(without.failure?.plain).toMatch(/requires a client certificate|does not accept our certificate/);
  });

  it('an expired server certificate: "expired"', async () => {
    const port = await scpOn({ tls: { cert: pki.expiredServer.certPem, key: pki.expiredServer.keyPem } });
    const r = await verify(port, { ca: [pki.ca.certPem] });
    expect(r.failure?.step).toBe('tls');
    expect(r.failure?.code).toBe('expired');
    expect(r.failure?.plain).toMatch(/expired/);
  });

  it('a certificate from an issuer we do not trust: "not trusted"', async () => {
    const port = await scpOn({ tls: { cert: pki.server.certPem, key: pki.server.keyPem } });
    const r = await verify(port, { ca: [pki.otherCa.certPem] });
    expect(r.failure?.step).toBe('tls');
    expect(r.failure?.plain).toMatch(/not trusted/);
    const self = await scpOn({ tls: { cert: pki.selfSigned.certPem, key: pki.selfSigned.keyPem } });
    const r2 = await verify(self, { ca: [pki.ca.certPem] });
    expect(r2.failure?.plain).toMatch(/not trusted/);
  });

  it('TLS to a plain DICOM port: "does not speak TLS"', async () => {
    const port = await scpOn({});
    const r = await verify(port, { ca: [pki.ca.certPem] });
    expect(r.failure?.step).toBe('tls');
    expect(r.failure?.plain).toMatch(/does not speak TLS/);
  });

  it('plain to a TLS port: "expects TLS"', async () => {
    const port = await scpOn({ tls: { cert: pki.server.certPem, key: pki.server.keyPem } });
    const r = await verify(port);
    expect(r.ok).toBe(false);
    expect(r.failure?.plain).toMatch(/expects TLS/);
  });

  it('host-name check, when asked for, refuses a certificate that does not name the host', async () => {
    const port = await scpOn({ tls: { cert: pki.server.certPem, key: pki.server.keyPem } });
    const ok = await verify(port, { ca: [pki.ca.certPem], checkHostName: true });
    expect(ok.ok, ok.failure?.plain).toBe(true); // 127.0.0.1 is in the certificate's SANs
    const bad = await verify(port, { ca: [pki.ca.certPem], checkHostName: true, servername: 'pacs.example' });
    expect(bad.failure?.step).toBe('tls');
    expect(bad.failure?.code).toBe('host-mismatch');
  });

  it('no common TLS version: a peer that offers only TLS 1.0/1.1 is named as such, on either side', async () => {
    // A real TLS 1.1-only server (OpenSSL allows it at security level 0), as old modalities have.
    const old = createTlsServer({ cert: pki.server.certPem, key: pki.server.keyPem, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, (c) => c.destroy());
    old.on('tlsClientError', () => undefined);
    await new Promise<void>((r) => old.listen(0, '127.0.0.1', r));
    try {
      const r = await verify((old.address() as { port: number }).port, { ca: [pki.ca.certPem] });
      expect(r.failure).toMatchObject({ step: 'tls', code: 'no-common-version' });
      expect(r.failure?.plain).toMatch(/No common TLS version/);
    } finally {
      old.close();
    }
    // An old caller at our TLS listener: the association log says why.
    const scp = new DicomScp({
      aeTitle: 'DICOMNET', listeners: [{ host: '127.0.0.1', port: 0, tls: { cert: pki.server.certPem, key: pki.server.keyPem } }],
      supportedContexts: new Map([[VERIFICATION, VERIFICATION_TRANSFER_SYNTAXES]]), handlers: echoHandlers,
    });
    scps.push(scp);
    const details: string[] = [];
    scp.on('association', (e) => details.push(e.detail ?? ''));
    const port = (await scp.start())[0]!.port;
    await new Promise<void>((resolve) => {
      const c = tlsConnect({ host: '127.0.0.1', port, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0', rejectUnauthorized: false });
      c.on('error', () => resolve());
      c.on('secureConnect', () => { c.destroy(); resolve(); });
    });
    for (let i = 0; i < 100 && details.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(details[0]).toMatch(/No common TLS version with the caller/);
  });
});
