// Peers that make our SCP hold data in memory and then go quiet. Before: 40 associations each
// sending all but the last byte of a 16 MiB P-DATA-TF held 785 MB (the framer staged each PDU
// whole), and 40 each sending a C-ECHO-RQ with all but the last byte of a 16 MiB data set held
// 718 MB (every data set without a sink of its own was kept, 16 MiB each), until their idle timeout.
// Now a P-DATA-TF is read PDV piece by PDV piece (nothing of it is held), and the data sets kept in
// memory share one budget for the process (64 MiB): the biggest holders are aborted, with the
// reason, and a real request from another peer is still served.

import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicomAssociate } from '../../src-main/dicomnet/association';
import { DicomNet } from '../../src-main/dicomnet/dicom-net';
import { encodeCommandSet } from '../../src-main/dicomnet/dimse/command-set';
import { processMemoryBudget } from '../../src-main/dicomnet/dimse/memory-budget';
import { encodePDataHeader, encodePdu } from '../../src-main/dicomnet/pdu';
import { echo, echoHandlers } from '../../src-main/dicomnet/services/echo';
import { DicomScp } from '../../src-main/dicomnet/services/scp';
import { VERIFICATION_TRANSFER_SYNTAXES } from '../../src-main/dicomnet/uids';

const VERIFICATION = '1.2.840.10008.1.1';
const MiB = 1024 * 1024;
let scp: DicomScp;
let port: number;
/** What the SCP reported of its associations' ends. */
const aborts: string[] = [];

beforeAll(async () => {
  scp = new DicomScp({ aeTitle: 'DICOMNET', listeners: [{ host: '127.0.0.1', port: 0 }], supportedContexts: new Map([[VERIFICATION, VERIFICATION_TRANSFER_SYNTAXES]]), handlers: echoHandlers });
  scp.on('association', (e) => { if (e.detail !== undefined) aborts.push(`${e.kind}: ${e.detail}`); });
  port = (await scp.start())[0]!.port;
});
afterAll(() => scp.stop(0));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Associates, sends `before`, then a P-DATA-TF of `bodyLength` with all but its last byte; resolves once written. */
async function hoard(before: Buffer, bodyLength: number, isCommand: boolean): Promise<{ socket: Socket; aborted: () => boolean }> {
  const rq = encodePdu(new DicomAssociate({ callingAeTitle: 'HOARDER', calledAeTitle: 'DICOMNET', presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: ['1.2.840.10008.1.2'] }] }).toRq());
  const socket = connect({ host: '127.0.0.1', port });
  let aborted = false;
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => socket.write(rq));
    socket.once('data', (c) => (c[0] === 0x02 ? resolve() : reject(new Error(`no A-ASSOCIATE-AC: ${c[0]}`))));
    socket.once('error', reject);
  });
  socket.on('data', (c) => { if (c[0] === 0x07) aborted = true; }); // an A-ABORT
  socket.on('error', () => undefined);
  const header = Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0]), encodePDataHeader(1, isCommand, true, bodyLength - 6).subarray(6)]);
  header.writeUInt32BE(bodyLength, 2);
  socket.write(Buffer.concat([before, header]));
  const piece = Buffer.alloc(MiB, 0x41);
  for (let left = bodyLength - 6 - 1; left > 0 && !socket.destroyed; left -= piece.length) {
    if (!socket.write(piece.subarray(0, Math.min(left, piece.length)))) await new Promise((r) => socket.once('drain', r));
  }
  return { socket, aborted: () => aborted };
}

async function echoWorks(): Promise<number> {
  const net = DicomNet.startup({ timeouts: { acseMs: 5000, dimseMs: 5000, releaseMs: 5000, artimMs: 5000 } });
  try {
    const associate = new DicomAssociate({ callingAeTitle: 'REAL', calledAeTitle: 'DICOMNET', presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: ['1.2.840.10008.1.2'] }] });
    const { association } = await net.connect({ host: '127.0.0.1', port, associate, connectTimeoutMs: 5000 });
    const r = await echo(association);
    await association.release();
    return r.status;
  } finally {
    await net.close(0);
  }
}

describe('peers that make the SCP hold data and go quiet', () => {
  it('a P-DATA-TF is not held whole: 6 x 16 MiB of command fragments, each refused after 64 KiB', async () => {
    const hoarders = await Promise.all(Array.from({ length: 6 }, () => hoard(Buffer.alloc(0), 16 * MiB, true)));
    try {
      // The command set limit (64 KiB) is met long before the PDU's end: each is aborted at once,
      // where the whole PDU was awaited before.
      for (let i = 0; i < 50 && hoarders.some((h) => !h.aborted()); i++) await sleep(100);
      expect(hoarders.filter((h) => h.aborted())).toHaveLength(6);
      expect(await echoWorks()).toBe(0);
    } finally {
      hoarders.forEach((h) => h.socket.destroy());
    }
  }, 30_000);

  it('data sets kept in memory share one budget: the biggest holders are aborted, a real echo is served', async () => {
    const command = encodeCommandSet({ commandField: 0x0030, messageId: 1, affectedSopClassUid: VERIFICATION, commandDataSetType: 0x0000 });
    const withDataSet = Buffer.concat([encodePDataHeader(1, true, true, command.length), command]);
    const before = aborts.length;
    const hoarders: { socket: Socket; aborted: () => boolean }[] = [];
    try {
      for (let i = 0; i < 6; i++) hoarders.push(await hoard(withDataSet, 15 * MiB, false));
      // 6 x 15 MiB against 64 MiB: at least two must go (bounded wait: 5 s).
      for (let i = 0; i < 50 && hoarders.filter((h) => h.aborted()).length < 2; i++) await sleep(100);
      expect(hoarders.filter((h) => h.aborted()).length).toBeGreaterThanOrEqual(2);
      expect(processMemoryBudget.inUse).toBeLessThanOrEqual(64 * MiB);
      expect(await echoWorks()).toBe(0);
    } finally {
      hoarders.forEach((h) => h.socket.destroy());
    }
    // Their bytes come back once they are gone (bounded wait: 5 s).
    for (let i = 0; i < 50 && processMemoryBudget.inUse > 0; i++) await sleep(100);
    expect(processMemoryBudget.inUse).toBe(0);
    // The SCP says why each of those was aborted (its log line), once it has closed.
    const why = () => aborts.slice(before).filter((e) => /memory for data sets .* held the most of it/.test(e)).length;
    for (let i = 0; i < 50 && why() < 2; i++) await sleep(100);
    expect(why()).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
