// A P-DATA-TF that spans chunks, handed out PDV piece by PDV piece as it arrives (pdu/pdata-stream.ts):
// the same PDVs as decoding the whole PDU, as views of the chunks, with nothing held between chunks
// but a PDV item header, and the same errors as decode.ts.

import { describe, expect, it } from 'vitest';
import { decodePdu } from '../../../src-main/dicomnet/pdu/decode';
import { encodePdu } from '../../../src-main/dicomnet/pdu/encode';
import { PduFramer } from '../../../src-main/dicomnet/pdu/framer';
import { PduDecodeError, type PDataTf, type PresentationDataValue } from '../../../src-main/dicomnet/pdu/types';
import { cat } from '../../fixtures/pdu/build';
import { seededRandom } from '../../helpers/random';

const MiB = 1024 * 1024;

interface Piece {
  pc: number;
  cmd: boolean;
  last: boolean;
  data: Buffer;
  buffer: ArrayBufferLike;
}

/** A streaming framer; whole P-DATA-TF PDUs are decoded into pieces too, so both ways compare. */
function streamer() {
  const pieces: Piece[] = [];
  const others: string[] = [];
  const errors: PduDecodeError[] = [];
  const record = (p: PresentationDataValue) => pieces.push({ pc: p.presentationContextId, cmd: p.isCommand, last: p.isLast, data: Buffer.from(p.data), buffer: p.data.buffer });
  const framer = new PduFramer(
    { maxPduLength: 32 * MiB },
    (type, body) => {
      if (type === 4) (decodePdu(4, body) as PDataTf).pdvs.forEach(record);
      else others.push(`${type}:${Buffer.from(body).toString('hex')}`);
    },
    (err) => errors.push(err),
    record,
  );
  return { framer, pieces, others, errors };
}

const pdvs: PresentationDataValue[] = [
  { presentationContextId: 1, isCommand: true, isLast: true, data: Buffer.from('0102030405060708090a', 'hex') },
  { presentationContextId: 3, isCommand: false, isLast: false, data: Buffer.from('aabbccddeeff0011', 'hex') },
  { presentationContextId: 3, isCommand: false, isLast: false, data: Buffer.alloc(0) },
  { presentationContextId: 3, isCommand: false, isLast: true, data: Buffer.from('99887766', 'hex') },
];
const pdata = encodePdu({ type: 0x04, pdvs });
const releaseRq = encodePdu({ type: 0x05 });
const releaseRp = encodePdu({ type: 0x06 });
const wire = cat(releaseRq, pdata, releaseRp);

/**
 * The pieces, regrouped by the fragments they came from: consecutive pieces of one context and kind
 * join until one flagged last, or until the expected fragment's length is reached.
 */
function regroup(pieces: readonly Piece[]): { pc: number; cmd: boolean; last: boolean; hex: string }[] {
  const out: { pc: number; cmd: boolean; last: boolean; hex: string }[] = [];
  let i = 0;
  for (const want of pdvs) {
    let data = Buffer.alloc(0);
    let last = false;
    let first: Piece | undefined;
    do {
      const p = pieces[i++];
      if (p === undefined) break;
      first ??= p;
      expect([p.pc, p.cmd]).toEqual([want.presentationContextId, want.isCommand]);
      data = Buffer.concat([data, p.data]);
      last = p.last;
      // Only the piece that ends a fragment flagged last says last.
      if (p.last) expect(data.length).toBe(want.data.length);
    } while (data.length < want.data.length);
    out.push({ pc: first?.pc ?? -1, cmd: first?.cmd ?? false, last, hex: data.toString('hex') });
  }
  expect(i).toBe(pieces.length);
  return out;
}

const expected = pdvs.map((p) => ({ pc: p.presentationContextId, cmd: p.isCommand, last: p.isLast, hex: Buffer.from(p.data).toString('hex') }));

function chunksOf(bytes: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    // Each chunk in memory of its own, as the transport's reads are (and used again after push).
    out.push(Buffer.from(bytes.subarray(from, c)));
    from = c;
  }
  return out;
}

