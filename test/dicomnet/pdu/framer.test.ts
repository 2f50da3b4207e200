import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodePdu } from '../../../src-main/dicomnet/pdu/decode';
import { encodePdu } from '../../../src-main/dicomnet/pdu/encode';
import { MAX_ASSOCIATE_PDU_LENGTH, PduFramer } from '../../../src-main/dicomnet/pdu/framer';
import type { PduDecodeError } from '../../../src-main/dicomnet/pdu/types';
import { cat, u32 } from '../../fixtures/pdu/build';
import { ECHOSCU_RQ, STORESCP_AC } from '../../fixtures/pdu/dcmtk';
import { hexBytes } from '../../fixtures/pdu/hex';
import { ALL_VECTORS, PDATA_TWO_PDVS } from '../../fixtures/pdu/vectors';
import { seededRandom } from '../../helpers/random';

const MiB = 1024 * 1024;

interface Seen {
  type: number;
  /** A copy: what onPdu gets is valid only until it returns. */
  body: Buffer;
  /** The memory the body was handed out in, and where in it. */
  buffer: ArrayBufferLike;
  byteOffset: number;
}

/** A framer that records what it hands out. */
function recorder(maxPduLength = 16 * MiB) {
  const pdus: Seen[] = [];
  const errors: PduDecodeError[] = [];
  const framer = new PduFramer({ maxPduLength }, (type, body) => pdus.push({ type, body: Buffer.from(body), buffer: body.buffer, byteOffset: body.byteOffset }), (err) => errors.push(err));
  return { framer, pdus, errors };
}

const asHex = (seen: readonly Seen[]): string[] => seen.map((s) => `${s.type}:${s.body.toString('hex')}`);

/** An unpooled copy, so that `.buffer` identity means something. */
const own = (b: Uint8Array): Buffer => {
  const out = Buffer.alloc(b.length);
  out.set(b);
  return out;
};

// A stream of every vector, both DCMTK captures and a P-DATA-TF larger than the framer's pack size.
const pdus: Buffer[] = [
  ...ALL_VECTORS.map((v) => hexBytes(v.hex)),
  hexBytes(ECHOSCU_RQ),
  hexBytes(STORESCP_AC),
  encodePdu({ type: 0x04, pdvs: [{ presentationContextId: 1, isCommand: false, isLast: true, data: Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 7) & 0xff)) }] }),
  hexBytes(PDATA_TWO_PDVS.hex),
];
const stream = Buffer.concat(pdus);
const expected = pdus.map((p) => `${p[0]}:${p.subarray(6).toString('hex')}`);

/**
 * Feeds `chunks` and returns what came out. Each chunk is a copy overwritten right after push, as
 * the transport's reused read buffer is: a framer that read a chunk after push returned would
 * hand out garbage.
 */
function feed(chunks: readonly Buffer[]): { seen: string[]; errors: number; buffered: number } {
  const r = recorder();
  for (const c of chunks) {
    const reused = Buffer.from(c);
    r.framer.push(reused);
    reused.fill(0xee);
  }
  return { seen: asHex(r.pdus), errors: r.errors.length, buffered: r.framer.bufferedBytes };
}


afterEach(() => {
  vi.restoreAllMocks();
});

