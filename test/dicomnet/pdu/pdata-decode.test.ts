// P-DATA-TF bodies (PS3.8 §9.3.5): PDVs decoded as views of the body, and the malformed bodies that
// become an A-ABORT with invalid-PDU-parameter-value.

import { describe, expect, it } from 'vitest';
import { decodePdu } from '../../../src-main/dicomnet/pdu/decode';
import { encodePdu } from '../../../src-main/dicomnet/pdu/encode';
import { PduDecodeError, type PDataTf } from '../../../src-main/dicomnet/pdu/types';

const body = encodePdu({ type: 0x04, pdvs: [
  { presentationContextId: 1, isCommand: true, isLast: true, data: Buffer.from('0102030405060708', 'hex') },
  { presentationContextId: 3, isCommand: false, isLast: false, data: Buffer.from('aabbccddeeff', 'hex') },
  { presentationContextId: 3, isCommand: false, isLast: true, data: Buffer.alloc(0) },
] }).subarray(6);

describe('P-DATA-TF decoding', () => {
  it('gives every PDV with its context, flags and data, as views of the body', () => {
    const pdvs = (decodePdu(0x04, body) as PDataTf).pdvs;
    expect(pdvs.map((p) => [p.presentationContextId, p.isCommand, p.isLast, Buffer.from(p.data).toString('hex')])).toEqual([
      [1, true, true, '0102030405060708'],
      [3, false, false, 'aabbccddeeff'],
      [3, false, true, ''],
    ]);
    for (const p of pdvs) expect(p.data.buffer).toBe(body.buffer);
    expect(pdvs[1]!.data.byteOffset).toBe(body.byteOffset + 14 + 6);
  });

  it.each([
    ['an empty body', '', /carries no PDV item/],
    ['a length below 2', '0000000101', /item length 1 at offset 0 is below the minimum of 2/],
    ['a length past the end', '0000001001030000', /item length 16 at offset 0 overruns the PDU \(4 bytes left\)/],
    ['3 stray bytes after a PDV', '00000003010302000000', /3 bytes left at offset 7, too few for a PDV item length/],
    ['a second PDV overrunning', '000000030103020000000901', /item length 9 at offset 7 overruns/],
  ])('rejects %s with invalid-PDU-parameter-value', (_what, hex, message) => {
    let err: unknown;
    try {
      decodePdu(0x04, Buffer.from(hex, 'hex'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PduDecodeError);
    expect((err as PduDecodeError).message).toMatch(message);
    expect((err as PduDecodeError).abortReason).toBe(6);
  });
});
