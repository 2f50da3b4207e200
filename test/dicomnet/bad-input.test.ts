// Bad input against our SCP: garbage, truncated PDUs, wrong lengths, a PDU before association, a huge
// length claim. The SCP must answer with the right A-ABORT or close, never crash, and still serve the
// next client. A scripted raw-socket peer sends the bytes.

import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPeer } from '../../src-main/app/verify';
import { DicomAssociate } from '../../src-main/dicomnet/association';
import { echoHandlers } from '../../src-main/dicomnet/services/echo';
import { DicomScp, type ScpAssociationEvent } from '../../src-main/dicomnet/services/scp';
import { decodePdu } from '../../src-main/dicomnet/pdu/decode';
import { encodePdu } from '../../src-main/dicomnet/pdu/encode';
import { encodePDataHeader } from '../../src-main/dicomnet/pdu';
import { encodeCommandSet } from '../../src-main/dicomnet/dimse/command-set';
import type { AAssociateAc } from '../../src-main/dicomnet/pdu/types';
import { VERIFICATION_TRANSFER_SYNTAXES } from '../../src-main/dicomnet/uids';

const VERIFICATION = '1.2.840.10008.1.1';
let scp: DicomScp;
let port: number;
const events: ScpAssociationEvent[] = [];

beforeAll(async () => {
  scp = new DicomScp({
    aeTitle: 'DICOMNET',
    listeners: [{ host: '127.0.0.1', port: 0 }],
    supportedContexts: new Map([[VERIFICATION, VERIFICATION_TRANSFER_SYNTAXES]]),
    handlers: echoHandlers,
    net: { timeouts: { artimMs: 1000 }, maxPduLengthCap: 1024 * 1024 },
  });
  scp.on('association', (e) => events.push(e));
  port = (await scp.start())[0]!.port;
});
afterAll(() => scp.stop(0));

/** Sends `bytes`, collects what comes back until the SCP closes (bounded by `timeoutMs`). */
function exchange(bytes: Buffer[], timeoutMs = 3000): Promise<{ received: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket: Socket = connect({ host: '127.0.0.1', port }, () => {
      for (const b of bytes) socket.write(b);
    });
    const timer = setTimeout(() => { socket.destroy(); resolve({ received: Buffer.concat(chunks), closed: false }); }, timeoutMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => { /* a reset counts as closed */ });
    socket.on('close', () => { clearTimeout(timer); resolve({ received: Buffer.concat(chunks), closed: true }); });
  });
}

function rqBytes(): Buffer {
  return encodePdu(new DicomAssociate({ callingAeTitle: 'RAW', calledAeTitle: 'DICOMNET', presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: ['1.2.840.10008.1.2'] }] }).toRq());
}

/** A-ABORT from the provider with the given reason: 07 00 00000004 00 00 02 reason. */
const providerAbort = (reason: number) => Buffer.from([0x07, 0, 0, 0, 0, 4, 0, 0, 2, reason]);

async function stillServes(): Promise<void> {
  const r = await verifyPeer({ host: '127.0.0.1', port, callingAeTitle: 'NEXT', calledAeTitle: 'DICOMNET', timeoutMs: 5000 });
  expect(r.ok, r.failure?.plain).toBe(true);
}

/** The detail of the 'closed' event of the connection from local port `from` (its only line: no association). */
async function closedDetail(from: number): Promise<string | undefined> {
  await expect.poll(() => events.find((e) => e.remotePort === from && e.kind === 'closed')).toBeDefined();
  return events.find((e) => e.remotePort === from && e.kind === 'closed')!.detail;
}

/** Connects, sends `bytes` (if any), and resolves with our local port once the SCP has closed the connection. */
function callerThat(bytes: Buffer | undefined): Promise<number> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => { if (bytes) s.write(bytes); });
    let local = 0;
    s.on('connect', () => { local = s.localPort ?? 0; });
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('close', () => resolve(local));
  });
}

describe('SCP log: a connection that never became an association says why it was closed', () => {
  it('a web browser: the text it sent, and what it is', async () => {
    const from = await callerThat(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(await closedDetail(from)).toMatch(/^The caller sent text, not DICOM \('GET \/ HTTP\/1\.1'\), as a web browser or HTTP client does/);
  });

  it('a TLS client on the plain port', async () => {
    const from = await callerThat(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x30, 0x01, 0x00, 0x00, 0x2c, 0x03, 0x03]));
    expect(await closedDetail(from)).toMatch(/^The caller started a TLS handshake on this plain port: it should use our TLS port/);
  });

  it('a caller that says nothing until ARTIM closes it', async () => {
    const from = await callerThat(undefined);
    expect(await closedDetail(from)).toMatch(/^No A-ASSOCIATE-RQ arrived within 1 s of the connection \(ARTIM\)/);
  });
});

