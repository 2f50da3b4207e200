// Ctrl-C during `dicomnet store` and `dicomnet echo --repeat`: the first SIGINT stops the work the
// DICOM way (a send aborts its association, an echo loop releases it) and the command still prints
// what it did, exit 1; before, the process ended on the spot and the peer saw a connection closed
// without a release or an abort. The peer is an in-process SCP whose C-STORE answers take 150 ms
// (a slow PACS), so that the signal always lands in the middle of the send.

import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandField } from '../../src-main/dicomnet/dimse/command-fields';
import { echoHandlers } from '../../src-main/dicomnet/services/echo';
import { DicomScp, type ScpAssociationEvent } from '../../src-main/dicomnet/services/scp';
import { StorageService, storageContexts } from '../../src-main/dicomnet/services/storage/store-scp';
import { TransferSyntax } from '../../src-main/dicomnet/part10/transfer-syntax';
import { SopClass } from '../../src-main/dicomnet/uids';
import { makeInstance } from '../helpers/dicom-files';
import { CLI, cliBuilt } from './run-cli';

const work = mkdtempSync(join(tmpdir(), 'dicomnet-cli-int-'));
const events: ScpAssociationEvent[] = [];
let scp: DicomScp;
let port: number;

beforeAll(async () => {
  const storage = new StorageService({});
  const handlers = new Map(echoHandlers);
  handlers.set(CommandField.CStoreRq, async (m, a) => {
    await new Promise((r) => setTimeout(r, 150));
    return storage.handler(m, a);
  });
  scp = new DicomScp({ aeTitle: 'SLOW', listeners: [{ host: '127.0.0.1', port: 0 }], supportedContexts: new Map([...storageContexts(), [SopClass.Verification, [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian]]]), handlers, dataSinks: storage.sinks });
  scp.on('association', (e) => events.push(e));
  port = (await scp.start())[0]!.port;
});

afterAll(async () => {
  await scp.stop(0);
  rmSync(work, { recursive: true, force: true });
});

/** Runs `dicomnet ARGS`, sends SIGINT once `ready(stdout, stderr)` holds (bounded), and waits for its end. */
function interrupted(args: string[], ready: (out: string, err: string) => boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const check = () => {
      if (!sent && ready(stdout, stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', (c) => { stdout += c; check(); });
    child.stderr.on('data', (c) => { stderr += c; check(); });
    const poll = setInterval(check, 20);
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(killer);
      done({ code, stdout, stderr });
    });
  });
}