describe('a P-DATA-TF streamed across chunks', () => {
  it('gives the same PDVs as the whole PDU, cut at every offset, byte by byte and at random', () => {
    const cuttings: number[][] = [];
    for (let k = 1; k < wire.length; k++) cuttings.push([k]);
    cuttings.push(Array.from({ length: wire.length - 1 }, (_, i) => i + 1));
    const random = seededRandom(20261203);
    for (let n = 0; n < 200; n++) {
      const cuts = new Set<number>();
      for (let j = 0; j < 1 + Math.floor(random() * 6); j++) cuts.add(1 + Math.floor(random() * (wire.length - 1)));
      cuttings.push([...cuts].sort((a, b) => a - b));
    }
    for (const cuts of cuttings) {
      const r = streamer();
      for (const c of chunksOf(wire, cuts)) r.framer.push(c);
      expect(r.errors).toEqual([]);
      expect(r.others).toEqual(['5:00000000', '6:00000000']);
      expect(regroup(r.pieces)).toEqual(expected);
      expect(r.framer.bufferedBytes).toBe(0);
    }
  });

  it('hands each piece out as a view of its chunk, holding no more than a PDV item header between chunks', () => {
    const fragment = Buffer.alloc(16 * MiB - 12);
    for (let i = 0; i < fragment.length; i += 4096) fragment[i] = (i >> 12) & 0xff;
    const big = encodePdu({ type: 0x04, pdvs: [{ presentationContextId: 5, isCommand: false, isLast: true, data: fragment }] });
    const r = streamer();
    const chunks = chunksOf(big, Array.from({ length: Math.floor(big.length / 65_537) }, (_, i) => (i + 1) * 65_537));
    let handedOut = 0;
    for (const [i, c] of chunks.entries()) {
      const before = r.pieces.length;
      r.framer.push(c);
      expect(r.framer.bufferedBytes).toBeLessThanOrEqual(6);
      for (const p of r.pieces.slice(before)) {
        expect(p.buffer).toBe(c.buffer);
        handedOut += p.data.length;
      }
      // What arrived is handed on at once, not held for the PDU's end.
      if (i > 0) expect(handedOut).toBe(Math.min(fragment.length, (i + 1) * 65_537 - 12));
    }
    expect(r.errors).toEqual([]);
    expect(r.pieces.filter((p) => p.last)).toHaveLength(1);
    expect(r.pieces.at(-1)!.last).toBe(true);
    expect(Buffer.concat(r.pieces.map((p) => p.data)).equals(fragment)).toBe(true);
  });

  it.each([
    ['a length below 2', '0000000101'],
    ['a length past the end', '0000001001030000'],
    ['3 stray bytes after a PDV', '00000003010302000000'],
    ['a second PDV overrunning', '000000030103020000000901'],
  ])('rejects %s as decode.ts does, and then takes nothing more', (_what, hex) => {
    const body = Buffer.from(hex, 'hex');
    let decodeError: PduDecodeError | undefined;
    try {
      decodePdu(4, body);
    } catch (e) {
      decodeError = e as PduDecodeError;
    }
    expect(decodeError).toBeInstanceOf(PduDecodeError);
    const header = Buffer.from([4, 0, 0, 0, 0, 0]);
    header.writeUInt32BE(body.length, 2);
    // Streamed: the header alone first, then the body byte by byte.
    const r = streamer();
    r.framer.push(header);
    for (const b of body) r.framer.push(Buffer.from([b]));
    r.framer.push(releaseRq);
    expect(r.errors.map((e) => [e.message, e.abortReason])).toEqual([[decodeError!.message, 6]]);
    expect(r.others).toEqual([]);
  });

  it('keeps the bytes after a piece whose handler threw, and hands them out on the next push', () => {
    const seen: string[] = [];
    let throwOnce = true;
    const framer = new PduFramer({ maxPduLength: MiB }, (type) => seen.push(`pdu ${type}`), () => expect.fail('no framing error expected'), (p) => {
      seen.push(`piece ${Buffer.from(p.data).toString('hex')}`);
      if (throwOnce) {
        throwOnce = false;
        throw new Error('handler bug');
      }
    });
    const first = Buffer.from(wire.subarray(0, releaseRq.length + 20)); // inside the first PDV's fragment
    expect(() => framer.push(first)).toThrow('handler bug');
    first.fill(0xee); // what was kept was copied
    framer.push(Buffer.from(wire.subarray(first.length)));
    expect(seen.join(',')).toBe('pdu 5,piece 0102030405060708,piece 090a,piece aabbccddeeff0011,piece ,piece 99887766,pdu 6');
  });
});
