import { describe, expect, it } from 'vitest';
import { decodePdu } from '../../../src-main/dicomnet/pdu/decode';
import { encodePDataHeader, encodePdu } from '../../../src-main/dicomnet/pdu/encode';
import type { AAssociateAc, AAssociateRq, PDataTf, UserInformation } from '../../../src-main/dicomnet/pdu/types';
import {
  ECHOSCU_RQ,
  ECHOSCU_RQ_CAPTURED,
  ECHOSCU_RQ_PDU,
  ECHOSCU_RQ_RESERVED_FF_OFFSET,
  STORESCP_AC,
  STORESCP_AC_CAPTURED,
  STORESCP_AC_PDU,
  STORESCP_RELEASE_RP,
  STORESCP_RELEASE_RP_CAPTURED,
} from '../../fixtures/pdu/dcmtk';
import { hexBytes } from '../../fixtures/pdu/hex';
import { ALL_VECTORS, KITCHEN_SINK_AC, KITCHEN_SINK_RQ, PDATA_TWO_PDVS } from '../../fixtures/pdu/vectors';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const baseUserInfo: UserInformation = {
  maximumLength: 16384,
  implementationClassUid: '1.2.3',
  roleSelections: [],
  extendedNegotiations: [],
  commonExtendedNegotiations: [],
  unknownSubItems: [],
};

