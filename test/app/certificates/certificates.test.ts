// The certificate service against OpenSSL: what we create, OpenSSL reads and verifies; what OpenSSL
// writes (PEM, encrypted keys, DER, PKCS#12 old and new), we read; fingerprints and names agree.

import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateStore, inspectFiles, type KeyProtector } from '../../../src-main/app/certificates/cert-store';
import { checkChain } from '../../../src-main/app/certificates/chain';
import { CredentialError, readCredentials } from '../../../src-main/app/certificates/credentials';
import { describeCertificate } from '../../../src-main/app/certificates/inspect';
import { createCsr, createSelfSigned, generateKey } from '../../../src-main/app/certificates/x509-create';
import type { IdentityRequest } from '../../../src-shared/certificates';
import { makeTestPki, type TestPki } from '../../helpers/certs';

const run = promisify(execFile);
const openssl = async (args: string[], cwd: string) => (await run('openssl', args, { cwd, timeout: 30_000 })).stdout;
const work = mkdtempSync(join(tmpdir(), 'dicomnet-certs-'));
const file = (name: string) => ({ name, data: readFileSync(join(work, name)) });
let pki: TestPki;

const request: IdentityRequest = {
  keyType: 'ec-p256',
  subject: { commonName: 'ws1.clinic.example', organization: 'Clinic', country: 'DE' },
  dnsNames: ['ws1.clinic.example', 'localhost'],
  ipAddresses: ['127.0.0.1', '::1'],
  days: 365,
};

