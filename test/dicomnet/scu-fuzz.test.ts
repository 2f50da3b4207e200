// Seeded fuzzing of our SCU: verifyPeer (C-ECHO) and sendFiles (C-STORE) against a hostile SCP that
// answers with mutated PDUs: A-ASSOCIATE-AC with odd results, windows and Maximum Lengths (0, tiny,
// above 2^31), A-ASSOCIATE-RJ, responses with wrong IDs, fields, contexts and statuses, bytes
// flipped, lengths changed, PDUs cut or padded, garbage, silence, a dropped connection. Every attempt
// must end in an outcome within its timeouts: verifyPeer a result that names the failed step in
// words, sendFiles a summary with one outcome per file. Nothing may throw out of them, and nothing
// may go unhandled (vitest fails the run on an unhandled rejection). Found this way: a Maximum
// Length of 3, or of 2^31 and more, made sendFiles throw.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendFiles } from '../../src-main/app/send';
import { verifyPeer } from '../../src-main/app/verify';
import { decodeCommandSet, encodeCommandSet, type CommandSet } from '../../src-main/dicomnet/dimse/command-set';
import { decodePdu, encodePdu, PduFramer } from '../../src-main/dicomnet/pdu';
import type { AAssociateRq } from '../../src-main/dicomnet/pdu/types';
import { makeInstance } from '../helpers/dicom-files';
import { seededRandom } from '../helpers/random';

const SEED = 20261204;
const ROUNDS = 8;
const AT_ONCE = 3; // verifyPeer and sendFiles each, per round
const TIMEOUT_MS = 600;

/** Each attempt's connection gets its own generator, keyed by its calling AE title: reproducible whatever the order of arrival. */
type Rng = { (): number; int(n: number): number };
function rng(seed: number): Rng {
  const next = seededRandom(seed);
  return Object.assign(() => next(), { int: (n: number) => Math.floor(next() * n) });
}
const choices = rng(SEED);
const work = mkdtempSync(join(tmpdir(), 'dicomnet-scu-fuzz-'));
const files = join(work, 'files');
let server: Server;
let port: number;

function mutate(rnd: Rng, p: Buffer): Buffer {
  const ri = rnd.int;
  if (rnd() < 0.4) return p; // some answers stay valid, so that the later steps are reached
  const b = Buffer.from(p);
  switch (ri(6)) {
    case 0: for (let j = 1 + ri(6); j > 0; j--) b[ri(b.length)] = ri(256); return b;
    case 1: b.writeUInt32BE(ri(3) === 0 ? 0xffffffff : ri(b.length * 2 + 20), 2); return b;
    case 2: if (b.length > 12) b.writeUInt16BE(ri(65536), 6 + ri(b.length - 8)); return b;
    case 3: return b.subarray(0, ri(b.length));
    case 4: return Buffer.concat([b, Buffer.from(Array.from({ length: ri(30) }, () => ri(256)))]);
    default: return Buffer.from([ri(256), 0, 0, 0, 0, 4, 0, 0, ri(4), ri(8)]);
  }
}

function accept(rnd: Rng, rq: AAssociateRq): Buffer {
  const ri = rnd.int;
  if (rnd() < 0.1) return encodePdu({ type: 0x03, result: 1 + ri(2), source: 1 + ri(3), reason: ri(4) });
  return encodePdu({
    type: 0x02, protocolVersion: 1, calledAeTitle: rq.calledAeTitle, callingAeTitle: rq.callingAeTitle, applicationContextName: rq.applicationContextName,
    presentationContexts: rq.presentationContexts.map((pc) => ({ id: pc.id, result: ri(5) === 0 ? ri(5) : 0, transferSyntax: pc.transferSyntaxes[ri(pc.transferSyntaxes.length)]! })),
    userInformation: {
      maximumLength: [0, 16384, 131072, 3, 7, 2 ** 31 + 12345, 0xffffffff][ri(7)]!,
      implementationClassUid: '1.2.3', roleSelections: [], extendedNegotiations: [], commonExtendedNegotiations: [], unknownSubItems: [],
      asynchronousOperationsWindow: rnd() < 0.3 ? { maxOperationsInvoked: ri(10), maxOperationsPerformed: ri(10) } : undefined,
    },
  });
}