describe('PduFramer: reassembly', () => {
  it('hands out every PDU of the stream pushed in one chunk', () => {
    expect(feed([stream])).toEqual({ seen: expected, errors: 0, buffered: 0 });
  });

  it('gives the same PDUs for every split point of the stream into two chunks', () => {
    // Every position in the small PDUs; in the 20 kB P-DATA every 97th (bounded: ~1,400 splits).
    const bigStart = pdus.slice(0, -2).reduce((n, p) => n + p.length, 0);
    const bigEnd = bigStart + (pdus.at(-2)?.length ?? 0);
    let splits = 0;
    for (let i = 0; i <= stream.length; i += i > bigStart + 8 && i < bigEnd - 8 ? 97 : 1) {
      splits++;
      const out = feed([stream.subarray(0, i), stream.subarray(i)]);
      if (out.seen.join() !== expected.join() || out.errors !== 0 || out.buffered !== 0) {
        expect.fail(`split at ${i} gave ${out.seen.length} PDUs, ${out.errors} errors, ${out.buffered} bytes left`);
      }
    }
    expect(splits).toBeGreaterThan(1000);
    expect(splits).toBeLessThan(3000);
  });

  it('gives the same PDUs for every pair of split points in the small PDUs (3 chunks)', () => {
    const small = Buffer.concat([hexBytes(ECHOSCU_RQ), hexBytes(PDATA_TWO_PDVS.hex), hexBytes(ALL_VECTORS[2]!.hex)]);
    const want = feed([small]).seen;
    expect(want).toHaveLength(3);
    for (let i = 0; i <= small.length; i += 3) {
      for (let j = i; j <= small.length; j += 5) {
        const out = feed([small.subarray(0, i), small.subarray(i, j), small.subarray(j)]);
        if (out.seen.join() !== want.join() || out.buffered !== 0) expect.fail(`splits at ${i}, ${j}`);
      }
    }
  });

  it('works when fed one byte at a time, from one reused byte of memory', () => {
    const r = recorder();
    const reused = Buffer.alloc(1);
    for (let i = 0; i < stream.length; i++) {
      reused[0] = stream[i]!;
      r.framer.push(reused);
    }
    expect(asHex(r.pdus)).toEqual(expected);
    expect(r.errors).toEqual([]);
    expect(r.framer.bufferedBytes).toBe(0);
  });

  it('works for 200 random chunkings (seeded)', () => {
    const random = seededRandom(20240601);
    for (let round = 0; round < 200; round++) {
      const chunks: Buffer[] = [];
      for (let o = 0; o < stream.length; ) {
        const n = Math.floor(random() * (random() < 0.5 ? 16 : 12_000));
        chunks.push(stream.subarray(o, o + n));
        o += n;
      }
      const out = feed(chunks);
      if (out.seen.join() !== expected.join() || out.buffered !== 0) expect.fail(`random round ${round} differed`);
    }
  });

  it('splits a header across chunks', () => {
    const r = recorder();
    const abort = hexBytes(ALL_VECTORS[6]!.hex);
    r.framer.push(Buffer.from(abort.subarray(0, 3)).fill(0xee, 3));
    expect(r.pdus).toHaveLength(0);
    expect(r.framer.bufferedBytes).toBe(3);
    r.framer.push(abort.subarray(3, 5));
    expect(r.framer.bufferedBytes).toBe(5);
    r.framer.push(abort.subarray(5));
    expect(asHex(r.pdus)).toEqual(['7:00000206']);
    expect(r.framer.bufferedBytes).toBe(0);
  });

  it('reassembles a 1 MiB P-DATA-TF from 1,000-byte chunks of one reused buffer', () => {
    const data = Buffer.from(Array.from({ length: MiB }, (_, i) => (i * 31) & 0xff));
    const wire = encodePdu({ type: 0x04, pdvs: [{ presentationContextId: 3, isCommand: false, isLast: true, data }] });
    const r = recorder();
    const reused = Buffer.alloc(1000);
    for (let o = 0; o < wire.length; o += 1000) {
      const n = wire.copy(reused, 0, o, o + 1000);
      r.framer.push(reused.subarray(0, n));
    }
    expect(r.pdus).toHaveLength(1);
    expect(r.pdus[0]!.body.length).toBe(MiB + 6);
    expect(r.pdus[0]!.body.equals(wire.subarray(6))).toBe(true);
  });

  it('stages PDUs that span chunks in one buffer, used again for the next such PDU', () => {
    const a = encodePdu({ type: 0x04, pdvs: [{ presentationContextId: 1, isCommand: false, isLast: false, data: Buffer.alloc(30_000, 1) }] });
    const b = encodePdu({ type: 0x04, pdvs: [{ presentationContextId: 1, isCommand: false, isLast: true, data: Buffer.alloc(30_000, 2) }] });
    const r = recorder();
    for (const wire of [a, b]) {
      r.framer.push(Buffer.from(wire.subarray(0, 10_000)));
      r.framer.push(Buffer.from(wire.subarray(10_000)));
    }
    expect(r.pdus.map((p) => p.body.equals(p === r.pdus[0] ? a.subarray(6) : b.subarray(6)))).toEqual([true, true]);
    expect(r.pdus[1]!.buffer).toBe(r.pdus[0]!.buffer);
  });

  it('joins a non-P-DATA PDU that spans chunks into one buffer', () => {
    const wire = encodePdu({ type: 0x07, source: 0, reason: 0 });
    const r = recorder();
    r.framer.push(wire.subarray(0, 8));
    r.framer.push(wire.subarray(8));
    expect(asHex(r.pdus)).toEqual([`7:${wire.subarray(6).toString('hex')}`]);
  });

  it('keeps the bytes after a PDU whose onPdu threw, and hands them out on the next push', () => {
    const seen: number[] = [];
    let throwOnce = true;
    const framer = new PduFramer(
      { maxPduLength: MiB },
      (type) => {
        seen.push(type);
        if (throwOnce) {
          throwOnce = false;
          throw new Error('handler bug');
        }
      },
      () => expect.fail('no framing error expected'),
    );
    const rq = hexBytes(ALL_VECTORS[4]!.hex); // A-RELEASE-RQ
    const rp = hexBytes(ALL_VECTORS[5]!.hex); // A-RELEASE-RP
    const first = cat(rq, rp, rq.subarray(0, 2));
    expect(() => framer.push(first)).toThrow('handler bug');
    first.fill(0xee); // the bytes kept were copied
    expect(seen).toEqual([5]);
    expect(framer.bufferedBytes).toBe(12);
    framer.push(rq.subarray(2));
    expect(seen).toEqual([5, 6, 5]);
    expect(framer.bufferedBytes).toBe(0);
  });

  it('ignores empty chunks', () => {
    const r = recorder();
    r.framer.push(Buffer.alloc(0));
    r.framer.push(hexBytes(ALL_VECTORS[4]!.hex));
    r.framer.push(Buffer.alloc(0));
    expect(asHex(r.pdus)).toEqual(['5:00000000']);
  });

  it('hands out a P-DATA-TF of length 0 for decode to reject', () => {
    const r = recorder();
    r.framer.push(Buffer.from([4, 0, 0, 0, 0, 0]));
    expect(asHex(r.pdus)).toEqual(['4:']);
    expect(() => decodePdu(4, r.pdus[0]!.body)).toThrow(/no PDV/);
  });
});

