// How a caller's failed TLS handshake on our listener is explained: a TLS alert the caller sent is
// its complaint about us; a verification code is our complaint about its certificate. The errors
// are the ones node:tls gives (codes and OpenSSL messages as Node 22 words them).

import { createPrivateKey } from 'node:crypto';
import { connect, createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DicomNet } from '../../src-main/dicomnet/dicom-net';
import { explainIncomingTlsFailure, TransportError } from '../../src-main/dicomnet/transport/errors';
import { connect as connectTransport, MAX_TLS_HANDSHAKES } from '../../src-main/dicomnet/transport/transport';
import { makeTestPki } from '../helpers/certs';

const alert = (code: string, text: string, n: number) => Object.assign(
  new Error(`C03C50BBD77F0000:error:0A000418:SSL routines:ssl3_read_bytes:${text}:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:918:SSL alert number ${n}`), { code });
const verification = (code: string) => Object.assign(new Error(code), { code });

describe('explainIncomingTlsFailure', () => {
  it.each([
    ['the caller does not know our CA', alert('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'tlsv1 alert unknown ca', 48), 'caller-rejected-our-cert', /caller does not trust our certificate/],
    ['the caller finds our certificate bad', alert('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'sslv3 alert bad certificate', 42), 'caller-rejected-our-cert', /caller does not trust our certificate/],
    ['the caller says our certificate expired', alert('ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', 'sslv3 alert certificate expired', 45), 'our-cert-expired', /our certificate has expired/],
    ['we do not trust the caller (self-signed)', verification('DEPTH_ZERO_SELF_SIGNED_CERT'), 'client-cert-untrusted', /caller's certificate is not trusted/],
    ['we do not trust the caller (unknown issuer)', verification('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'client-cert-untrusted', /caller's certificate is not trusted/],
    ["the caller's certificate expired", verification('CERT_HAS_EXPIRED'), 'client-cert-expired', /caller's certificate has expired/],
  ])('%s', (_name, err, code, plain) => {
    const r = explainIncomingTlsFailure(err);
    expect(r.code).toBe(code);
    expect(r.plain).toMatch(plain);
  });
});

describe('a failed handshake on our TLS listener names the caller', () => {
  it('even when the caller hung up first (its TLS socket no longer knows the address)', async () => {
    const pki = await makeTestPki();
    const net = DicomNet.startup();
    try {
      const failures: { remoteAddress: string; remotePort: number; code: string }[] = [];
      net.on('tlsHandshakeFailed', (f) => failures.push(f));
      const { port } = await net.listen({ host: '127.0.0.1', port: 0, tls: { cert: pki.server.certPem, key: pki.server.keyPem } });
      let localPort = 0;
      await new Promise<void>((resolve) => {
        const s = connect({ host: '127.0.0.1', port }, () => {
          localPort = s.localPort ?? 0;
          s.write(Buffer.from([0x16, 3, 1, 0, 50, 1, 0, 0, 46, 3, 3])); // the start of a ClientHello
          setTimeout(() => s.destroy(), 50);
        });
        s.on('error', () => undefined);
        s.on('close', () => resolve());
      });
      await expect.poll(() => failures.length).toBe(1);
      expect(failures[0]).toMatchObject({ code: 'closed', remoteAddress: expect.stringMatching(/127\.0\.0\.1$/), remotePort: localPort });
    } finally {
      await net.close(0);
    }
  });
});

describe('callers that connect to the TLS port and stall, more of them than the limit', () => {
  it('the oldest handshake is dropped and named; a real TLS caller is still served', async () => {
    // Before: each held its socket until the handshake timeout (30 s), without a limit.
    const pki = await makeTestPki();
    const net = DicomNet.startup();
    const sockets: { closed: boolean; port: number; destroy(): void }[] = [];
    try {
      const failures: { remotePort: number; code: string; plain: string }[] = [];
      net.on('tlsHandshakeFailed', (f) => failures.push(f));
      const { port } = await net.listen({ host: '127.0.0.1', port: 0, tls: { cert: pki.server.certPem, key: pki.server.keyPem } });
      const open = async () => {
        const s = connect({ host: '127.0.0.1', port });
        const entry = { closed: false, port: 0, destroy: () => s.destroy() };
        s.on('error', () => undefined);
        s.on('close', () => { entry.closed = true; });
        await new Promise((r) => s.once('connect', r));
        entry.port = s.localPort ?? 0;
        sockets.push(entry);
      };
      // A burst of one more than the limit: none has waited a second, none is dropped.
      for (let i = 0; i < MAX_TLS_HANDSHAKES + 1; i++) await open();
      await new Promise((r) => setTimeout(r, 1100));
      expect(sockets.filter((e) => e.closed)).toHaveLength(0);
      await open();
      await expect.poll(() => sockets[0]!.closed, { timeout: 5000 }).toBe(true);
      expect(sockets.slice(1).filter((e) => e.closed)).toHaveLength(0);
      expect(failures.find((f) => f.remotePort === sockets[0]!.port)).toMatchObject({ code: 'too-many-handshakes', plain: expect.stringMatching(/^Closed during its TLS handshake: 128 TLS handshakes were under way \(the limit\) and this one had waited longest/) });
      const t = await connectTransport({ host: '127.0.0.1', port, tls: { ca: [pki.ca.certPem], checkHostName: false }, timeoutMs: 5000 });
      expect(t.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
      t.socket.destroy();
      await expect.poll(() => sockets[1]!.closed, { timeout: 5000 }).toBe(true);
    } finally {
      for (const e of sockets) e.destroy();
      await net.close(0);
    }
  });
});

describe('our own certificate and key, unusable: the tls step fails before any connection is made', () => {
  it.each([
    ['an encrypted key', 'key-encrypted', /private key is encrypted/],
    ['a key that is not the certificate\'s', 'key-mismatch', /do not belong together/],
    ['a key file given as the certificate', 'bad-local-credentials', /could not be read .*must hold a PEM certificate/],
  ])('%s', async (name, code, plain) => {
    const pki = await makeTestPki();
    const tls = name === 'an encrypted key'
      ? { cert: pki.client.certPem, key: createPrivateKey(pki.client.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }) }
      : name.startsWith('a key that')
        ? { cert: pki.client.certPem, key: pki.server.keyPem }
        : { cert: pki.client.keyPem, key: pki.client.keyPem };
    // Before, the refused key threw inside the tls step: its 60 s timer kept the process alive,
    // the TCP connection stayed open, and the peer logged a caller that closed its handshake.
    let connections = 0;
    const server = createServer((s) => { connections++; s.destroy(); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const err = await connectTransport({ host: '127.0.0.1', port, tls: { ...tls, ca: [pki.ca.certPem] }, timeoutMs: 60_000 }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(TransportError);
      expect(err).toMatchObject({ step: 'tls', code });
      expect((err as TransportError).plain).toMatch(plain);
      expect(connections).toBe(0);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('our TLS listener with an unusable key', () => {
  it('does not start, and says what is wrong with the key instead of OpenSSL\'s words alone', async () => {
    const pki = await makeTestPki();
    const net = DicomNet.startup();
    try {
      await expect(net.listen({ host: '127.0.0.1', port: 0, tls: { cert: pki.server.certPem, key: pki.client.keyPem } }))
        .rejects.toThrow(/^The TLS listener cannot start: Our TLS certificate and private key do not belong together/);
    } finally {
      await net.close(0);
    }
  });
});