/** Waits (bounded) until the SCP has reported `kind` for some association after the first `from` events. */
async function reported(kind: ScpAssociationEvent['kind'], from: number): Promise<ScpAssociationEvent | undefined> {
  for (let i = 0; i < 100; i++) {
    const e = events.slice(from).find((x) => x.kind === kind);
    if (e) return e;
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

/**
 * A peer that takes the TCP connection and never answers (a device hung, or a firewall that lets
 * the SYN through), keeping what it receives. Before, Ctrl-C was heard only when --timeout ran out.
 */
async function silentPeer(): Promise<{ server: Server; port: number; received: () => Buffer }> {
  const chunks: Buffer[] = [];
  const server = createServer((s) => {
    s.on('data', (c) => chunks.push(c));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port, received: () => Buffer.concat(chunks) };
}

/** The PDU types in `bytes`, read as a PDU stream (type, reserved, 32-bit length). */
function pduTypes(bytes: Buffer): number[] {
  const types: number[] = [];
  for (let at = 0; at + 6 <= bytes.length && types.length < 10; at += 6 + bytes.readUInt32BE(at + 2)) types.push(bytes[at]!);
  return types;
}

describe.runIf(cliBuilt())('Ctrl-C while the peer is silent: heard at once, not after --timeout', () => {
  it('echo --repeat, waiting for the A-ASSOCIATE-AC: the request is aborted (A-ABORT), exit 1', async () => {
    const peer = await silentPeer();
    try {
      const r = await interrupted(['echo', '127.0.0.1', String(peer.port), '--repeat', '5', '--timeout', '60'], () => peer.received().length > 0);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/FAIL +associate .*Cancelled while waiting for the peer to accept the association; it was aborted \(A-ABORT\)/);
      for (let i = 0; i < 50 && pduTypes(peer.received()).length < 2; i++) await new Promise((res) => setTimeout(res, 20));
      expect(pduTypes(peer.received())).toEqual([0x01, 0x07]);
    } finally {
      peer.server.close();
    }
  });

  it('store, waiting for the A-ASSOCIATE-AC: every file cancelled, the summary printed, exit 1', async () => {
    const peer = await silentPeer();
    const src = join(work, 'silent');
    mkdirSync(src, { recursive: true });
    for (let i = 0; i < 3; i++) makeInstance(join(src, `s${i}.dcm`), { pixelBytes: 100, seed: i });
    try {
      const r = await interrupted(['store', '127.0.0.1', String(peer.port), src, '--timeout', '60'], () => peer.received().length > 0);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/: 0 stored, 3 failed, 0 skipped/);
      expect(r.stderr).toMatch(/FAILED .*s0\.dcm: cancelled/);
    } finally {
      peer.server.close();
    }
  });

  it('a single echo, waiting for the A-ASSOCIATE-AC: cancelled in that step with the reason, exit 1', async () => {
    // Before, a single echo kept Node's own Ctrl-C: the process ended without a word (exit 130).
    const peer = await silentPeer();
    try {
      const r = await interrupted(['echo', '127.0.0.1', String(peer.port), '--timeout', '60'], () => peer.received().length > 0);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^dicomnet: SIGINT: stopping the echo; press Ctrl-C again to quit at once\./m);
      expect(r.stderr).toMatch(/FAIL +associate .*Cancelled while waiting for the peer to accept the association/);
    } finally {
      peer.server.close();
    }
  });

  it('echo --tls --repeat, in the TLS handshake: cancelled in that step, exit 1', async () => {
    const peer = await silentPeer();
    try {
      const r = await interrupted(['echo', '127.0.0.1', String(peer.port), '--tls', '--repeat', '5', '--timeout', '60'], () => peer.received().length > 0);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/FAIL +tls .*Cancelled during the TLS handshake with 127\.0\.0\.1:\d+; no association was requested/);
      expect(peer.received()[0]).toBe(0x16);
    } finally {
      peer.server.close();
    }
  });
});

describe.runIf(cliBuilt())('Ctrl-C during echo and store', () => {
  it('store: the association is aborted, the files not sent are reported, the summary printed, exit 1', async () => {
    const src = join(work, 'src');
    mkdirSync(src, { recursive: true });
    for (let i = 0; i < 40; i++) makeInstance(join(src, `i${String(i).padStart(2, '0')}.dcm`), { pixelBytes: 1000, seed: i });
    const from = events.length;
    const r = await interrupted(['store', '127.0.0.1', String(port), src, '--aec', 'SLOW'], (out) => /^stored /m.test(out));
    expect(r.stderr).toMatch(/^dicomnet: SIGINT: stopping the send/m);
    expect(r.stderr).not.toMatch(/at .*\.cjs|Error:/);
    expect(r.code, r.stderr).toBe(1);
    const summary = /C-STORE -> SLOW@127\.0\.0\.1:\d+: (\d+) stored, (\d+) failed, 0 skipped/.exec(r.stdout + r.stderr);
    expect(summary, r.stdout + r.stderr).not.toBeNull();
    const [stored, failed] = [Number(summary![1]), Number(summary![2])];
    expect(stored).toBeGreaterThanOrEqual(1);
    expect(failed).toBeGreaterThanOrEqual(1);
    expect(stored + failed).toBe(40);
    expect(r.stderr).toMatch(/FAILED .*: cancelled/);
    expect(await reported('aborted', from)).toBeDefined();
  });

  it('echo --repeat: stops after the C-ECHO under way and releases the association, exit 1', async () => {
    const from = events.length;
    const r = await interrupted(['echo', '127.0.0.1', String(port), '--aec', 'SLOW', '--repeat', '1000000'], () => events.slice(from).some((e) => e.kind === 'accepted'));
    expect(r.stderr).toMatch(/^dicomnet: SIGINT: stopping after the C-ECHO under way/m);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/Interrupted after \d+ of 1000000 C-ECHOs, all answered with Success; the association is then released/);
    expect(r.stderr).toMatch(/ok {3}release/);
    expect(await reported('released', from)).toBeDefined();
    expect(events.slice(from).some((e) => e.kind === 'aborted')).toBe(false);
  });
});
