// The `dicomnet` command as other tools script it: exit codes, output lines, plain-words failures.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_TURBOFAN_INVOCATIONS, TURBOFAN_INVOCATIONS } from '../../src-main/app/optimise-early';
import { cliBuilt, runCli, startCliScp, type RunningScp } from './run-cli';

describe.runIf(cliBuilt())('dicomnet CLI', () => {
  let scp: RunningScp;
  beforeAll(async () => {
    scp = await startCliScp(['--port', '0', '--host', '127.0.0.1', '--aet', 'TESTSCP', '--allow-calling', 'DICOMNET,OTHER']);
  });
  afterAll(async () => {
    await scp?.stop();
  });

  it.each([
    [[]],
    [['frobnicate']],
    [['echo', '127.0.0.1']],
    [['echo', '127.0.0.1', '70000']],
    [['echo', '127.0.0.1', '104', '--aet', 'THIS_TITLE_IS_TOO_LONG']],
    [['echo', '127.0.0.1', '104', '--aec', 'BACK\\SLASH']],
    [['echo', '127.0.0.1', '104', '--repeat', '0']],
    [['echo', '127.0.0.1', '104', '--timeout', 'soon']],
    [['echo', '127.0.0.1', '104', '--no-such-option']],
    [['echo', '127.0.0.1', '104', '--ca', 'x.pem']],
    [['echo', '', '104']],
    [['echo', 'pacs example', '104']],
    [['store', ' ', '104', 'a.dcm']],
    [['scp', '--port', '-1']],
    [['scp', '--tls-port', '2762']],
  ])('bad arguments %j exit 2 with a message', async (args) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.length + r.stdout.length).toBeGreaterThan(20);
  });

  it('--help exits 0 and shows both commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/dicomnet echo HOST PORT/);
    expect(r.stdout).toMatch(/dicomnet scp/);
  });

  it('echo against our scp: exit 0 with the round-trip time; the scp logs the association', async () => {
    const r = await runCli(['echo', '127.0.0.1', String(scp.ports.plain), '--aec', 'TESTSCP', '--repeat', '5']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/5 x Success, round trip min [\d.]+ ms/);
    await new Promise((res) => setTimeout(res, 200));
    expect(scp.stderr()).toMatch(/127\.0\.0\.1:\d+ DICOMNET -> TESTSCP accepted: #1 Verification accepted/);
    expect(scp.stderr()).toMatch(/DICOMNET -> TESTSCP released: 5 request\(s\) served/);
  });

  it('a plain echo loads none of the modules it does not need (TLS, crypto, zlib, DNS, perf_hooks, v8, the app code)', async () => {
    // Issue #2: the single `dicomnet echo` process should start fast, so what it loads is checked here
    // (its time is measured by `npm run bench`, never asserted). A preload prints, at exit, the Node
    // built-ins the process loaded and the project files it required.
    const dir = mkdtempSync(join(tmpdir(), 'dicomnet-load-'));
    const probe = join(dir, 'probe.cjs');
    writeFileSync(probe, `process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify({
      builtins: process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)),
      files: Object.keys(require.cache),
    }) + '\\n'));`);
    try {
      const r = await runCli(['echo', '127.0.0.1', String(scp.ports.plain), '--aec', 'TESTSCP'], 15_000, ['--require', probe]);
      expect(r.code, r.stderr).toBe(0);
      const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED '));
      const loaded = JSON.parse(line!.slice(7)) as { builtins: string[]; files: string[] };
      expect(loaded.builtins).toContain('net');
      for (const unneeded of ['tls', 'crypto', 'zlib', 'dns/promises', 'perf_hooks', 'child_process', 'http', 'v8']) {
        expect(loaded.builtins, unneeded).not.toContain(unneeded);
      }
      expect(loaded.files.filter((f) => !f.endsWith('probe.cjs')).map((f) => basename(f)).sort()).toEqual(['dicomnet-echo.cjs', 'dicomnet.cjs']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('echo --repeat asks V8 for its optimising tier sooner, store later; a single echo leaves V8 alone', async () => {
    // optimise-early.ts: the flag's effect is measured by `npm run bench`; here, that it is asked for
    // where it should be. A preload records every V8 flag the process sets and what it loaded.
    const dir = mkdtempSync(join(tmpdir(), 'dicomnet-v8-'));
    const probe = join(dir, 'probe.cjs');
    writeFileSync(probe, `const v8 = require('node:v8'); const set = v8.setFlagsFromString; const flags = [];
v8.setFlagsFromString = (f) => { flags.push(f); return set(f); };
process.on('exit', () => process.stderr.write('V8FLAGS ' + JSON.stringify({ flags }) + '\\n'));`);
    const flagsOf = (r: { stderr: string }) => {
      const line = r.stderr.split('\n').find((l) => l.startsWith('V8FLAGS '));
      return (JSON.parse(line!.slice(8)) as { flags: string[] }).flags;
    };
    const run = async (extra: string[]) => {
      const r = await runCli(['echo', '127.0.0.1', String(scp.ports.plain), '--aec', 'TESTSCP', ...extra], 15_000, ['--require', probe]);
      expect(r.code, r.stderr).toBe(0);
      return flagsOf(r);
    };
    try {
      expect(await run([])).toEqual([]);
      expect(await run(['--repeat', '3'])).toEqual([`--invocation-count-for-turbofan=${TURBOFAN_INVOCATIONS}`]);
      // store asks for it later instead (a send's compiles take CPU from its peer); the folder holds
      // no DICOM file to send.
      const store = await runCli(['store', '127.0.0.1', String(scp.ports.plain), '--aec', 'TESTSCP', dir], 15_000, ['--require', probe]);
      expect(store.stderr).toMatch(/V8FLAGS/);
      expect(flagsOf(store)).toEqual([`--invocation-count-for-turbofan=${STORE_TURBOFAN_INVOCATIONS}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--json prints one object per attempt with each step and its duration', async () => {
    const r = await runCli(['echo', '127.0.0.1', String(scp.ports.plain), '--aec', 'TESTSCP', '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const o = JSON.parse(lines[0]!);
    expect(o.ok).toBe(true);
    expect(o.steps.map((s: { step: string }) => s.step)).toEqual(['resolve', 'connect', 'associate', 'echo', 'release']);
    for (const s of o.steps) expect(typeof s.ms).toBe('number');
  });

  it('wrong called AE: exit 1, the rejection decoded and the fix named', async () => {
    const r = await runCli(['echo', '127.0.0.1', String(scp.ports.plain), '--aec', 'WRONG']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/failed at step 'associate'/);
    expect(r.stderr).toMatch(/called AE title 'WRONG'/);
  });

  it('calling AE not allowed: exit 1 with the fix', async () => {
    const r = await runCli(['echo', '127.0.0.1', String(scp.ports.plain), '--aec', 'TESTSCP', '--aet', 'STRANGER', '--json']);
    expect(r.code).toBe(1);
    const o = JSON.parse(r.stdout);
    expect(o.failure).toMatchObject({ step: 'associate', code: 'rejected' });
    expect(o.failure.plain).toMatch(/calling AE title 'STRANGER'/);
  });

  it("an IPv6 address in brackets, as URLs and our own logs write it ('[::1]'), is taken for HOST and --host", async () => {
    const v6 = await startCliScp(['--port', '0', '--host', '[::1]', '--aet', 'V6SCP']);
    try {
      const r = await runCli(['echo', '[::1]', String(v6.ports.plain), '--aec', 'V6SCP']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^C-ECHO DICOMNET -> V6SCP@::1:\d+: Success/);
      expect(v6.stderr()).toMatch(/\[::1\]:\d+ DICOMNET -> V6SCP accepted/);
    } finally {
      await v6.stop();
    }
  });

  it('closed port: exit 1, the connect step says nothing is listening', async () => {
    const probe = await startCliScp(['--port', '0', '--host', '127.0.0.1']);
    const port = probe.ports.plain;
    expect(await probe.stop()).toBe(0);
    const r = await runCli(['echo', '127.0.0.1', String(port), '--timeout', '3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/failed at step 'connect'/);
    expect(r.stderr).toMatch(/Nothing is listening on 127\.0\.0\.1:/);
  });

  it('unresolvable host name: exit 1 at the resolve step', async () => {
    const r = await runCli(['echo', 'no-such-host.invalid', '104', '--timeout', '3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/failed at step 'resolve'/);
  });

  it('on SIGTERM an open association gets a grace period, is then aborted, and the scp exits 0', async () => {
    const { DicomNet } = await import('../../src-main/dicomnet/dicom-net');
    const { DicomAssociate } = await import('../../src-main/dicomnet/association');
    const s = await startCliScp(['--port', '0', '--host', '127.0.0.1']);
    const net = DicomNet.startup();
    const { association } = await net.connect({ host: '127.0.0.1', port: s.ports.plain, associate: new DicomAssociate({
      callingAeTitle: 'LINGER', calledAeTitle: 'DICOMNET', presentationContexts: [{ abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
    }) });
    const aborted = new Promise<string>((r) => association.on('abort', (i) => r(i.origin)));
    const started = Date.now();
    expect(await s.stop()).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500); // waited for the grace period
    expect(await aborted).toBe('peer');
    await net.close(0);
  });

  it('a port already in use: exit 1 naming the port and the fix', async () => {
    const r = await runCli(['scp', '--port', String(scp.ports.plain), '--host', '127.0.0.1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`Port ${scp.ports.plain} is already in use`));
  });

  it('IPv6 loopback: scp on ::1 and echo to it', async () => {
    const s = await startCliScp(['--port', '0', '--host', '::1']);
    try {
      const r = await runCli(['echo', '::1', String(s.ports.plain), '--aec', 'DICOMNET']);
      expect(r.code, r.stderr).toBe(0);
    } finally {
      await s.stop();
    }
  });

  it('scp stops on SIGTERM with exit 0', async () => {
    const s = await startCliScp(['--port', '0', '--host', '127.0.0.1']);
    expect(await s.stop()).toBe(0);
    expect(s.stderr()).toMatch(/SIGTERM/);
  });
});