describe('SCP under bad input', () => {
  it('garbage bytes: an unrecognised PDU type gets A-ABORT (provider, unrecognized-PDU) and a close', async () => {
    const { received, closed } = await exchange([Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]);
    expect(received).toEqual(providerAbort(1));
    expect(closed).toBe(true);
    await stillServes();
  });

  it('a PDU before association (P-DATA in Sta2) gets A-ABORT (AA-1) and a close', async () => {
    const pdata = Buffer.from([0x04, 0, 0, 0, 0, 8, 0, 0, 0, 4, 1, 3, 0, 0]);
    const { received, closed } = await exchange([pdata]);
    expect(received.subarray(0, 6)).toEqual(Buffer.from([0x07, 0, 0, 0, 0, 4]));
    expect(closed).toBe(true);
    await stillServes();
  });

  it('a huge length claim is aborted at once, without waiting for (or allocating) the bytes', async () => {
    const huge = Buffer.from([0x01, 0, 0xff, 0xff, 0xff, 0xf0]);
    const { received, closed } = await exchange([huge], 2000);
    expect(received).toEqual(providerAbort(6));
    expect(closed).toBe(true);
    await stillServes();
  });

  it('an A-ASSOCIATE-RQ whose item lengths lie gets A-ABORT and a close', async () => {
    const rq = rqBytes();
    // The application context item's length (at offset 74+2) claims more than the PDU holds.
    rq.writeUInt16BE(0xfff0, 76);
    const { received, closed } = await exchange([rq]);
    expect(received.subarray(0, 9)).toEqual(providerAbort(0).subarray(0, 9));
    expect(closed).toBe(true);
    await stillServes();
  });

  it('an A-RELEASE-RQ with a wrong length gets A-ABORT', async () => {
    const { received, closed } = await exchange([rqBytes(), Buffer.from([0x05, 0, 0, 0, 0, 2, 0, 0])]);
    // First the A-ASSOCIATE-AC, then the abort.
    expect(received[0]).toBe(0x02);
    const abortAt = received.length - 10;
    expect(received.subarray(abortAt, abortAt + 9)).toEqual(providerAbort(0).subarray(0, 9));
    expect(closed).toBe(true);
    await stillServes();
  });

  it('a truncated PDU followed by silence is closed by ARTIM, and a silent client never blocks others', async () => {
    const pending = exchange([rqBytes().subarray(0, 30)], 5000);
    await stillServes(); // served while the truncated one waits
    const { closed } = await pending;
    expect(closed).toBe(true);
  });

  it('a peer that connects and says nothing is closed by ARTIM (PS3.8 Evt18 in Sta2)', async () => {
    const started = Date.now();
    const { received, closed } = await exchange([], 5000);
    expect(closed).toBe(true);
    expect(received.length).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('an A-ASSOCIATE-RQ proposing a transfer syntax that is not a UID gets an answer: that context rejected, the others accepted', async () => {
    // Context 1 (Implicit VR LE) is fine; context 3 proposes a garbled Explicit VR LE ('1.2.840.10',
    // form feed, e-acute, '8.1.2.1', as a fuzzer produced it). PS3.8 §9.3.3.2: a rejected context's
    // transfer syntax is not significant, but the AC still needs one we can encode: the SCP once
    // echoed the garbled one, failed to encode its own AC and left the peer waiting.
    const rq = encodePdu(new DicomAssociate({
      callingAeTitle: 'RAW', calledAeTitle: 'DICOMNET',
      presentationContexts: [
        { abstractSyntax: VERIFICATION, transferSyntaxes: ['1.2.840.10008.1.2'] },
        { abstractSyntax: VERIFICATION, transferSyntaxes: ['1.2.840.10008.1.2.1'] },
      ],
    }).toRq());
    const at = rq.indexOf('1.2.840.10008.1.2.1', 0, 'latin1');
    expect(at).toBeGreaterThan(0);
    rq[at + 10] = 0x0c;
    rq[at + 11] = 0xe9;
    const { received } = await exchange([rq], 2000);
    expect(received[0]).toBe(0x02);
    const ac = decodePdu(0x02, received.subarray(6, 6 + received.readUInt32BE(2))) as AAssociateAc;
    expect(ac.presentationContexts.map((pc) => [pc.id, pc.result])).toEqual([[1, 0], [3, 4]]);
    for (const pc of ac.presentationContexts) expect(pc.transferSyntax).toMatch(/^[0-9.]+$/);
    await stillServes();
  });

  it('a C-ECHO-RQ that claims a data set and sends 40 MiB of it is aborted at the memory limit, not held', async () => {
    // Before: kept in memory to its end (1.5 GB of it grew the SCP by as much).
    const cmd = encodeCommandSet({ commandField: 0x0030, messageId: 1, affectedSopClassUid: VERIFICATION, commandDataSetType: 0x0000 });
    const piece = Buffer.alloc(1024 * 1024 - 100, 0x41);
    const data = Array.from({ length: 40 }, () => Buffer.concat([encodePDataHeader(1, false, false, piece.length), piece]));
    const before = events.length;
    const { received, closed } = await exchange([rqBytes(), Buffer.concat([encodePDataHeader(1, true, true, cmd.length), cmd]), ...data], 10_000);
    expect(received[0]).toBe(0x02);
    expect(received.subarray(received.length - 10)).toEqual(providerAbort(6));
    expect(closed).toBe(true);
    const aborted = events.slice(before).find((e) => e.kind === 'aborted');
    expect(aborted?.detail).toMatch(/a data set of more than 16 MiB with command 0x0030, which is not taken to a file and is kept in memory/);
    await stillServes();
  });

  it('DIMSE garbage inside a valid P-DATA after association gets A-ABORT', async () => {
    // PDV on context 1, command, last, with 6 bytes that are not a command set.
    const pdata = Buffer.from([0x04, 0, 0, 0, 0, 12, 0, 0, 0, 8, 1, 3, 1, 2, 3, 4, 5, 6]);
    const { received, closed } = await exchange([rqBytes(), pdata]);
    expect(received[0]).toBe(0x02);
    expect(received.subarray(received.length - 10, received.length - 4)).toEqual(Buffer.from([0x07, 0, 0, 0, 0, 4]));
    expect(closed).toBe(true);
    await stillServes();
  });
});

describe('callers that connect and say nothing, more of them than the limit', () => {
  it('the one that waited longest (a second or more) is closed, and a real caller is still served at once', async () => {
    // ARTIM at 30 s: whatever closes a connection within this test is the limit, not ARTIM.
    const limited = new DicomScp({
      aeTitle: 'DICOMNET', listeners: [{ host: '127.0.0.1', port: 0 }], maxAwaitingRequest: 4,
      supportedContexts: new Map([[VERIFICATION, VERIFICATION_TRANSFER_SYNTAXES]]), handlers: echoHandlers,
      net: { timeouts: { artimMs: 30_000 } },
    });
    const seen: ScpAssociationEvent[] = [];
    limited.on('association', (e) => seen.push(e));
    const at = (await limited.start())[0]!.port;
    const silent: { socket: Socket; closed: boolean; port?: number }[] = [];
    const open = async () => {
      const entry: { socket: Socket; closed: boolean; port?: number } = { socket: connect({ host: '127.0.0.1', port: at }), closed: false };
      entry.socket.on('error', () => undefined);
      entry.socket.on('close', () => { entry.closed = true; });
      await new Promise((r) => entry.socket.once('connect', r));
      entry.port = entry.socket.localPort;
      silent.push(entry);
    };
    try {
      // A burst beyond the limit: none has waited a second, none is closed (real callers come so).
      for (let i = 0; i < 5; i++) await open();
      await expect.poll(() => limited.openAssociations, { timeout: 2000 }).toBe(5);
      expect(silent.map((e) => e.closed)).toEqual([false, false, false, false, false]);
      await new Promise((r) => setTimeout(r, 1100));
      await open();
      await expect.poll(() => silent[0]!.closed, { timeout: 3000 }).toBe(true);
      expect(silent.slice(1).map((e) => e.closed)).toEqual([false, false, false, false, false]);
      const r = await verifyPeer({ host: '127.0.0.1', port: at, callingAeTitle: 'REAL', calledAeTitle: 'DICOMNET', timeoutMs: 5000 });
      expect(r.ok, r.failure?.plain).toBe(true);
      await expect.poll(() => silent[1]!.closed, { timeout: 3000 }).toBe(true);
      await expect.poll(() => seen.some((e) => e.kind === 'closed' && e.remotePort === silent[0]!.port), { timeout: 3000 }).toBe(true);
      const closed = seen.find((e) => e.kind === 'closed' && e.remotePort === silent[0]!.port);
      expect(closed?.detail).toMatch(/^Closed before any A-ASSOCIATE-RQ: 4 connections were waiting for theirs \(the limit\) and this one had waited longest \(1\.\d s\)/);
    } finally {
      for (const e of silent) e.socket.destroy();
      await limited.stop(0);
    }
  });
});
