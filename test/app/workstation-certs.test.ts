// The certificate channels of the IPC contract, as the GUI calls them: payloads checked in main,
// no private key in any reply or event, the TLS listener following our identity.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workstation } from '../../src-main/app/workstation';
import type { CertificatesState, IdentityRequest } from '../../src-shared/certificates';
import type { NodeState } from '../../src-shared/models';
import { makeTestPki, type TestPki } from '../helpers/certs';
import { freePort } from '../helpers/ports';

const work = mkdtempSync(join(tmpdir(), 'dicomnet-wscerts-'));
const wire: string[] = [];
let ws: Workstation;
let pki: TestPki;

async function call<T>(channel: string, request?: unknown): Promise<T> {
  const r = await ws.invoke(channel, request);
  wire.push(JSON.stringify(r));
  if (!r.ok) throw new Error(r.error);
  return r.value as T;
}

beforeAll(async () => {
  pki = await makeTestPki();
  ws = new Workstation({ dataFolder: join(work, 'data'), onEvent: (channel, payload) => wire.push(`${channel} ${JSON.stringify(payload)}`) });
});
afterAll(async () => {
  await ws.close();
  rmSync(work, { recursive: true, force: true });
});

describe('certificate channels', () => {
  it('proposes an identity from the local node and this machine, and refuses bad requests by field', async () => {
    const d = await call<IdentityRequest>('certs:defaults');
    expect(d.keyType).toBe('ec-p256');
    expect(d.subject.organizationalUnit).toBe('DICOMNET');
    expect(d.ipAddresses).toContain('127.0.0.1');
    await expect(call('certs:create', { ...d, mode: 'self-signed', ipAddresses: ['10.0.0.999'] })).rejects.toThrow(/ipAddresses\[0\]: '10\.0\.0\.999' is not an IP address/);
    await expect(call('certs:create', { ...d, mode: 'sideways' })).rejects.toThrow(/'mode' must be/);
    await expect(call('certs:create', 'x')).rejects.toThrow(/must be an object/);
    await expect(call('certs:import-identity', { paths: [] })).rejects.toThrow(/'paths' must be a list/);
    await expect(call('certs:import-identity', { paths: [join(work, 'missing.pem')] })).rejects.toThrow(/Cannot read .*missing\.pem \(ENOENT\)/);
    await expect(call('certs:untrust', { fingerprint256: 'zz' })).rejects.toThrow(/SHA-256 fingerprint/);
    await expect(call('certs:export')).rejects.toThrow(/no certificate to export yet/);
  });

  it('the TLS listener waits for an identity, then starts with it; no private key ever crosses the contract', async () => {
    const tlsPort = await freePort();
    await call('node:configure', { ...ws.settings.settings.localNode, port: await freePort(), bindAddress: '127.0.0.1', tlsEnabled: true, tlsPort });
    const before = await call<NodeState>('node:start');
    expect(before.running).toBe(true);
    expect(before.listening.some((l) => l.tls)).toBe(false);
    expect(before.error).toMatch(/TLS listener on port \d+ is not running: .*needs a certificate of our own/);

    const d = await call<IdentityRequest>('certs:defaults');
    const state = await call<CertificatesState>('certs:create', { ...d, mode: 'self-signed', keyType: 'rsa-2048' });
    expect(state.identity?.certificate.keyBits).toBe(2048);
    let node = await call<NodeState>('node:state');
    for (let i = 0; i < 100 && !node.listening.some((l) => l.tls); i++) {
      await new Promise((r) => setTimeout(r, 20));
      node = await call<NodeState>('node:state');
    }
    expect(node.listening.find((l) => l.tls)?.port).toBe(tlsPort);
    expect(node.error).toBeUndefined();

    await call('certs:trust', { pem: pki.ca.certPem, label: 'Site CA' });
    const inspected = await call<{ certificates: { subject: string }[]; chainCheck: { trusted: boolean } }>('certs:inspect', { paths: [pki.server.certFile] });
    expect(inspected.chainCheck.trusted).toBe(true);
    await call('certs:export');
    expect(wire.some((w) => w.startsWith('certs:changed'))).toBe(true);
    expect(wire.join('\n')).not.toMatch(/PRIVATE KEY/);
  });

  it('a signing request is kept pending until the answer is imported', async () => {
    const d = await call<IdentityRequest>('certs:defaults');
    const s = await call<CertificatesState>('certs:create', { ...d, mode: 'csr' });
    expect(s.pendingCsr?.pem).toMatch(/BEGIN CERTIFICATE REQUEST/);
    await expect(call('certs:import-identity', { paths: [pki.server.certFile] })).rejects.toThrow(/does not answer our signing request/);
  });
});
