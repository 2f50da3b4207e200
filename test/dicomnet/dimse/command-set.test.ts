import { describe, expect, it } from 'vitest';
import { commandElements } from '../../../src-main/dicomnet/dimse/command-fields';
import { decodeCommandSet, DimseDecodeError, encodeCommandSet, type CommandSet } from '../../../src-main/dicomnet/dimse/command-set';
import { makeCEchoRq, makeCEchoRsp, makeResponse } from '../../../src-main/dicomnet/dimse/messages';

const hex = (s: string) => Buffer.from(s.replace(/#.*$/gm, '').replace(/\s+/g, ''), 'hex');

describe('command set codec (PS3.7 §6.3.1, implicit VR little endian, group 0000)', () => {
  it('C-ECHO-RQ byte for byte, as DCMTK echoscu sends it', () => {
    const expected = hex(`
      00000000 04000000 38000000                # (0000,0000) UL 4 bytes: group length 56
      00000200 12000000 312e322e3834302e31303030382e312e3100   # (0000,0002) UI 18: "1.2.840.10008.1.1" + NUL pad
      00000001 02000000 3000                    # (0000,0100) US CommandField 0x0030 C-ECHO-RQ
      00001001 02000000 0100                    # (0000,0110) US MessageID 1
      00000008 02000000 0101                    # (0000,0800) US CommandDataSetType 0x0101: no data set
    `);
    expect(encodeCommandSet(makeCEchoRq(1))).toEqual(expected);
    expect(decodeCommandSet(expected)).toEqual(makeCEchoRq(1));
  });

  it('C-ECHO-RSP byte for byte', () => {
    const expected = hex(`
      00000000 04000000 42000000                # group length 66
      00000200 12000000 312e322e3834302e31303030382e312e3100
      00000001 02000000 3080                    # CommandField 0x8030 C-ECHO-RSP
      00002001 02000000 0700                    # MessageIDBeingRespondedTo 7
      00000008 02000000 0101
      00000009 02000000 0000                    # Status 0x0000 Success
    `);
    expect(encodeCommandSet(makeCEchoRsp(7))).toEqual(expected);
  });

  it('round-trips every element of the dictionary, with padding by VR', () => {
    const all: Record<string, unknown> = {};
    for (const el of commandElements) {
      all[el.field] = el.vr === 'US' ? 0x1234 : el.vr === 'AT' ? [0x00100010, 0x7fe00010] : el.vr === 'UI' ? '1.2.3' : el.vr === 'AE' ? 'MOVE_DEST' : 'an odd comment';
    }
    const cmd = all as unknown as CommandSet;
    const bytes = encodeCommandSet(cmd);
    expect(bytes.length % 2).toBe(0);
    expect(decodeCommandSet(bytes)).toEqual(cmd);
    // UI padded with NUL, AE/LO with a space
    expect(bytes.includes(Buffer.from('1.2.3\0'))).toBe(true);
    expect(bytes.includes(Buffer.from('MOVE_DEST '))).toBe(true);
    // group length equals the bytes after it
    expect(bytes.readUInt32LE(8)).toBe(bytes.length - 12);
  });

  it('writes every byte of its (pooled, uninitialised) buffer', () => {
    const cmd = { ...makeCEchoRq(9), affectedSopInstanceUid: '1.2.345', moveDestination: 'ODD', errorComment: 'odd' } as CommandSet;
    const encodeAfterPoisoning = (fill: number) => {
      // Small allocUnsafe buffers share one pool: leave it full of `fill` right before encoding.
      for (let i = 0; i < 100; i++) Buffer.allocUnsafe(64).fill(fill);
      return encodeCommandSet(cmd);
    };
    expect(encodeAfterPoisoning(0xaa)).toEqual(encodeAfterPoisoning(0x55));
  });

  it('writes elements in ascending tag order', () => {
    const bytes = encodeCommandSet(makeResponse({ ...makeCEchoRq(3), affectedSopInstanceUid: '1.2' }, 0x0110, { errorComment: 'x' }));
    const tags: number[] = [];
    for (let o = 0; o < bytes.length;) {
      tags.push(bytes.readUInt16LE(o + 2));
      o += 8 + bytes.readUInt32LE(o + 4);
    }
    expect(tags).toEqual([...tags].sort((a, b) => a - b));
  });

  it('the order of the object\'s properties does not change the bytes', () => {
    // The encoder visits the properties it finds and sorts them by tag as it goes.
    const fields = commandElements.map((el): [string, unknown] => [el.field,
      el.vr === 'US' ? el.tag : el.vr === 'UL' ? el.tag * 3 : el.vr === 'AT' ? [el.tag] : `1.${el.tag}`]);
    const inOrder = encodeCommandSet(Object.fromEntries(fields) as unknown as CommandSet);
    const reversed = encodeCommandSet(Object.fromEntries([...fields].reverse()) as unknown as CommandSet);
    // A fixed shuffle (each step moves an element by 7 places among the 23).
    const shuffled = fields.map((_f, i) => fields[(i * 7) % fields.length]!);
    expect(new Set(shuffled.map(([f]) => f)).size).toBe(fields.length);
    expect(reversed).toEqual(inOrder);
    expect(encodeCommandSet(Object.fromEntries(shuffled) as unknown as CommandSet)).toEqual(inOrder);
    // Unset (undefined) and unknown properties are left out, wherever they stand.
    const withGaps = { notACommandField: 5, ...Object.fromEntries([...fields].reverse()), status: undefined };
    const withoutStatus = Object.fromEntries(fields.filter(([f]) => f !== 'status'));
    expect(encodeCommandSet(withGaps as unknown as CommandSet)).toEqual(encodeCommandSet(withoutStatus as unknown as CommandSet));
  });

  it.each([
    ['truncated element header', hex('00000000 04000000')],
    ['value overruns', hex('00000001 08000000 3000')],
    ['no CommandField', hex('00000008 02000000 0101')],
    ['no CommandDataSetType', hex('00000001 02000000 3000')],
    ['US of the wrong length', hex('00000001 04000000 30000000 00000008 02000000 0101')],
    ['element outside group 0000', hex('08001600 02000000 3100')],
  ])('%s -> DimseDecodeError', (_name, bytes) => {
    expect(() => decodeCommandSet(bytes)).toThrow(DimseDecodeError);
  });

  it('skips unknown command elements and strips padding', () => {
    const bytes = hex(`
      00000200 08000000 312e322e3300 2020          # UI "1.2.3" with NUL and stray spaces
      00000001 02000000 3000
      0000ff0f 02000000 abcd                       # (0000,0FFF)? unknown element
      00000008 02000000 0101
    `);
    expect(decodeCommandSet(bytes)).toEqual({ affectedSopClassUid: '1.2.3', commandField: 0x30, commandDataSetType: 0x0101 });
  });

  it('makeResponse answers with command field | 0x8000 and the request\'s message ID', () => {
    const rsp = makeResponse({ commandField: 0x0001, messageId: 9, affectedSopClassUid: '1.2', affectedSopInstanceUid: '1.2.3', commandDataSetType: 0 }, 0xb000);
    expect(rsp).toMatchObject({ commandField: 0x8001, messageIdBeingRespondedTo: 9, affectedSopClassUid: '1.2', affectedSopInstanceUid: '1.2.3', status: 0xb000, commandDataSetType: 0x0101 });
  });
});
