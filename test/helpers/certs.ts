// A small test PKI made with the openssl CLI, once per test process, in a temp folder: a CA, a
// server certificate for localhost/127.0.0.1, a client certificate, an expired server certificate,
// a self-signed certificate and a second (untrusted) CA. RSA 2048: DCMTK 3.6.7's BCP 195 profile
// offers ECDHE-RSA suites only.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestIdentity {
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export interface TestPki {
  readonly dir: string;
  readonly ca: TestIdentity;
  readonly server: TestIdentity;
  readonly client: TestIdentity;
  readonly expiredServer: TestIdentity;
  readonly selfSigned: TestIdentity;
  readonly otherCa: TestIdentity;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd, timeout: 30_000 });
}

function identity(dir: string, name: string): TestIdentity {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  return { certFile, keyFile, certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
}

async function makeCa(dir: string, name: string, cn: string): Promise<void> {
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`,
    '-days', '30', '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
}

async function makeLeaf(dir: string, name: string, cn: string, ca: string, dates?: [string, string]): Promise<void> {
  writeFileSync(join(dir, `${name}.ext`), [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth,clientAuth',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ].join('\n'));
  await openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], dir);
  if (!dates) {
    await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial',
      '-days', '30', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`], dir);
    return;
  }
  // OpenSSL 3.0's x509 cannot set a start date in the past; `openssl ca` can.
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(join(dir, 'ca.cnf'), [
    '[ ca ]', 'default_ca = test', '[ test ]', `dir = ${dir}`, 'database = $dir/index.txt', 'new_certs_dir = $dir',
    'serial = $dir/serial', 'default_md = sha256', 'policy = any', 'unique_subject = no', '[ any ]', 'commonName = supplied',
  ].join('\n'));
  await openssl(['ca', '-batch', '-config', 'ca.cnf', '-cert', `${ca}.pem`, '-keyfile', `${ca}.key`, '-in', `${name}.csr`,
    '-out', `${name}.pem`, '-notext', '-startdate', dates[0], '-enddate', dates[1], '-extfile', `${name}.ext`], dir);
}

let pki: Promise<TestPki> | undefined;
let made: string | undefined;

/** Removes this test file's PKI folder (test/setup.ts calls it after each file). */
export function removeTestPki(): void {
  if (made) rmSync(made, { recursive: true, force: true });
  made = undefined;
  pki = undefined;
}

export function makeTestPki(): Promise<TestPki> {
  pki ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dicomnet-pki-'));
    made = dir;
    await makeCa(dir, 'ca', 'DICOMNET Test CA');
    await makeCa(dir, 'other-ca', 'Some Other CA');
    await makeLeaf(dir, 'server', 'localhost', 'ca');
    await makeLeaf(dir, 'client', 'DICOMNET client', 'ca');
    await makeLeaf(dir, 'expired', 'localhost', 'ca', ['20200101000000Z', '20210101000000Z']);
    await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'self.key', '-out', 'self.pem', '-days', '30',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], dir);
    return {
      dir,
      ca: identity(dir, 'ca'),
      otherCa: identity(dir, 'other-ca'),
      server: identity(dir, 'server'),
      client: identity(dir, 'client'),
      expiredServer: identity(dir, 'expired'),
      selfSigned: identity(dir, 'self'),
    };
  })();
  return pki;
}