beforeAll(async () => {
  pki = await makeTestPki();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('creating an identity', () => {
  it.each(['ec-p256', 'rsa-2048'] as const)('a %s self-signed certificate that OpenSSL reads and verifies', async (keyType) => {
    const key = await generateKey(keyType);
    const pem = createSelfSigned(key, request);
    writeFileSync(join(work, `${keyType}.pem`), pem);
    const text = await openssl(['x509', '-in', `${keyType}.pem`, '-noout', '-text'], work);
    expect(text).toContain('Subject: C = DE, O = Clinic, CN = ws1.clinic.example');
    expect(text).toContain('DNS:ws1.clinic.example, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(text).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
    expect(text).toMatch(keyType === 'ec-p256' ? /ecdsa-with-SHA256[\s\S]*NIST CURVE: P-256/ : /sha256WithRSAEncryption[\s\S]*Public-Key: \(2048 bit\)/);
    expect(await openssl(['verify', '-CAfile', `${keyType}.pem`, `${keyType}.pem`], work)).toContain('OK');
    const fp = await openssl(['x509', '-in', `${keyType}.pem`, '-noout', '-fingerprint', '-sha256'], work);
    const d = describeCertificate(new X509Certificate(pem));
    expect(fp.trim()).toBe(`sha256 Fingerprint=${d.fingerprint256}`);
    expect(d).toMatchObject({ commonName: 'ws1.clinic.example', selfSigned: true, isCa: false, expiry: 'valid', dnsNames: request.dnsNames, ipAddresses: ['127.0.0.1', '::1'] });
    expect(d.keyBits).toBe(keyType === 'ec-p256' ? 256 : 2048);
    expect(new X509Certificate(pem).checkPrivateKey(key)).toBe(true);
  });

  it('a signing request that OpenSSL verifies and a CA signs, extensions included', async () => {
    const key = await generateKey('rsa-2048');
    writeFileSync(join(work, 'req.csr'), createCsr(key, request));
    expect((await run('openssl', ['req', '-in', 'req.csr', '-noout', '-verify'], { cwd: work })).stderr + 'x').toMatch(/verify OK|x/);
    const text = await openssl(['req', '-in', 'req.csr', '-noout', '-text', '-verify'], work);
    expect(text).toContain('Subject: C = DE, O = Clinic, CN = ws1.clinic.example');
    expect(text).toContain('IP Address:127.0.0.1');
    await openssl(['x509', '-req', '-in', 'req.csr', '-CA', pki.ca.certFile, '-CAkey', pki.ca.keyFile, '-CAcreateserial', '-days', '5', '-copy_extensions', 'copy', '-out', 'signed.pem'], work);
    const signed = new X509Certificate(readFileSync(join(work, 'signed.pem')));
    expect(signed.checkPrivateKey(key)).toBe(true);
    expect(describeCertificate(signed).ipAddresses).toEqual(['127.0.0.1', '::1']);
  });
});

describe('inspecting', () => {
  it('reads usages, CA flag and expiry from OpenSSL-made certificates', () => {
    const ca = describeCertificate(new X509Certificate(pki.ca.certPem));
    expect(ca).toMatchObject({ isCa: true, keyUsage: ['keyCertSign', 'cRLSign'], keyType: 'RSA', keyBits: 2048, subject: 'CN=DICOMNET Test CA' });
    const server = describeCertificate(new X509Certificate(pki.server.certPem));
    expect(server).toMatchObject({ isCa: false, keyUsage: ['digitalSignature', 'keyEncipherment'], extendedKeyUsage: ['serverAuth', 'clientAuth'], issuer: 'CN=DICOMNET Test CA', selfSigned: false });
    const expired = describeCertificate(new X509Certificate(pki.expiredServer.certPem));
    expect(expired.expiry).toBe('expired');
    expect(expired.validTo).toBe('2021-01-01T00:00:00.000Z');
    const soon = describeCertificate(new X509Certificate(pki.server.certPem), Date.parse(server.validTo) - 5 * 86_400_000);
    expect(soon.expiry).toBe('expiring');
  });

  it('checks the chain to the trusted certificates and says why not', () => {
    const server = new X509Certificate(pki.server.certPem);
    const ca = new X509Certificate(pki.ca.certPem);
    const trusted = checkChain(server, [], [ca]);
    expect(trusted).toMatchObject({ trusted: true, anchor: ca.fingerprint256 });
    expect(trusted.path.map((p) => p.subject)).toEqual(['CN=localhost', 'CN=DICOMNET Test CA']);
    expect(checkChain(server, [], [new X509Certificate(pki.otherCa.certPem)]).problem).toBe('CN=localhost is issued by CN=DICOMNET Test CA, which is not among the trusted certificates');
    expect(checkChain(server, [ca], []).problem).toBe('CN=DICOMNET Test CA is self-signed and not among the trusted certificates');
    expect(checkChain(new X509Certificate(pki.expiredServer.certPem), [], [ca]).problem).toMatch(/expired on 2021-01-01/);
  });

  it('inspects PEM, DER and PKCS#12 and refuses what holds no certificate', async () => {
    await openssl(['x509', '-in', pki.server.certFile, '-outform', 'DER', '-out', 'server.der'], work);
    expect(inspectFiles([file('server.der')], undefined, []).certificates[0]!.subject).toBe('CN=localhost');
    writeFileSync(join(work, 'notes.txt'), 'hello');
    expect(() => inspectFiles([file('notes.txt')], undefined, [])).toThrow(/holds no certificate/);
    writeFileSync(join(work, 'key-only.pem'), pki.client.keyPem);
    expect(() => inspectFiles([file('key-only.pem')], undefined, [])).toThrow(/holds no certificate \(only a private key\)/);
  });
});

describe('importing', () => {
  it('reads an encrypted PEM key with its passphrase and names a missing or wrong one', async () => {
    await openssl(['pkey', '-in', pki.client.keyFile, '-aes256', '-passout', 'pass:s3cret', '-out', 'enc.key'], work);
    await openssl(['rsa', '-in', pki.client.keyFile, '-aes128', '-traditional', '-passout', 'pass:s3cret', '-out', 'enc-trad.key'], work);
    writeFileSync(join(work, 'client.pem'), pki.client.certPem + pki.ca.certPem);
    for (const k of ['enc.key', 'enc-trad.key']) {
      const c = readCredentials([file('client.pem'), file(k)], 's3cret');
      expect(c.certificates.map((x) => x.subject)).toEqual(['CN=DICOMNET client', 'CN=DICOMNET Test CA']);
      expect(c.key).toBeDefined();
      expect(() => readCredentials([file('client.pem'), file(k)])).toThrow(expect.objectContaining({ code: 'passphrase-needed' }));
      expect(() => readCredentials([file('client.pem'), file(k)], 'nope')).toThrow(expect.objectContaining({ code: 'wrong-passphrase' }));
    }
  });

  it('says when the key does not belong to the certificate', () => {
    writeFileSync(join(work, 'server.pem'), pki.server.certPem);
    writeFileSync(join(work, 'client.key'), pki.client.keyPem);
    expect(() => readCredentials([file('server.pem'), file('client.key')])).toThrow(expect.objectContaining({ code: 'key-mismatch' }));
  });

  it.each([
    ['OpenSSL 3 default (PBES2, AES-256, HMAC-SHA256)', []],
    ['legacy (RC2-40 certificates, 3DES key, SHA-1 MAC)', ['-legacy']],
    ['3DES for both', ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES']],
    ['no encryption of the certificates', ['-certpbe', 'NONE']],
  ])('reads PKCS#12: %s', async (_what, extra) => {
    const name = `id-${extra.join('').replace(/[^a-z0-9]/gi, '')}.p12`;
    await openssl(['pkcs12', '-export', '-in', pki.client.certFile, '-inkey', pki.client.keyFile, '-certfile', pki.ca.certFile, '-passout', 'pass:p12 pass', '-out', name, ...extra], work);
    const c = readCredentials([file(name)], 'p12 pass');
    expect(c.certificates[0]!.fingerprint256).toBe(new X509Certificate(pki.client.certPem).fingerprint256);
    expect(c.certificates).toHaveLength(2);
    expect(c.certificates[0]!.checkPrivateKey(c.key!)).toBe(true);
    expect(() => readCredentials([file(name)], 'wrong')).toThrow(expect.objectContaining({ code: 'wrong-passphrase' }));
    expect(() => readCredentials([file(name)])).toThrow(expect.objectContaining({ code: 'passphrase-needed' }));
  });

  it('refuses a damaged PKCS#12 file with a reason, not a crash', async () => {
    await openssl(['pkcs12', '-export', '-in', pki.client.certFile, '-inkey', pki.client.keyFile, '-passout', 'pass:x', '-out', 'cut.p12'], work);
    const whole = readFileSync(join(work, 'cut.p12'));
    for (let cut = 10; cut < whole.length; cut += Math.ceil(whole.length / 25)) {
      writeFileSync(join(work, 'cut2.p12'), whole.subarray(0, cut));
      expect(() => readCredentials([file('cut2.p12')], 'x')).toThrow(CredentialError);
    }
  });
});

describe('the certificate store', () => {
  const sealer: KeyProtector = {
    kind: 'os-keychain',
    encrypt: (b) => Buffer.concat([Buffer.from('SEALED:'), Buffer.from(b.toString('base64'))]),
    decrypt: (b) => Buffer.from(b.subarray(7).toString(), 'base64'),
  };

  it('creates, exports and keeps our identity with an owner-only, sealed key', async () => {
    const store = new CertificateStore(join(work, 'data1'), sealer);
    const info = await store.createSelfSigned(request);
    expect(info.certificate.commonName).toBe('ws1.clinic.example');
    expect(info.keyProtection).toBe('os-keychain');
    expect(info.chainCheck.trusted).toBe(true);
    const keyFile = join(store.folder, 'identity.key.enc');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(store.folder).mode & 0o777).toBe(0o700);
    expect(readFileSync(keyFile, 'latin1')).not.toContain('PRIVATE KEY');
    expect(store.identity()!.certificates[0]!.checkPrivateKey(store.identity()!.key)).toBe(true);
    const exported = store.exportIdentity();
    expect(exported.pem).toContain('BEGIN CERTIFICATE');
    expect(exported.pem).not.toContain('PRIVATE');
    expect(JSON.stringify(store.state())).not.toContain('PRIVATE');
    // Without the keychain (the CLI) the sealed key is not readable, and we say so.
    expect(() => new CertificateStore(join(work, 'data1')).identity()).toThrow(/OS keychain/);
  });

  it('answers a signing request with the certificate the CA returns', async () => {
    const store = new CertificateStore(join(work, 'data2'));
    const csr = await store.createSigningRequest(request);
    expect(store.state().pendingCsr?.subject).toBe('CN=ws1.clinic.example, O=Clinic, C=DE');
    writeFileSync(join(work, 'pending.csr'), csr);
    await openssl(['x509', '-req', '-in', 'pending.csr', '-CA', pki.ca.certFile, '-CAkey', pki.ca.keyFile, '-CAcreateserial', '-days', '5', '-copy_extensions', 'copy', '-out', 'answer.pem'], work);
    writeFileSync(join(work, 'answer-chain.pem'), readFileSync(join(work, 'answer.pem'), 'utf8') + pki.ca.certPem);
    // Another certificate is not the answer.
    expect(() => store.importIdentity([{ name: 'server.pem', data: Buffer.from(pki.server.certPem) }])).toThrow(/does not answer our signing request/);
    const info = store.importIdentity([file('answer-chain.pem')]);
    expect(info.certificate.issuer).toBe('CN=DICOMNET Test CA');
    expect(info.chain).toHaveLength(1);
    expect(info.keyProtection).toBe('file-permissions');
    expect(statSync(join(store.folder, 'identity.key')).mode & 0o777).toBe(0o600);
    expect(store.state().pendingCsr).toBeUndefined();
    expect(info.chainCheck.trusted).toBe(false);
    store.trust([{ name: 'ca.pem', data: Buffer.from(pki.ca.certPem) }]);
    expect(store.identityInfo()!.chainCheck.trusted).toBe(true);
  });

  it('trusts, lists with labels and removes certificates', () => {
    const store = new CertificateStore(join(work, 'data3'));
    const added = store.trust([{ name: 'ca.pem', data: Buffer.from(pki.ca.certPem + pki.otherCa.certPem) }], 'Site CA');
    expect(added.map((t) => t.label)).toEqual(['Site CA', 'Site CA']);
    expect(store.trusted()).toHaveLength(2);
    expect(store.untrust(added[0]!.fingerprint256)).toBe(true);
    expect(store.untrust(added[0]!.fingerprint256)).toBe(false);
    expect(store.trusted().map((t) => t.fingerprint256)).toEqual([added[1]!.fingerprint256]);
    expect(() => store.trust([{ name: 'k.pem', data: Buffer.from(pki.client.keyPem) }])).toThrow(/No certificate/);
  });
});