const baseRq: AAssociateRq = {
  type: 0x01,
  protocolVersion: 1,
  calledAeTitle: 'CALLED',
  callingAeTitle: 'CALLING',
  applicationContextName: '1.2.840.10008.3.1.1.1',
  presentationContexts: [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
  userInformation: baseUserInfo,
};

const baseAc: AAssociateAc = {
  type: 0x02,
  protocolVersion: 1,
  calledAeTitle: 'CALLED',
  callingAeTitle: 'CALLING',
  applicationContextName: '1.2.840.10008.3.1.1.1',
  presentationContexts: [{ id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' }],
  userInformation: baseUserInfo,
};

const withUserInfo = (patch: Partial<UserInformation>): AAssociateRq => ({ ...baseRq, userInformation: { ...baseUserInfo, ...patch } });

/** Sub-item types of the 0x50 item of an encoded RQ/AC, in wire order. */
function userInfoSubItemTypes(pdu: Buffer): number[] {
  let o = 6 + 68;
  while (pdu[o] !== 0x50) o += 4 + pdu.readUInt16BE(o + 2);
  const end = o + 4 + pdu.readUInt16BE(o + 2);
  const types: number[] = [];
  for (o += 4; o < end; o += 4 + pdu.readUInt16BE(o + 2)) types.push(pdu[o] ?? -1);
  return types;
}

describe('encodePdu: hand-written vectors', () => {
  for (const v of ALL_VECTORS) {
    it(`encodes ${v.name} byte for byte`, () => {
      expect(hex(encodePdu(v.pdu))).toBe(hex(hexBytes(v.hex)));
    });
  }
});

describe('encodePdu: DCMTK captures', () => {
  it('the annotated fixtures are exactly the captured bytes', () => {
    expect(hex(hexBytes(ECHOSCU_RQ))).toBe(ECHOSCU_RQ_CAPTURED);
    expect(hex(hexBytes(STORESCP_AC))).toBe(STORESCP_AC_CAPTURED);
    expect(hex(hexBytes(STORESCP_RELEASE_RP))).toBe(STORESCP_RELEASE_RP_CAPTURED);
  });

  it('encodes what echoscu 3.6.7 sends, except the reserved byte DCMTK sets to 0xff', () => {
    const expected = hexBytes(ECHOSCU_RQ);
    expect(expected[ECHOSCU_RQ_RESERVED_FF_OFFSET]).toBe(0xff);
    expected[ECHOSCU_RQ_RESERVED_FF_OFFSET] = 0; // we send zeros in reserved fields
    expect(hex(encodePdu(ECHOSCU_RQ_PDU))).toBe(hex(expected));
  });

  it('encodes exactly what storescp 3.6.7 answers', () => {
    expect(hex(encodePdu(STORESCP_AC_PDU))).toBe(STORESCP_AC_CAPTURED);
  });

  it('encodes A-RELEASE-RP as storescp does', () => {
    expect(hex(encodePdu({ type: 0x06 }))).toBe(STORESCP_RELEASE_RP_CAPTURED);
  });
});

describe('encodePdu: layout rules', () => {
  it('pads AE titles with spaces to 16 bytes and takes a full 16-character title', () => {
    const out = encodePdu({ ...baseRq, calledAeTitle: 'A', callingAeTitle: 'SIXTEEN_CHARS_AE' });
    expect(out.subarray(10, 26).toString('latin1')).toBe('A' + ' '.repeat(15));
    expect(out.subarray(26, 42).toString('latin1')).toBe('SIXTEEN_CHARS_AE');
  });

  it('writes UIDs without padding, also odd-length ones', () => {
    const out = encodePdu(baseRq);
    // application context item right after the fixed part: length 21, no trailing NUL or space
    expect(out.subarray(74, 78)).toEqual(Buffer.from([0x10, 0, 0, 21]));
    expect(out.subarray(78, 99).toString('latin1')).toBe('1.2.840.10008.3.1.1.1');
    expect(out[99]).toBe(0x20); // next item starts at once
  });

  it('puts user information sub-items in ascending type order, unknown ones included', () => {
    const out = encodePdu(
      withUserInfo({
        unknownSubItems: [
          { type: 0x60, data: Buffer.from([1]) },
          { type: 0x5a, data: Buffer.from([2, 3]) },
        ],
        userIdentityRq: { type: 1, positiveResponseRequested: false, primaryField: Buffer.from('u'), secondaryField: Buffer.alloc(0) },
        implementationVersionName: 'V',
        asynchronousOperationsWindow: { maxOperationsInvoked: 1, maxOperationsPerformed: 1 },
        roleSelections: [{ sopClassUid: '1.2', scuRole: 1, scpRole: 0 }],
        extendedNegotiations: [{ sopClassUid: '1.2', serviceClassApplicationInformation: Buffer.from([1]) }],
        commonExtendedNegotiations: [{ sopClassUid: '1.2', serviceClassUid: '1.3', relatedGeneralSopClassUids: [] }],
      }),
    );
    expect(userInfoSubItemTypes(out)).toEqual([0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x5a, 0x60]);
  });

  it('merges unknown sub-items of a type below the known ones in front, those of one type in the order given', () => {
    const out = encodePdu(
      withUserInfo({
        unknownSubItems: [
          { type: 0x5b, data: Buffer.from([1]) },
          { type: 0x45, data: Buffer.from([0xaa]) },
          { type: 0x45, data: Buffer.from([0xbb, 0xcc]) },
        ],
        implementationVersionName: 'V',
      }),
    );
    expect(userInfoSubItemTypes(out)).toEqual([0x45, 0x45, 0x51, 0x52, 0x55, 0x5b]);
    const first = out.indexOf(Buffer.from([0x45, 0x00, 0x00, 0x01]), 6 + 68);
    expect(hex(out.subarray(first, first + 11))).toBe('45000001aa' + '45000002bbcc');
  });

  it('gives each PDU its own bytes: a later encoding does not change an earlier one', () => {
    const first = encodePdu(baseRq);
    const copy = Buffer.from(first);
    encodePdu({ ...baseRq, callingAeTitle: 'OTHER', presentationContexts: [{ id: 3, abstractSyntax: '1.2.3', transferSyntaxes: ['1.2.840.10008.1.2'] }] });
    expect(first).toEqual(copy);
  });

  it('encodes an RQ larger than the writer starts with (128 contexts) byte for byte as a round trip', () => {
    const presentationContexts = Array.from({ length: 128 }, (_, i) => ({ id: 2 * i + 1, abstractSyntax: `1.2.840.10008.5.1.4.1.1.${i}`, transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] }));
    const out = encodePdu({ ...baseRq, presentationContexts });
    expect(out.length).toBeGreaterThan(4096);
    expect(out.readUInt32BE(2)).toBe(out.length - 6);
    expect(decodePdu(out[0]!, out.subarray(6))).toMatchObject({ presentationContexts });
  });

  it('writes the 0x57 sub-item version byte as 0 and the related-class list with its own length', () => {
    const out = encodePdu(withUserInfo({ commonExtendedNegotiations: [{ sopClassUid: '1.2', serviceClassUid: '1.3', relatedGeneralSopClassUids: ['1.4', '1.55'] }] }));
    const at = out.indexOf(Buffer.from([0x57]), 6 + 68 + 25);
    // 57 00 | len (2+3) + (2+3) + 2 + (2+3 + 2+4) = 23 | 00 03 '1.2' | 00 03 '1.3' | 00 0b | 00 03 '1.4' | 00 04 '1.55'
    expect(hex(out.subarray(at, at + 27))).toBe('57000017' + '0003' + hex(Buffer.from('1.2')) + '0003' + hex(Buffer.from('1.3')) + '000b' + '0003' + hex(Buffer.from('1.4')) + '0004' + hex(Buffer.from('1.55')));
  });

  it('writes a user identity of type 1 with an empty secondary field', () => {
    const out = encodePdu(withUserInfo({ userIdentityRq: { type: 1, positiveResponseRequested: false, primaryField: Buffer.from('bob'), secondaryField: Buffer.alloc(0) } }));
    const at = out.length - 13; // the 0x58 sub-item is last: 4 + 1 + 1 + 2 + 3 + 2
    expect(hex(out.subarray(at))).toBe('58000009' + '01' + '00' + '0003' + hex(Buffer.from('bob')) + '0000');
  });

  it('echoes reserved AE fields in the AC without the RQ character rules', () => {
    const out = encodePdu({ ...baseAc, calledAeTitle: 'A\\B', callingAeTitle: '' });
    expect(out.subarray(10, 26).toString('latin1')).toBe('A\\B'.padEnd(16, ' '));
    expect(out.subarray(26, 42).toString('latin1')).toBe(' '.repeat(16));
  });

  it('allows an empty transfer syntax in a rejected AC context', () => {
    const out = encodePdu({ ...baseAc, presentationContexts: [{ id: 1, result: 3, transferSyntax: '' }] });
    const at = 6 + 68 + 25;
    expect(hex(out.subarray(at, at + 12))).toBe('21000008' + '01000300' + '40000000');
  });

  it('writes every PDV control header combination', () => {
    const pdu: PDataTf = {
      type: 0x04,
      pdvs: [
        { presentationContextId: 1, isCommand: false, isLast: false, data: Buffer.alloc(0) },
        { presentationContextId: 1, isCommand: true, isLast: false, data: Buffer.alloc(0) },
        { presentationContextId: 1, isCommand: false, isLast: true, data: Buffer.alloc(0) },
        { presentationContextId: 1, isCommand: true, isLast: true, data: Buffer.alloc(0) },
      ],
    };
    expect(hex(encodePdu(pdu))).toBe('040000000018' + '000000020100' + '000000020101' + '000000020102' + '000000020103');
  });
});

describe('encodePDataHeader', () => {
  it('gives the 12 bytes before the fragment of a one-PDV P-DATA-TF', () => {
    const h = encodePDataHeader(3, true, true, 4);
    // 04 00 | PDU length 10 = 4 + 2 + 4 | PDV length 6 = 2 + 4 | PC-ID 3 | 0x03 command, last
    expect(hex(h)).toBe('04000000000a' + '00000006' + '03' + '03');
  });

  it('header + fragment equals encodePdu of the same single PDV', () => {
    const fragment = Buffer.from(Array.from({ length: 301 }, (_, i) => i & 0xff));
    for (const [isCommand, isLast] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const whole = encodePdu({ type: 0x04, pdvs: [{ presentationContextId: 255, isCommand, isLast, data: fragment }] });
      expect(hex(Buffer.concat([encodePDataHeader(255, isCommand, isLast, fragment.length), fragment]))).toBe(hex(whole));
    }
  });

  it('matches the first PDV of the hand-written P-DATA vector', () => {
    const bytes = hexBytes(PDATA_TWO_PDVS.hex);
    const h = encodePDataHeader(3, true, true, 4);
    expect(hex(h.subarray(6))).toBe(hex(bytes.subarray(6, 12)));
  });

  it('rejects an invalid presentation context ID or fragment length', () => {
    expect(() => encodePDataHeader(2, false, false, 1)).toThrow(/odd/);
    expect(() => encodePDataHeader(257, false, false, 1)).toThrow(/odd/);
    expect(() => encodePDataHeader(1, false, false, -1)).toThrow(/fragment length/);
    expect(() => encodePDataHeader(1, false, false, 1.5)).toThrow(/fragment length/);
    expect(() => encodePDataHeader(1, false, false, 0xffffffff)).toThrow(/fragment length/);
  });
});

describe('encodePdu: validation of caller values', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['AE title of 17 characters', () => encodePdu({ ...baseRq, calledAeTitle: 'SEVENTEEN_CHARS_X' }), /has 17/],
    ['AE title with a backslash', () => encodePdu({ ...baseRq, callingAeTitle: 'A\\B' }), /backslash/],
    ['AE title with a control character', () => encodePdu({ ...baseRq, callingAeTitle: 'A\nB' }), /control characters/],
    ['AE title with a non-ASCII character', () => encodePdu({ ...baseRq, callingAeTitle: 'ÄE' }), /printable ASCII/],
    ['AE title of only spaces', () => encodePdu({ ...baseRq, calledAeTitle: '   ' }), /empty/],
    ['AC AE title of 17 characters', () => encodePdu({ ...baseAc, calledAeTitle: 'SEVENTEEN_CHARS_X' }), /16-byte/],
    ['even presentation context ID', () => encodePdu({ ...baseRq, presentationContexts: [{ ...baseRq.presentationContexts[0]!, id: 2 }] }), /odd/],
    ['presentation context ID 0', () => encodePdu({ ...baseAc, presentationContexts: [{ id: 0, result: 0, transferSyntax: '1.2' }] }), /odd/],
    ['presentation context ID 257', () => encodePdu({ ...baseRq, presentationContexts: [{ ...baseRq.presentationContexts[0]!, id: 257 }] }), /odd/],
    ['duplicate presentation context IDs', () => encodePdu({ ...baseRq, presentationContexts: [baseRq.presentationContexts[0]!, baseRq.presentationContexts[0]!] }), /twice/],
    ['no presentation context', () => encodePdu({ ...baseRq, presentationContexts: [] }), /at least one presentation context/],
    ['no transfer syntax', () => encodePdu({ ...baseRq, presentationContexts: [{ id: 1, abstractSyntax: '1.2', transferSyntaxes: [] }] }), /no transfer syntax/],
    ['UID of 65 characters', () => encodePdu({ ...baseRq, presentationContexts: [{ id: 1, abstractSyntax: '1.' + '2'.repeat(63), transferSyntaxes: ['1.2'] }] }), /65 characters/],
    ['UID that is a name', () => encodePdu({ ...baseRq, presentationContexts: [{ id: 1, abstractSyntax: '1.2', transferSyntaxes: ['Implicit VR Little Endian'] }] }), /not a UID/],
    ['empty application context', () => encodePdu({ ...baseRq, applicationContextName: '' }), /application context/],
    ['empty implementation class UID', () => encodePdu(withUserInfo({ implementationClassUid: '' })), /implementation class UID/],
    ['maximum length above u32', () => encodePdu(withUserInfo({ maximumLength: 2 ** 32 })), /maximum length/],
    ['async window above u16', () => encodePdu(withUserInfo({ asynchronousOperationsWindow: { maxOperationsInvoked: 65536, maxOperationsPerformed: 1 } })), /operations invoked/],
    ['role value 2', () => encodePdu(withUserInfo({ roleSelections: [{ sopClassUid: '1.2', scuRole: 2, scpRole: 0 }] })), /0 or 1/],
    ['version name of 17 characters', () => encodePdu(withUserInfo({ implementationVersionName: 'X'.repeat(17) })), /longer than 16/],
    ['user identity field above 0xFFFF', () => encodePdu(withUserInfo({ userIdentityRq: { type: 4, positiveResponseRequested: true, primaryField: Buffer.alloc(0x10000), secondaryField: Buffer.alloc(0) } })), /65535/],
    ['user identity sub-item above 0xFFFF', () => encodePdu(withUserInfo({ userIdentityRq: { type: 2, positiveResponseRequested: true, primaryField: Buffer.alloc(0x8000), secondaryField: Buffer.alloc(0x8000) } })), /user identity sub-item .* 65535/],
    ['extended negotiation above 0xFFFF', () => encodePdu(withUserInfo({ extendedNegotiations: [{ sopClassUid: '1.2', serviceClassApplicationInformation: Buffer.alloc(0xfffc) }] })), /65535/],
    ['user information item above 0xFFFF', () => encodePdu(withUserInfo({ extendedNegotiations: Array.from({ length: 3 }, () => ({ sopClassUid: '1.2', serviceClassApplicationInformation: Buffer.alloc(0x6000) })) })), /user information item/],
    ['unknown sub-item with a known type', () => encodePdu(withUserInfo({ unknownSubItems: [{ type: 0x51, data: Buffer.alloc(4) }] })), /known type/],
    ['P-DATA-TF without PDVs', () => encodePdu({ type: 0x04, pdvs: [] }), /at least one PDV/],
    ['P-DATA-TF with an even PC-ID', () => encodePdu({ type: 0x04, pdvs: [{ presentationContextId: 4, isCommand: true, isLast: true, data: Buffer.alloc(2) }] }), /odd/],
    ['A-ASSOCIATE-RJ reason 256', () => encodePdu({ type: 0x03, result: 1, source: 1, reason: 256 }), /reason/],
    ['A-ABORT source -1', () => encodePdu({ type: 0x07, source: -1, reason: 0 }), /source/],
    ['protocol version 0x10000', () => encodePdu({ ...baseRq, protocolVersion: 0x10000 }), /protocol version/],
    ['unknown PDU type', () => encodePdu({ type: 0x09 } as unknown as PDataTf), /type 9/],
  ];
  for (const [name, run, message] of cases) {
    it(`throws for ${name}`, () => {
      expect(run).toThrow(message);
    });
  }

  it('the kitchen-sink vectors pass the same validation', () => {
    expect(() => encodePdu(KITCHEN_SINK_RQ.pdu)).not.toThrow();
    expect(() => encodePdu(KITCHEN_SINK_AC.pdu)).not.toThrow();
  });
});
