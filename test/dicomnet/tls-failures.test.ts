// How a caller's failed TLS handshake on our listener is explained: a TLS alert the caller sent is
// its complaint about us; a verification code is our complaint about its certificate. The errors
// are the ones node:tls gives (codes and OpenSSL messages as Node 22 words them).

import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DicomNet } from '../../src-main/dicomnet/dicom-net';
import { explainIncomingTlsFailure } from '../../src-main/dicomnet/transport/errors';
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
