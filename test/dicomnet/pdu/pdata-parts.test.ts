// decodePDataParts: a P-DATA-TF body in several chunks decodes to the same message fragments as the
// joined body, for every way of cutting it, with the same errors for malformed bodies.

import { describe, expect, it } from 'vitest';
import { decodePdu, decodePDataParts } from '../../../src-main/dicomnet/pdu/decode';
import { encodePdu } from '../../../src-main/dicomnet/pdu/encode';
import { PduDecodeError, type PDataTf, type PresentationDataValue } from '../../../src-main/dicomnet/pdu/types';

/** Joins consecutive sub-PDVs (same context and type, not yet last) back into wire PDVs. */
function merged(pdvs: readonly PresentationDataValue[]): { id: number; cmd: boolean; last: boolean; hex: string }[] {
  const out: { id: number; cmd: boolean; last: boolean; hex: string }[] = [];
  let open: { id: number; cmd: boolean; last: boolean; hex: string } | undefined;
  for (const p of pdvs) {
    if (!open) open = { id: p.presentationContextId, cmd: p.isCommand, last: false, hex: '' };
    open.hex += Buffer.from(p.data).toString('hex');
    if (p.isLast || p === pdvs[pdvs.length - 1]) {
      open.last = p.isLast;
      out.push(open);
      open = undefined;
    }
  }
  return out;
}

function cut(body: Buffer, points: number[]): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (const p of [...points, body.length]) {
    parts.push(body.subarray(from, p));
    from = p;
  }
  return parts;
}

const body = encodePdu({ type: 0x04, pdvs: [
  { presentationContextId: 1, isCommand: true, isLast: true, data: Buffer.from('0102030405060708', 'hex') },
  { presentationContextId: 1, isCommand: false, isLast: false, data: Buffer.from('aabbccddeeff', 'hex') },
  { presentationContextId: 1, isCommand: false, isLast: true, data: Buffer.from('1122', 'hex') },
] }).subarray(6);

describe('decodePDataParts', () => {
  const whole = decodePdu(0x04, body) as PDataTf;

  it('every split into two and three parts gives the same fragments as the joined body', () => {
    for (let a = 1; a < body.length; a++) {
      expect(merged(decodePDataParts(cut(body, [a])).pdvs), `cut at ${a}`).toEqual(merged(whole.pdvs));
      for (let b = a + 1; b < body.length; b += 3) {
        expect(merged(decodePDataParts(cut(body, [a, b])).pdvs)).toEqual(merged(whole.pdvs));
      }
    }
  });

  it('only the final piece of a PDV split across parts keeps the Last bit; pieces are views', () => {
    const parts = cut(body, [10]); // inside the command PDV's data (bytes 6..13)
    const pdvs = decodePDataParts(parts).pdvs;
    expect(pdvs[0]).toMatchObject({ isCommand: true, isLast: false });
    expect(pdvs[1]).toMatchObject({ isCommand: true, isLast: true });
    expect(pdvs[0]!.data.buffer).toBe(parts[0]!.buffer);
  });

  it.each([
    ['an empty body', [Buffer.alloc(0)], /carries no PDV item/],
    ['a length below 2', [Buffer.from('00000001', 'hex'), Buffer.from('01', 'hex')], /below the minimum of 2/],
    ['a length past the end', [Buffer.from('0000', 'hex'), Buffer.from('00100103', 'hex')], /overruns the PDU/],
    ['3 stray bytes', [Buffer.from('00000003010302', 'hex'), Buffer.from('0000', 'hex'), Buffer.from('00', 'hex')], /too few for a PDV item length/],
  ])('rejects %s with invalid-PDU-parameter-value', (_what, parts, message) => {
    let err: unknown;
    try {
      decodePDataParts(parts as Buffer[]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PduDecodeError);
    expect((err as PduDecodeError).message).toMatch(message);
    expect((err as PduDecodeError).abortReason).toBe(6);
  });
});
