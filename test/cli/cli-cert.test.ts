// `dicomnet cert ...` as scripts use it: exit codes, the inspect fields (fingerprint as openssl
// prints it), PKCS#12 with and without the right passphrase, the CSR round trip through a CA, trust.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../helpers/certs';
import { cliBuilt, runCli } from './run-cli';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'dicomnet-clicert-'));
const data = join(work, 'data');
let pki: TestPki;
const openssl = async (args: string[]) => (await run('openssl', args, { cwd: work, timeout: 30_000 })).stdout;

beforeAll(async () => {
  pki = await makeTestPki();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.runIf(cliBuilt())('dicomnet cert', () => {
  it('inspect FILE: subject, issuer, names, validity, key, and the SHA-256 fingerprint as openssl prints it', async () => {
    const r = await runCli(['cert', 'inspect', pki.server.certFile, '--data', data]);
    expect(r.code, r.stderr).toBe(0);
    const fp = (await openssl(['x509', '-in', pki.server.certFile, '-noout', '-fingerprint', '-sha256'])).trim().split('=')[1];
    expect(r.stdout).toContain(`SHA-256:     ${fp}`);
    expect(r.stdout).toMatch(/subject: +CN=localhost/);
    expect(r.stdout).toMatch(/issuer: +CN=DICOMNET Test CA/);
    expect(r.stdout).toMatch(/names: +DNS:localhost, IP:127\.0\.0\.1/);
    expect(r.stdout).toMatch(/key: +RSA \(2048 bits\)/);
    expect(r.stdout).toMatch(/chain: NOT TRUSTED: .*not among the trusted certificates/);
    const j = JSON.parse((await runCli(['cert', 'inspect', pki.expiredServer.certFile, '--json', '--data', data])).stdout);
    expect(j.certificates[0]).toMatchObject({ expiry: 'expired', validTo: '2021-01-01T00:00:00.000Z', fingerprint256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) });
  });

  it('inspect reads PKCS#12 with the passphrase; exit 1 with the reason for a wrong one or a file without a certificate', async () => {
    await openssl(['pkcs12', '-export', '-in', pki.client.certFile, '-inkey', pki.client.keyFile, '-passout', 'pass:secret', '-out', 'id.p12']);
    const ok = await runCli(['cert', 'inspect', join(work, 'id.p12'), '--passphrase', 'secret', '--data', data]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('(with its private key)');
    expect(ok.stdout).not.toMatch(/PRIVATE KEY/);
    const wrong = await runCli(['cert', 'inspect', join(work, 'id.p12'), '--passphrase', 'nope', '--data', data]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/passphrase for id\.p12 is wrong/);
    writeFileSync(join(work, 'readme.txt'), 'not a certificate');
    const none = await runCli(['cert', 'inspect', join(work, 'readme.txt'), '--data', data]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/holds no certificate/);
    expect((await runCli(['cert', 'inspect'])).code).toBe(2);
    expect((await runCli(['cert', 'frobnicate'])).code).toBe(2);
  });

  it('create: a self-signed identity in the data folder, key owner-only; export prints the certificate only', async () => {
    const r = await runCli(['cert', 'create', '--data', data, '--cn', 'ws7', '--dns', 'ws7.example', '--ip', '127.0.0.1', '--key-type', 'rsa-2048', '--days', '10']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/subject: +CN=ws7/);
    expect(r.stdout).toMatch(/key: +RSA \(2048 bits\)/);
    expect(statSync(join(data, 'pki', 'identity.key')).mode & 0o777).toBe(0o600);
    const e = await runCli(['cert', 'export', '--data', data]);
    expect(e.stdout).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(e.stdout).not.toMatch(/PRIVATE/);
    writeFileSync(join(work, 'exported.pem'), e.stdout);
    expect(await openssl(['verify', '-CAfile', 'exported.pem', 'exported.pem'])).toContain('OK');
    expect((await runCli(['cert', 'create', '--data', data, '--ip', '999.1.1.1'])).code).toBe(2);
  });

  it('csr, signed by a CA, then import of the answer alone; trust, list and untrust', async () => {
    const d2 = join(work, 'data2');
    const csr = await runCli(['cert', 'csr', '--data', d2, '--cn', 'ws8', '--ip', '127.0.0.1', '--out', join(work, 'ws8.csr')]);
    expect(csr.code, csr.stderr).toBe(0);
    await openssl(['x509', '-req', '-in', 'ws8.csr', '-CA', pki.ca.certFile, '-CAkey', pki.ca.keyFile, '-CAcreateserial', '-days', '5', '-copy_extensions', 'copy', '-out', 'ws8.pem']);
    const trust = await runCli(['cert', 'trust', pki.ca.certFile, '--label', 'Site CA', '--data', d2]);
    expect(trust.code, trust.stderr).toBe(0);
    expect(trust.stdout).toMatch(/trusted: Site CA \(CN=DICOMNET Test CA\) SHA-256 ([0-9A-F]{2}:){31}/);
    const imp = await runCli(['cert', 'import', join(work, 'ws8.pem'), '--data', d2]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stdout).toMatch(/chain: trusted \(CN=ws8, OU=DICOMNET <- CN=DICOMNET Test CA\)/);
    const list = JSON.parse((await runCli(['cert', 'list', '--json', '--data', d2])).stdout);
    expect(list.identity.certificate.issuer).toBe('CN=DICOMNET Test CA');
    expect(list.pendingCsr).toBeUndefined();
    expect(list.trusted).toHaveLength(1);
    const fp = list.trusted[0].fingerprint256 as string;
    expect((await runCli(['cert', 'untrust', fp.replace(/:/g, '').toLowerCase(), '--data', d2])).code).toBe(0);
    expect((await runCli(['cert', 'untrust', fp, '--data', d2])).code).toBe(1);
    expect(readFileSync(join(d2, 'pki', 'identity.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
  });
});
