import { describe, expect, it } from 'vitest';
import { decodePdu } from '../../../src-main/dicomnet/pdu/decode';
import type { AAssociateAc, AAssociateRq, PDataTf, UserInformation } from '../../../src-main/dicomnet/pdu/types';
import { PduDecodeError } from '../../../src-main/dicomnet/pdu/types';
import {
  APP_CONTEXT_ITEM,
  IMPL_UID_SUB_ITEM,
  MAX_LENGTH_SUB_ITEM,
  MINIMAL_USER_INFO,
  VERIFICATION_PC_AC,
  VERIFICATION_PC_RQ,
  ascii,
  associateFixed,
  cat,
  item,
  minimalRqBody,
  rqBody,
  u16,
  u32,
  userInfo,
} from '../../fixtures/pdu/build';
import { ECHOSCU_RQ, ECHOSCU_RQ_PDU, STORESCP_AC, STORESCP_AC_PDU, STORESCP_RELEASE_RP } from '../../fixtures/pdu/dcmtk';
import { hexBytes } from '../../fixtures/pdu/hex';
import { ALL_VECTORS, KITCHEN_SINK_AC, KITCHEN_SINK_RQ, PDATA_TWO_PDVS } from '../../fixtures/pdu/vectors';

/** Splits a whole PDU into (type, body) and decodes it. */
function decodeWhole(bytes: Buffer): ReturnType<typeof decodePdu> {
  return decodePdu(bytes[0] ?? -1, bytes.subarray(6));
}

function decodeRq(body: Buffer): AAssociateRq {
  return decodePdu(0x01, body) as AAssociateRq;
}

function userInfoOf(...subItems: Buffer[]): UserInformation {
  return decodeRq(minimalRqBody(...subItems)).userInformation;
}

