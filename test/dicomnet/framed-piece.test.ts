// Pieces read into room left for their P-DATA-TF headers (dimse/framed-piece.ts), byte for byte.
import { describe, expect, it } from 'vitest';
import { FramedPiece, framedCapacity, payloadSlots } from '../../src-main/dicomnet/dimse/framed-piece';

describe('FramedPiece', () => {
  it('seals 10 bytes in fragments of 4: three PDUs, headers in place, the last flagged', () => {
    const buf = Buffer.alloc(48, 0xee);
    const slots = payloadSlots(buf, 4, 10);
    expect(slots.map((s) => s.length)).toEqual([4, 4, 2]);
    Buffer.from('0123456789').copy(slots[0]!, 0, 0, 4);
    Buffer.from('0123456789').copy(slots[1]!, 0, 4, 8);
    Buffer.from('0123456789').copy(slots[2]!, 0, 8, 10);
    const pdus = new FramedPiece(buf, 10, 4).seal(5, true);
    const pdu = (len: number, last: boolean, data: string) =>
      Buffer.concat([Buffer.from([0x04, 0, 0, 0, 0, len + 6, 0, 0, 0, len + 2, 5, last ? 0x02 : 0x00]), Buffer.from(data)]);
    expect(pdus.toString('hex')).toBe(Buffer.concat([pdu(4, false, '0123'), pdu(4, false, '4567'), pdu(2, true, '89')]).toString('hex'));
    // Not the last piece of its data set: no fragment is flagged last.
    const notLast = new FramedPiece(buf, 10, 4).seal(5, false);
    expect([notLast[11], notLast[27], notLast[43]]).toEqual([0x00, 0x00, 0x00]);
    expect(notLast.length).toBe(46);
  });

  it('payload() gives the fragments back in order', () => {
    const buf = Buffer.alloc(100);
    for (const [i, s] of payloadSlots(buf, 8, 20).entries()) s.fill(i + 1);
    expect(Buffer.concat(new FramedPiece(buf, 20, 8).payload()).toString('hex')).toBe('01'.repeat(8) + '02'.repeat(8) + '03'.repeat(4));
  });

  it('capacity: whole fragments that fit with their headers, at most 1 024 (IOV_MAX), else one even fragment', () => {
    expect(framedCapacity(1_310_720, 131_066)).toBe(9 * 131_066);
    expect(framedCapacity(1_310_720, 16_378)).toBe(79 * 16_378);
    expect(framedCapacity(1_310_720, 100)).toBe(1024 * 100);
    expect(framedCapacity(1_310_720, 2 * 1024 * 1024)).toBe(1_310_708);
    expect(framedCapacity(1001, 4000)).toBe(988);
  });
});
