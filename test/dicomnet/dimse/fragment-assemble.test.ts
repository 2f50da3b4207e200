import { describe, expect, it } from 'vitest';
import { MessageAssembler, DimseProtocolError, type AssembledMessage } from '../../../src-main/dicomnet/dimse/assembler';
import { encodeCommandSet } from '../../../src-main/dicomnet/dimse/command-set';
import { fragmentMessage, maxFragmentSize, UNLIMITED_FRAGMENT_SIZE } from '../../../src-main/dicomnet/dimse/fragmenter';
import { makeCEchoRq } from '../../../src-main/dicomnet/dimse/messages';
import { decodePdu } from '../../../src-main/dicomnet/pdu/decode';
import type { PDataTf, PresentationDataValue } from '../../../src-main/dicomnet/pdu/types';

const storeRq = { commandField: 0x0001, messageId: 5, affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.7', affectedSopInstanceUid: '1.2.3.4', priority: 0, commandDataSetType: 0x0000 };

/** Splits the fragmenter's buffer list into PDUs and decodes them. */
function toPdus(buffers: Buffer[]): PDataTf[] {
  const stream = Buffer.concat(buffers);
  const pdus: PDataTf[] = [];
  for (let o = 0; o < stream.length;) {
    const len = stream.readUInt32BE(o + 2);
    pdus.push(decodePdu(stream[o]!, stream.subarray(o + 6, o + 6 + len)) as PDataTf);
    o += 6 + len;
  }
  return pdus;
}

/** A deterministic pseudo-random generator, so failures reproduce. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 0x100000000);
}

describe('fragmentMessage (PS3.8 Annex E)', () => {
  it('keeps every P-DATA-TF within the peer Maximum Length, fragments even, last flags right', () => {
    const dataSet = Buffer.alloc(1000, 7);
    const pdus = toPdus(fragmentMessage(1, encodeCommandSet(storeRq), dataSet, 64));
    for (const p of pdus) {
      expect(p.pdvs).toHaveLength(1);
      const pdv = p.pdvs[0]!;
      expect(6 + pdv.data.length).toBeLessThanOrEqual(64);
      expect(pdv.data.length % 2).toBe(0);
    }
    const cmd = pdus.filter((p) => p.pdvs[0]!.isCommand);
    const data = pdus.filter((p) => !p.pdvs[0]!.isCommand);
    expect(cmd.map((p) => p.pdvs[0]!.isLast)).toEqual([...Array(cmd.length - 1).fill(false), true]);
    expect(data.map((p) => p.pdvs[0]!.isLast)).toEqual([...Array(data.length - 1).fill(false), true]);
    expect(pdus.findIndex((p) => !p.pdvs[0]!.isCommand)).toBe(cmd.length); // command first, then data
    expect(Buffer.concat(data.map((p) => p.pdvs[0]!.data))).toEqual(dataSet);
  });

  it('fragments are views of the data set, not copies', () => {
    const dataSet = Buffer.alloc(100_000, 1);
    const buffers = fragmentMessage(3, encodeCommandSet(storeRq), dataSet, 16384);
    const views = buffers.filter((b) => b.buffer === dataSet.buffer);
    expect(views.reduce((n, b) => n + b.length, 0)).toBe(dataSet.length);
  });

  it('Maximum Length 0 means no limit: large fragments', () => {
    expect(maxFragmentSize(0)).toBe(UNLIMITED_FRAGMENT_SIZE);
    expect(maxFragmentSize(16384)).toBe(16378);
    expect(maxFragmentSize(16385)).toBe(16378);
    expect(() => maxFragmentSize(7)).toThrow();
  });

  it('a Maximum Length above what we send without a limit gives that size, up to the largest u32', () => {
    expect(maxFragmentSize(UNLIMITED_FRAGMENT_SIZE + 5)).toBe(UNLIMITED_FRAGMENT_SIZE - 2);
    expect(maxFragmentSize(UNLIMITED_FRAGMENT_SIZE + 6)).toBe(UNLIMITED_FRAGMENT_SIZE);
    expect(maxFragmentSize(16 * 1024 * 1024)).toBe(UNLIMITED_FRAGMENT_SIZE);
    // Found by a fuzzer: 2 207 072 256 (above 2^31) threw "leaves no room for a PDV".
    expect(maxFragmentSize(2_207_072_256)).toBe(UNLIMITED_FRAGMENT_SIZE);
    expect(maxFragmentSize(0xffffffff)).toBe(UNLIMITED_FRAGMENT_SIZE);
  });

  it('an empty data set still sends one last data PDV', () => {
    const pdus = toPdus(fragmentMessage(1, encodeCommandSet(storeRq), Buffer.alloc(0), 1000));
    expect(pdus.at(-1)!.pdvs[0]).toMatchObject({ isCommand: false, isLast: true });
    expect(pdus.at(-1)!.pdvs[0]!.data.length).toBe(0);
  });
});

describe('MessageAssembler', () => {
  /**
   * Each PDV's memory is overwritten once pushed, as the transport's reused read buffer is: what the
   * assembler keeps (command, in-memory data set) must be its own copy.
   */
  function assemble(pdvs: PresentationDataValue[]): AssembledMessage[] {
    const out: AssembledMessage[] = [];
    const a = new MessageAssembler({ onMessage: (m) => out.push(m) });
    for (const p of pdvs) {
      a.push(p);
      p.data.fill(0xee);
    }
    return out;
  }

  it('reassembles what the fragmenter produced, for random sizes and limits (seeded)', () => {
    const rand = rng(42);
    for (let i = 0; i < 60; i++) {
      const size = Math.floor(rand() * 50_000);
      const max = 16 + 2 * Math.floor(rand() * 4000);
      const dataSet = Buffer.alloc(size);
      for (let j = 0; j < size; j += 97) dataSet[j] = j & 0xff;
      const pdvs = toPdus(fragmentMessage(7, encodeCommandSet(storeRq), dataSet, max)).flatMap((p) => p.pdvs);
      const [m] = assemble(pdvs);
      expect(m?.presentationContextId).toBe(7);
      expect(m?.command).toEqual(storeRq);
      expect(m?.dataSet?.equals(dataSet)).toBe(true);
    }
  });

  it('delivers a message without data set right after its command', () => {
    const pdvs = toPdus(fragmentMessage(1, encodeCommandSet(makeCEchoRq(1)), undefined, 32)).flatMap((p) => p.pdvs);
    expect(pdvs.length).toBeGreaterThan(1);
    const out = assemble(pdvs);
    expect(out).toHaveLength(1);
    expect(out[0]!.dataSet).toBeUndefined();
  });

  it('a command in several fragments survives the reuse of each fragment\'s memory', () => {
    // A fragment is a view of the transport's read buffer, which the next read overwrites: the
    // assembler must copy every fragment but the last before it returns.
    const command = { ...storeRq, commandDataSetType: 0x0101 }; // no data set: delivered after the command
    const bytes = encodeCommandSet(command);
    expect(bytes.length).toBeGreaterThan(32);
    const out: AssembledMessage[] = [];
    const a = new MessageAssembler({ onMessage: (m) => out.push(m) });
    const readBuffer = Buffer.alloc(16);
    for (let o = 0; o < bytes.length; o += 16) {
      const n = Math.min(16, bytes.length - o);
      bytes.copy(readBuffer, 0, o, o + n);
      a.push({ presentationContextId: 1, isCommand: true, isLast: o + n === bytes.length, data: readBuffer.subarray(0, n) });
      readBuffer.fill(0xee); // the next read
    }
    expect(out).toHaveLength(1);
    expect(out[0]!.command).toEqual(command);
  });

  it('streams data fragments to a custom sink', () => {
    const seen: number[] = [];
    const out: AssembledMessage[] = [];
    const a = new MessageAssembler({
      onMessage: (m) => out.push(m),
      dataSink: () => ({ write: (f) => { seen.push(f.length); }, end: () => undefined }),
    });
    for (const p of toPdus(fragmentMessage(1, encodeCommandSet(storeRq), Buffer.alloc(300), 106)).flatMap((x) => x.pdvs)) a.push(p);
    expect(seen).toEqual([100, 100, 100]);
    expect(out[0]!.dataSet).toBeUndefined();
  });

  const cmdPdv = (pc: number, last = true): PresentationDataValue => ({ presentationContextId: pc, isCommand: true, isLast: last, data: encodeCommandSet(storeRq) });
  const dataPdv = (pc: number, last = true): PresentationDataValue => ({ presentationContextId: pc, isCommand: false, isLast: last, data: Buffer.alloc(4) });

  it.each([
    ['data before a command', [dataPdv(1)]],
    ['context changes inside a message', [cmdPdv(1), dataPdv(3)]],
    ['a command fragment while the data set is expected', [cmdPdv(1), cmdPdv(1)]],
    ['a command that does not decode', [{ presentationContextId: 1, isCommand: true, isLast: true, data: Buffer.from([1, 2, 3, 4]) }]],
  ])('%s -> DimseProtocolError', (_name, pdvs) => {
    expect(() => assemble(pdvs as PresentationDataValue[])).toThrow(DimseProtocolError);
  });

  it('caps a data set kept in memory (one with no sink of its own), and not one that goes to a sink', () => {
    const command = encodeCommandSet({ commandField: 0x0030, messageId: 1, affectedSopClassUid: '1.2.840.10008.1.1', commandDataSetType: 0x0000 });
    const feed = (a: MessageAssembler) => {
      a.push({ presentationContextId: 1, isCommand: true, isLast: true, data: command });
      for (let i = 0; i < 10; i++) a.push({ presentationContextId: 1, isCommand: false, isLast: i === 9, data: Buffer.alloc(30) });
    };
    expect(() => feed(new MessageAssembler({ onMessage: () => undefined, maxMemoryDataSetBytes: 250 }))).toThrow(/a data set of more than .* with command 0x0030/);
    const got: AssembledMessage[] = [];
    feed(new MessageAssembler({ onMessage: (m) => got.push(m), maxMemoryDataSetBytes: 300 }));
    expect(got[0]?.dataSet?.length).toBe(300);
    let written = 0;
    feed(new MessageAssembler({ onMessage: () => undefined, maxMemoryDataSetBytes: 10, dataSink: () => ({ write: (f) => { written += f.length; }, end: () => undefined }) }));
    expect(written).toBe(300);
  });

  it('caps the command set length', () => {
    const a = new MessageAssembler({ onMessage: () => undefined, maxCommandBytes: 100 });
    expect(() => { for (let i = 0; i < 10; i++) a.push({ presentationContextId: 1, isCommand: true, isLast: false, data: Buffer.alloc(20) }); }).toThrow(/longer than 100/);
  });
});