describe('PduFramer: zero copy', () => {
  it('hands out views of the chunk for PDUs that lie inside it', () => {
    const chunk = own(stream);
    const r = recorder();
    r.framer.push(chunk);
    expect(r.pdus).toHaveLength(pdus.length);
    let offset = 0;
    for (const [i, seen] of r.pdus.entries()) {
      expect(seen.buffer, `PDU ${i}`).toBe(chunk.buffer);
      expect(seen.byteOffset, `PDU ${i}`).toBe(chunk.byteOffset + offset + 6);
      offset += pdus[i]!.length;
    }
  });

  it('after a PDU that spanned chunks, a PDU wholly inside the next large chunk is still a view', () => {
    const first = hexBytes(ECHOSCU_RQ);
    const big = pdus.at(-2)!; // 20 kB P-DATA
    const r = recorder();
    r.framer.push(first.subarray(0, 50));
    const second = own(cat(first.subarray(50), big));
    r.framer.push(second);
    expect(r.pdus).toHaveLength(2);
    expect(r.pdus[0]!.buffer).not.toBe(second.buffer); // staged: one copy
    expect(r.pdus[1]!.buffer).toBe(second.buffer);
    expect(r.pdus[1]!.byteOffset).toBe(second.byteOffset + first.length - 50 + 6);
  });
});