function respond(rnd: Rng, s: Socket, rq: CommandSet, pcId: number): void {
  const ri = rnd.int;
  const status = [0, 0, 0, 0xb000, 0xa700, 0xc000, 0xff00, 0x0122, ri(65536)][ri(9)]!;
  const rsp = encodeCommandSet({
    commandField: rnd() < 0.9 ? rq.commandField | 0x8000 : ri(65536),
    messageIdBeingRespondedTo: rnd() < 0.9 ? rq.messageId : ri(65536),
    affectedSopClassUid: rq.affectedSopClassUid, affectedSopInstanceUid: rq.affectedSopInstanceUid,
    commandDataSetType: rnd() < 0.9 ? 0x0101 : 0, status, errorComment: rnd() < 0.3 ? 'bad\nthing\x1b[2J' : undefined,
  });
  // By hand: the encoder (rightly) refuses an even context ID, and one in ten answers has any.
  const pdv = Buffer.concat([Buffer.from([0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, rnd() < 0.9 ? pcId : ri(256), 0x03]), rsp]);
  pdv.writeUInt32BE(pdv.length - 6, 2);
  pdv.writeUInt32BE(pdv.length - 10, 6);
  s.write(mutate(rnd, pdv));
}

/** The hostile SCP: a framer and a script of odd answers per connection. */
function hostile(s: Socket): void {
  s.on('error', () => undefined);
  let waiting: { rq: CommandSet; pcId: number } | undefined;
  let rnd: Rng | undefined;
  const framer = new PduFramer({ maxPduLength: 64 * 1024 * 1024 }, (type, body) => {
    if (s.destroyed) return;
    if (type === 0x01 && !rnd) {
      const rq = decodePdu(0x01, Buffer.from(body)) as AAssociateRq;
      rnd = rng(SEED * 1000 + Number(rq.callingAeTitle.replace(/\D/g, '')));
      if (rnd() < 0.04) { s.destroy(); return; }
      if (rnd() < 0.03) return; // silence: the SCU's timers must end it
      s.write(mutate(rnd, accept(rnd, rq)));
      return;
    }
    if (!rnd) { s.destroy(); return; }
    if (rnd() < 0.04) { s.destroy(); return; }
    if (rnd() < 0.03) return;
    if (type === 0x04) {
      // One PDV per PDU from our SCU: item length (4), context ID, control header, then the fragment.
      const pcId = body[4]!;
      const header = body[5]!;
      const fragment = body.subarray(6, 4 + body.readUInt32BE(0));
      if ((header & 3) === 3) {
        let rq: CommandSet;
        try { rq = decodeCommandSet(fragment); } catch { return; }
        if (rq.commandDataSetType !== 0x0101 && rnd() < 0.8) waiting = { rq, pcId }; // answer after the data set
        else respond(rnd, s, rq, pcId);
      } else if ((header & 3) === 2 && waiting) {
        respond(rnd, s, waiting.rq, waiting.pcId);
        waiting = undefined;
      }
    } else if (type === 0x05) {
      s.write(mutate(rnd, Buffer.from([6, 0, 0, 0, 0, 4, 0, 0, 0, 0])));
    }
  }, () => s.destroy());
  s.on('data', (c) => framer.push(c));
}

beforeAll(async () => {
  mkdirSync(files);
  for (let i = 0; i < 3; i++) makeInstance(join(files, `f${i}.dcm`), { pixelBytes: 2000 + i * 40_000 });
  server = createServer(hostile);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(work, { recursive: true, force: true });
});

describe('SCU fuzzing (seeded)', () => {
  it(`verifyPeer and sendFiles against a hostile SCP (seed ${SEED}): an outcome every time, nothing thrown`, async () => {
    const peer = { host: '127.0.0.1', port, calledAeTitle: 'HOSTILE', timeoutMs: TIMEOUT_MS };
    const echoes: string[] = [];
    const sends: string[] = [];
    let attempt = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(Array.from({ length: AT_ONCE }, async () => {
        const r = await verifyPeer({ ...peer, callingAeTitle: `FUZZ${++attempt}`, repeat: 1 + choices.int(3) });
        if (!r.ok) {
          expect(r.failure?.plain).toMatch(/\w{4,}/);
          expect(r.failure?.plain, 'a plain explanation, not a state name').not.toMatch(/\(state Sta\d+\)/);
        }
        echoes.push(r.ok ? 'ok' : `${r.failure?.step}/${r.failure?.code}`);
      }).concat(Array.from({ length: AT_ONCE }, async () => {
        const outcomes: string[] = [];
        // One association per send: every connection of this attempt has the same generator.
        const s = await sendFiles({ ...peer, callingAeTitle: `FUZZ${++attempt}`, paths: [files], onFile: (f) => outcomes.push(f.outcome) });
        expect(s.files).toBe(3);
        expect(outcomes).toHaveLength(3);
        sends.push(`stored ${s.stored}`);
      })));
    }
    expect(echoes).toHaveLength(ROUNDS * AT_ONCE);
    expect(sends).toHaveLength(ROUNDS * AT_ONCE);
    // The answers reach past the association: some echoes fail at the echo step itself.
    expect(echoes.some((e) => e.startsWith('echo/'))).toBe(true);
  });
});