/** The PduDecodeError that decoding throws; fails the test if nothing or something else is thrown. */
function decodeError(type: number, body: Uint8Array): PduDecodeError {
  try {
    decodePdu(type, body);
  } catch (err) {
    if (err instanceof PduDecodeError) return err;
    throw new Error(`expected PduDecodeError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected PduDecodeError, but the PDU decoded');
}

const PC_AC_REJECTED_NO_TS = item(0x21, [3, 0, 4, 0]);

describe('decodePdu: hand-written vectors', () => {
  for (const v of ALL_VECTORS) {
    it(`decodes ${v.name}`, () => {
      expect(decodeWhole(hexBytes(v.hex))).toEqual(v.pdu);
    });
  }
});

describe('decodePdu: DCMTK captures', () => {
  it('decodes the A-ASSOCIATE-RQ of echoscu, ignoring its 0xff reserved byte', () => {
    expect(decodeWhole(hexBytes(ECHOSCU_RQ))).toEqual(ECHOSCU_RQ_PDU);
  });
  it('decodes the A-ASSOCIATE-AC of storescp', () => {
    expect(decodeWhole(hexBytes(STORESCP_AC))).toEqual(STORESCP_AC_PDU);
  });
  it('decodes the A-RELEASE-RP of storescp', () => {
    expect(decodeWhole(hexBytes(STORESCP_RELEASE_RP))).toEqual({ type: 0x06 });
  });
});

describe('decodePdu: views, not copies', () => {
  it('PDV data are views into the body', () => {
    const bytes = hexBytes(PDATA_TWO_PDVS.hex);
    const body = bytes.subarray(6);
    const pdu = decodePdu(0x04, body) as PDataTf;
    expect(pdu.pdvs[0]!.data.buffer).toBe(bytes.buffer);
    expect(pdu.pdvs[0]!.data.byteOffset).toBe(bytes.byteOffset + 12);
    expect(pdu.pdvs[1]!.data.byteOffset).toBe(bytes.byteOffset + 22);
  });

  it('works on a body that is a Uint8Array view at an odd offset of a larger buffer', () => {
    const bytes = hexBytes(KITCHEN_SINK_RQ.hex);
    const big = new Uint8Array(bytes.length + 7);
    big.set(bytes, 3);
    const pdu = decodePdu(0x01, big.subarray(3 + 6, 3 + bytes.length));
    expect(pdu).toMatchObject({ calledAeTitle: 'STORESCP', userInformation: { implementationVersionName: 'KITCHEN_SINK_01' } });
  });
});

describe('decodePdu: leniency', () => {
  it('skips unknown items at PDU level and inside presentation contexts', () => {
    const pc = item(0x20, cat([1, 0, 0, 0], item(0x7f, [9, 9]), item(0x30, ascii('1.2.840.10008.1.1')), item(0x40, ascii('1.2.840.10008.1.2'))));
    const pdu = decodeRq(rqBody(item(0x60, [1, 2, 3]), APP_CONTEXT_ITEM, pc, item(0xff, []), MINIMAL_USER_INFO));
    expect(pdu.presentationContexts).toEqual([{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }]);
    expect(pdu.applicationContextName).toBe('1.2.840.10008.3.1.1.1');
  });

  it('keeps unknown user information sub-items and skips them otherwise', () => {
    const ui = userInfoOf(item(0x5a, [1, 2]), item(0x60, []));
    expect(ui.unknownSubItems).toEqual([
      { type: 0x5a, data: Buffer.from([1, 2]) },
      { type: 0x60, data: Buffer.alloc(0) },
    ]);
    expect(ui.maximumLength).toBe(16384);
  });

  it('accepts items and sub-items in any order', () => {
    const ui = userInfo(item(0x55, ascii('V1')), IMPL_UID_SUB_ITEM, MAX_LENGTH_SUB_ITEM);
    const pc2 = item(0x20, cat([1, 0, 0, 0], item(0x40, ascii('1.2.840.10008.1.2')), item(0x30, ascii('1.2.840.10008.1.1'))));
    const shuffled = decodeRq(rqBody(ui, pc2, APP_CONTEXT_ITEM));
    const ordered = decodeRq(rqBody(APP_CONTEXT_ITEM, VERIFICATION_PC_RQ, userInfo(MAX_LENGTH_SUB_ITEM, IMPL_UID_SUB_ITEM, item(0x55, ascii('V1')))));
    expect(shuffled).toEqual(ordered);
  });

  it('decodes a missing maximum length as 0 and a missing implementation class UID as empty', () => {
    const pdu = decodeRq(rqBody(APP_CONTEXT_ITEM, VERIFICATION_PC_RQ, userInfo()));
    expect(pdu.userInformation.maximumLength).toBe(0);
    expect(pdu.userInformation.implementationClassUid).toBe('');
  });

  it('strips trailing NUL and space padding from UIDs', () => {
    const pc = item(0x20, cat([1, 0, 0, 0], item(0x30, ascii('1.2.840.10008.1.1\0')), item(0x40, ascii('1.2.840.10008.1.2 '))));
    const pdu = decodeRq(rqBody(item(0x10, ascii('1.2.840.10008.3.1.1.1\0')), pc, userInfo(MAX_LENGTH_SUB_ITEM, item(0x52, ascii('1.2.3 \0')))));
    expect(pdu.applicationContextName).toBe('1.2.840.10008.3.1.1.1');
    expect(pdu.presentationContexts[0]).toEqual({ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] });
    expect(pdu.userInformation.implementationClassUid).toBe('1.2.3');
  });

  it('trims AE titles on both sides', () => {
    const body = cat(associateFixed('  LEADING', 'X'), APP_CONTEXT_ITEM, VERIFICATION_PC_RQ, MINIMAL_USER_INFO);
    body.fill(0, 20 + 1, 20 + 16); // calling AE 'X' then NULs, as some devices pad
    const pdu = decodeRq(body);
    expect(pdu.calledAeTitle).toBe('LEADING');
    expect(pdu.callingAeTitle).toBe('X');
  });

  it('keeps the protocol version as received', () => {
    const pdu = decodeRq(cat(associateFixed('A', 'B', 0x0003), APP_CONTEXT_ITEM, VERIFICATION_PC_RQ, MINIMAL_USER_INFO));
    expect(pdu.protocolVersion).toBe(3);
  });

  it('accepts a rejected AC context without a transfer syntax sub-item', () => {
    const pdu = decodePdu(0x02, cat(associateFixed(), APP_CONTEXT_ITEM, VERIFICATION_PC_AC, PC_AC_REJECTED_NO_TS, MINIMAL_USER_INFO)) as AAssociateAc;
    expect(pdu.presentationContexts).toEqual([
      { id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' },
      { id: 3, result: 4, transferSyntax: '' },
    ]);
  });

  it('does not check the 0x57 sub-item version byte', () => {
    const body = cat(u16(3), ascii('1.2'), u16(3), ascii('1.3'), u16(5), u16(3), ascii('1.4'));
    const ui = userInfoOf(item(0x57, body, { byte1: 7 }));
    expect(ui.commonExtendedNegotiations).toEqual([{ sopClassUid: '1.2', serviceClassUid: '1.3', relatedGeneralSopClassUids: ['1.4'] }]);
  });

  it('decodes a user identity of type 1 with an empty secondary field and no response requested', () => {
    const ui = userInfoOf(item(0x58, cat([1, 0], u16(3), ascii('bob'), u16(0))));
    expect(ui.userIdentityRq).toEqual({ type: 1, positiveResponseRequested: false, primaryField: Buffer.from('bob'), secondaryField: Buffer.alloc(0) });
  });

  it('ignores reserved bytes and bits 2..7 of the PDV control header', () => {
    const pdu = decodePdu(0x04, cat(u32(3), [5, 0xfe, 0x42])) as PDataTf;
    expect(pdu.pdvs).toEqual([{ presentationContextId: 5, isCommand: false, isLast: true, data: Buffer.from([0x42]) }]);
    expect(decodePdu(0x03, Buffer.from([0xee, 2, 3, 1]))).toEqual({ type: 0x03, result: 2, source: 3, reason: 1 });
    expect(decodePdu(0x07, Buffer.from([0xee, 0xee, 2, 1]))).toEqual({ type: 0x07, source: 2, reason: 1 });
    expect(decodePdu(0x05, Buffer.from([1, 2, 3, 4]))).toEqual({ type: 0x05 });
  });

  it('accepts a PDV with an empty fragment (item length 2)', () => {
    const pdu = decodePdu(0x04, cat(u32(2), [1, 3])) as PDataTf;
    expect(pdu.pdvs).toEqual([{ presentationContextId: 1, isCommand: true, isLast: true, data: Buffer.alloc(0) }]);
  });
});

describe('decodePdu: malformed input', () => {
  const UNRECOGNIZED_PDU = 1;
  const UNEXPECTED = 5;
  const INVALID = 6;
  const ac = (...items: Buffer[]): Buffer => cat(associateFixed(), ...items);
  const pc = (id: number, ...subs: Buffer[]): Buffer => item(0x20, cat([id, 0, 0, 0], ...subs));
  const AS = item(0x30, ascii('1.2.840.10008.1.1'));
  const TS = item(0x40, ascii('1.2.840.10008.1.2'));

  const cases: [string, number, Buffer, number][] = [
    ['unknown PDU type 0x08', 0x08, Buffer.alloc(4), UNRECOGNIZED_PDU],
    ['unknown PDU type 0x00', 0x00, Buffer.alloc(4), UNRECOGNIZED_PDU],
    // fixed-size PDUs
    ['A-ASSOCIATE-RJ of length 3', 0x03, Buffer.alloc(3), INVALID],
    ['A-RELEASE-RQ of length 0', 0x05, Buffer.alloc(0), INVALID],
    ['A-RELEASE-RP of length 5', 0x06, Buffer.alloc(5), INVALID],
    ['A-ABORT of length 6', 0x07, Buffer.alloc(6), INVALID],
    // RQ/AC structure
    ['RQ shorter than its fixed part', 0x01, Buffer.alloc(67), INVALID],
    ['RQ with only the fixed part', 0x01, associateFixed(), INVALID],
    ['RQ item header cut short', 0x01, cat(minimalRqBody(), [0x60, 0, 0]), INVALID],
    ['RQ item length overrunning the PDU', 0x01, cat(minimalRqBody(), item(0x60, [1, 2], { length: 3 })), INVALID],
    ['RQ without application context', 0x01, rqBody(VERIFICATION_PC_RQ, MINIMAL_USER_INFO), INVALID],
    ['RQ without presentation context', 0x01, rqBody(APP_CONTEXT_ITEM, MINIMAL_USER_INFO), INVALID],
    ['RQ without user information', 0x01, rqBody(APP_CONTEXT_ITEM, VERIFICATION_PC_RQ), INVALID],
    ['RQ with two application contexts', 0x01, rqBody(APP_CONTEXT_ITEM, APP_CONTEXT_ITEM, VERIFICATION_PC_RQ, MINIMAL_USER_INFO), UNEXPECTED],
    ['RQ with two user information items', 0x01, rqBody(APP_CONTEXT_ITEM, VERIFICATION_PC_RQ, MINIMAL_USER_INFO, MINIMAL_USER_INFO), UNEXPECTED],
    ['RQ with an AC presentation context', 0x01, rqBody(APP_CONTEXT_ITEM, VERIFICATION_PC_RQ, VERIFICATION_PC_AC, MINIMAL_USER_INFO), UNEXPECTED],
    ['AC with an RQ presentation context', 0x02, ac(APP_CONTEXT_ITEM, VERIFICATION_PC_RQ, MINIMAL_USER_INFO), UNEXPECTED],
    ['RQ with a sub-item at PDU level', 0x01, cat(minimalRqBody(), MAX_LENGTH_SUB_ITEM), UNEXPECTED],
    ['AC without user information', 0x02, ac(APP_CONTEXT_ITEM, VERIFICATION_PC_AC), INVALID],
    ['AC without presentation context', 0x02, ac(APP_CONTEXT_ITEM, MINIMAL_USER_INFO), INVALID],
    // presentation contexts
    ['presentation context item shorter than 4', 0x01, rqBody(APP_CONTEXT_ITEM, item(0x20, [1, 0, 0]), MINIMAL_USER_INFO), INVALID],
    ['even presentation context ID', 0x01, rqBody(APP_CONTEXT_ITEM, pc(2, AS, TS), MINIMAL_USER_INFO), INVALID],
    ['presentation context ID 0', 0x01, rqBody(APP_CONTEXT_ITEM, pc(0, AS, TS), MINIMAL_USER_INFO), INVALID],
    ['duplicate presentation context ID', 0x01, rqBody(APP_CONTEXT_ITEM, pc(1, AS, TS), pc(1, AS, TS), MINIMAL_USER_INFO), INVALID],
    ['context without abstract syntax', 0x01, rqBody(APP_CONTEXT_ITEM, pc(1, TS), MINIMAL_USER_INFO), INVALID],
    ['context without transfer syntax', 0x01, rqBody(APP_CONTEXT_ITEM, pc(1, AS), MINIMAL_USER_INFO), INVALID],
    ['context with two abstract syntaxes', 0x01, rqBody(APP_CONTEXT_ITEM, pc(1, AS, AS, TS), MINIMAL_USER_INFO), UNEXPECTED],
    ['context with an application context inside', 0x01, rqBody(APP_CONTEXT_ITEM, pc(1, AS, TS, APP_CONTEXT_ITEM), MINIMAL_USER_INFO), UNEXPECTED],
    ['sub-item length lying past its context', 0x01, rqBody(APP_CONTEXT_ITEM, pc(1, AS, item(0x40, ascii('1.2'), { length: 40 })), MINIMAL_USER_INFO), INVALID],
    ['accepted AC context without transfer syntax', 0x02, ac(APP_CONTEXT_ITEM, item(0x21, [1, 0, 0, 0]), MINIMAL_USER_INFO), INVALID],
    ['AC context with two transfer syntaxes', 0x02, ac(APP_CONTEXT_ITEM, item(0x21, cat([1, 0, 0, 0], TS, TS)), MINIMAL_USER_INFO), UNEXPECTED],
    // user information sub-items
    ['maximum length of 2 bytes', 0x01, rqBody(APP_CONTEXT_ITEM, VERIFICATION_PC_RQ, userInfo(item(0x51, [0, 1]))), INVALID],
    ['maximum length of 5 bytes', 0x01, rqBody(APP_CONTEXT_ITEM, VERIFICATION_PC_RQ, userInfo(item(0x51, [0, 0, 1, 0, 0]))), INVALID],
    ['maximum length 3: too small for any PDV', 0x01, rqBody(APP_CONTEXT_ITEM, VERIFICATION_PC_RQ, userInfo(item(0x51, u32(3)))), INVALID],
    ['maximum length 7 in an AC: too small for any PDV', 0x02, ac(APP_CONTEXT_ITEM, VERIFICATION_PC_AC, userInfo(item(0x51, u32(7)))), INVALID],
    ['two maximum lengths', 0x01, minimalRqBody(MAX_LENGTH_SUB_ITEM), UNEXPECTED],
    ['two implementation class UIDs', 0x01, minimalRqBody(IMPL_UID_SUB_ITEM), UNEXPECTED],
    ['async window of 3 bytes', 0x01, minimalRqBody(item(0x53, [0, 1, 0])), INVALID],
    ['role selection UID length overrunning', 0x01, minimalRqBody(item(0x54, cat(u16(9), ascii('1.2'), [1, 0]))), INVALID],
    ['role selection with a byte left over', 0x01, minimalRqBody(item(0x54, cat(u16(3), ascii('1.2'), [1, 0, 0]))), INVALID],
    ['role selection without roles', 0x01, minimalRqBody(item(0x54, cat(u16(3), ascii('1.2')))), INVALID],
    ['extended negotiation UID length overrunning', 0x01, minimalRqBody(item(0x56, cat(u16(4), ascii('1.2')))), INVALID],
    ['common extended negotiation list length lying', 0x01, minimalRqBody(item(0x57, cat(u16(3), ascii('1.2'), u16(3), ascii('1.3'), u16(9), u16(3), ascii('1.4')))), INVALID],
    ['common extended negotiation entry overrunning its list', 0x01, minimalRqBody(item(0x57, cat(u16(3), ascii('1.2'), u16(3), ascii('1.3'), u16(4), u16(3), ascii('1.4')))), INVALID],
    ['common extended negotiation without list length', 0x01, minimalRqBody(item(0x57, cat(u16(3), ascii('1.2'), u16(3), ascii('1.3')))), INVALID],
    ['user identity cut in the secondary field', 0x01, minimalRqBody(item(0x58, cat([2, 1], u16(1), ascii('a'), u16(5), ascii('abc')))), INVALID],
    ['user identity without secondary length', 0x01, minimalRqBody(item(0x58, cat([1, 0], u16(1), ascii('a')))), INVALID],
    ['two user identities', 0x01, minimalRqBody(item(0x58, cat([1, 0], u16(1), ascii('a'), u16(0))), item(0x58, cat([1, 0], u16(1), ascii('b'), u16(0)))), UNEXPECTED],
    ['user identity response length lying', 0x01, minimalRqBody(item(0x59, cat(u16(5), ascii('ok')))), INVALID],
    ['application context inside user information', 0x01, minimalRqBody(APP_CONTEXT_ITEM), UNEXPECTED],
    ['sub-item length overrunning the user information item', 0x01, rqBody(APP_CONTEXT_ITEM, VERIFICATION_PC_RQ, userInfo(MAX_LENGTH_SUB_ITEM, item(0x52, ascii('1.2'), { length: 10 }))), INVALID],
    // P-DATA-TF
    ['P-DATA-TF without PDVs', 0x04, Buffer.alloc(0), INVALID],
    ['PDV item length 0 (zero-length PDV)', 0x04, cat(u32(0)), INVALID],
    ['PDV item length 1', 0x04, cat(u32(1), [1]), INVALID],
    ['PDV item length overrunning the PDU', 0x04, cat(u32(10), [1, 3, 0, 0]), INVALID],
    ['PDV item length overrunning by one byte', 0x04, cat(u32(4), [1, 3, 0]), INVALID],
    ['3 bytes after the last PDV', 0x04, cat(u32(2), [1, 3], [0, 0, 0]), INVALID],
    ['second PDV with length 0', 0x04, cat(u32(2), [1, 3], u32(0)), INVALID],
    ['PDV item length 0xFFFFFFFF', 0x04, cat(u32(0xffffffff), [1, 3]), INVALID],
  ];

  for (const [name, type, body, reason] of cases) {
    it(`${name} -> reason ${reason}`, () => {
      const err = decodeError(type, body);
      expect(err.abortReason).toBe(reason);
      expect(err.message.length).toBeGreaterThan(10);
    });
  }

  it('a bad user information sub-item is named in the message (type, and the field within it)', () => {
    expect(decodeError(0x01, minimalRqBody(item(0x54, cat(u16(3), ascii('1.2'), [1, 0, 0])))).message).toMatch(/^user information sub-item 0x54: 1 bytes left over/);
    expect(decodeError(0x01, minimalRqBody(item(0x57, cat(u16(3), ascii('1.2'), u16(3), ascii('1.3'), u16(4), u16(3), ascii('1.4'))))).message).toMatch(
      /^user information sub-item 0x57 related general SOP class list: needs 3 more bytes/,
    );
  });

  it('every truncation of an RQ or AC body is reason 6', () => {
    for (const v of [KITCHEN_SINK_RQ, KITCHEN_SINK_AC]) {
      const bytes = hexBytes(v.hex);
      const body = bytes.subarray(6);
      for (let n = 0; n < body.length; n++) {
        const err = decodeError(bytes[0]!, body.subarray(0, n));
        expect(err.abortReason, `${v.name} cut to ${n} bytes`).toBe(INVALID);
      }
    }
  });

  it('every item length lie of +1 in the kitchen-sink RQ is caught', () => {
    const bytes = hexBytes(KITCHEN_SINK_RQ.hex);
    const body = bytes.subarray(6);
    // Walk the items and sub-items of the vector and bump each u16 length by one.
    const lengthOffsets: number[] = [];
    const walk = (start: number, end: number, nested: ReadonlySet<number>): void => {
      for (let o = start; o < end; o += 4 + body.readUInt16BE(o + 2)) {
        lengthOffsets.push(o + 2);
        const type = body[o]!;
        if (nested.has(type)) walk(o + 4 + (type === 0x50 ? 0 : 4), o + 4 + body.readUInt16BE(o + 2), new Set());
      }
    };
    walk(68, body.length, new Set([0x20, 0x50]));
    expect(lengthOffsets.length).toBe(4 + 3 + 2 + 8); // 4 items; 3 + 2 sub-items in the contexts; 8 in user information
    for (const at of lengthOffsets) {
      const lie = Buffer.from(body);
      lie.writeUInt16BE(lie.readUInt16BE(at) + 1, at);
      expect(() => decodePdu(0x01, lie), `length at body offset ${at}`).toThrow(PduDecodeError);
    }
  });
});

describe('decodePdu: error type', () => {
  it('PduDecodeError is an Error with a name', () => {
    const err = decodeError(0x09, Buffer.alloc(0));
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('PduDecodeError');
    expect(err.message).toMatch(/0x09/);
  });

  it('P-DATA errors say where', () => {
    expect(decodeError(0x04, cat(u32(2), [1, 3], u32(0))).message).toMatch(/offset 6/);
  });
});

// Keeps the single PDV vector honest for the framer tests too.
it('the P-DATA vector has two PDVs', () => {
  expect((decodeWhole(hexBytes(PDATA_TWO_PDVS.hex)) as PDataTf).pdvs).toHaveLength(2);
});