describe('PduFramer: limits and errors', () => {
  it('rejects a length above the cap at the header, without allocating it', () => {
    const allocs: number[] = [];
    for (const fn of ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const) {
      const original = Buffer[fn].bind(Buffer);
      vi.spyOn(Buffer, fn).mockImplementation(((size: number, ...rest: never[]) => {
        allocs.push(size);
        return (original as (...a: unknown[]) => Buffer)(size, ...rest);
      }) as never);
    }
    const r = recorder(16 * MiB);
    r.framer.push(cat([4, 0], u32(0xffffffff), [0, 0, 0, 2]));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.abortReason).toBe(6);
    expect(r.errors[0]!.message).toMatch(/4294967295.*16777216/);
    expect(r.pdus).toHaveLength(0);
    expect(Math.max(0, ...allocs)).toBeLessThan(64 * 1024);
    expect(r.framer.bufferedBytes).toBe(0);
  });

  it('an A-ASSOCIATE-RQ or -AC above 1 MiB is refused at its header, whatever the P-DATA cap', () => {
    for (const type of [1, 2]) {
      const r = recorder(16 * MiB);
      r.framer.push(cat([type, 0], u32(MAX_ASSOCIATE_PDU_LENGTH + 1), [0, 1]));
      expect(r.errors.map((e) => [e.abortReason, e.message])).toEqual([[6, `A-ASSOCIATE PDU (type 0x0${type}) claims ${MAX_ASSOCIATE_PDU_LENGTH + 1} bytes, above the limit of ${MAX_ASSOCIATE_PDU_LENGTH} for one`]]);
    }
    // At the limit it is read (and left to the decoder), and a P-DATA-TF of the same length passes.
    for (const type of [1, 4]) {
      const r = recorder(16 * MiB);
      r.framer.push(cat([type, 0], u32(MAX_ASSOCIATE_PDU_LENGTH), Buffer.alloc(MAX_ASSOCIATE_PDU_LENGTH)));
      expect(r.errors).toHaveLength(0);
      expect(r.pdus.map((p) => [p.type, p.body.length])).toEqual([[type, MAX_ASSOCIATE_PDU_LENGTH]]);
    }
  });

  it('accepts a length equal to the cap', () => {
    const r = recorder(10);
    r.framer.push(encodePdu({ type: 0x04, pdvs: [{ presentationContextId: 1, isCommand: true, isLast: true, data: Buffer.alloc(4) }] }));
    expect(r.errors).toHaveLength(0);
    expect(r.pdus).toHaveLength(1);
  });

  it('does not allocate the claimed length while the body trickles in', () => {
    const allocs: number[] = [];
    for (const fn of ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const) {
      const original = Buffer[fn].bind(Buffer);
      vi.spyOn(Buffer, fn).mockImplementation(((size: number, ...rest: never[]) => {
        allocs.push(size);
        return (original as (...a: unknown[]) => Buffer)(size, ...rest);
      }) as never);
    }
    const r = recorder(16 * MiB);
    r.framer.push(cat([4, 0], u32(8 * MiB)));
    for (let i = 0; i < 100; i++) r.framer.push(Buffer.alloc(10));
    expect(r.framer.bufferedBytes).toBe(1006); // the header and the 1,000 bytes of body
    expect(r.pdus).toHaveLength(0);
    expect(Math.max(0, ...allocs.slice(1))).toBeLessThan(64 * 1024); // [0] is the header built by the test
  });

  it('reports an unknown PDU type with reason 1 and then ignores all input', () => {
    const r = recorder();
    r.framer.push(cat(hexBytes(ALL_VECTORS[4]!.hex), [0x08, 0, 0, 0, 0, 4, 0, 0, 0, 0]));
    expect(asHex(r.pdus)).toEqual(['5:00000000']);
    expect(r.errors.map((e) => e.abortReason)).toEqual([1]);
    expect(r.errors[0]!.message).toMatch(/0x08/);
    r.framer.push(hexBytes(ALL_VECTORS[4]!.hex));
    expect(r.pdus).toHaveLength(1);
    expect(r.errors).toHaveLength(1);
    expect(r.framer.bufferedBytes).toBe(0);
  });

  it('reports an unknown type in a header split across chunks', () => {
    const r = recorder();
    r.framer.push(Buffer.from([0x00, 0, 0]));
    expect(r.errors).toHaveLength(0);
    r.framer.push(Buffer.from([0, 0, 4]));
    expect(r.errors.map((e) => e.abortReason)).toEqual([1]);
  });

  for (const type of [0x03, 0x05, 0x06, 0x07]) {
    it(`rejects PDU type 0x0${type} with a length other than 4 (reason 6)`, () => {
      const r = recorder();
      r.framer.push(cat([type, 0], u32(1000), [0, 0, 0, 0]));
      expect(r.errors.map((e) => e.abortReason)).toEqual([6]);
      expect(r.pdus).toHaveLength(0);
    });
  }

  it('applies a lowered cap to later PDUs', () => {
    const r = recorder(1000);
    const pdata = hexBytes(PDATA_TWO_PDVS.hex); // length 18
    r.framer.push(pdata);
    r.framer.setMaxPduLength(17);
    r.framer.push(pdata);
    expect(r.pdus).toHaveLength(1);
    expect(r.errors.map((e) => e.abortReason)).toEqual([6]);
  });

  it('refuses a nonsense cap', () => {
    expect(() => recorder(-1)).toThrow(/maxPduLength/);
    expect(() => recorder(2 ** 32)).toThrow(/maxPduLength/);
    expect(() => recorder(1).framer.setMaxPduLength(1.5)).toThrow(/maxPduLength/);
  });
});
