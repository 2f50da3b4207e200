import { describe, expect, it } from 'vitest';
import { decodePdu } from '../../../src-main/dicomnet/pdu/decode';
import { encodePdu } from '../../../src-main/dicomnet/pdu/encode';
import type { AAssociateAc, AAssociateRq, Pdu, UserInformation } from '../../../src-main/dicomnet/pdu/types';
import { ECHOSCU_RQ, ECHOSCU_RQ_RESERVED_FF_OFFSET, STORESCP_AC, STORESCP_RELEASE_RP } from '../../fixtures/pdu/dcmtk';
import { hexBytes } from '../../fixtures/pdu/hex';
import { ALL_VECTORS } from '../../fixtures/pdu/vectors';

const decodeWhole = (bytes: Buffer): Pdu => decodePdu(bytes[0] ?? -1, bytes.subarray(6));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('encode(decode(bytes)) gives the bytes back', () => {
  for (const v of ALL_VECTORS) {
    it(v.name, () => {
      const bytes = hexBytes(v.hex);
      expect(hex(encodePdu(decodeWhole(bytes)))).toBe(hex(bytes));
    });
  }

  it('storescp A-ASSOCIATE-AC and A-RELEASE-RP', () => {
    for (const fixture of [STORESCP_AC, STORESCP_RELEASE_RP]) {
      const bytes = hexBytes(fixture);
      expect(hex(encodePdu(decodeWhole(bytes)))).toBe(hex(bytes));
    }
  });

  it('echoscu A-ASSOCIATE-RQ, up to the reserved byte DCMTK sets', () => {
    const bytes = hexBytes(ECHOSCU_RQ);
    const again = encodePdu(decodeWhole(bytes));
    expect(again.length).toBe(bytes.length);
    bytes[ECHOSCU_RQ_RESERVED_FF_OFFSET] = 0;
    expect(hex(again)).toBe(hex(bytes));
  });
});

const ui = (patch: Partial<UserInformation> = {}): UserInformation => ({
  maximumLength: 16384,
  implementationClassUid: '1.2.826.0.1.3680043.2.1143',
  roleSelections: [],
  extendedNegotiations: [],
  commonExtendedNegotiations: [],
  unknownSubItems: [],
  ...patch,
});

const rq = (patch: Partial<AAssociateRq> = {}): AAssociateRq => ({
  type: 0x01,
  protocolVersion: 1,
  calledAeTitle: 'CALLED',
  callingAeTitle: 'CALLING',
  applicationContextName: '1.2.840.10008.3.1.1.1',
  presentationContexts: [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
  userInformation: ui(),
  ...patch,
});

const ac = (patch: Partial<AAssociateAc> = {}): AAssociateAc => ({
  type: 0x02,
  protocolVersion: 1,
  calledAeTitle: 'CALLED',
  callingAeTitle: 'CALLING',
  applicationContextName: '1.2.840.10008.3.1.1.1',
  presentationContexts: [{ id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' }],
  userInformation: ui(),
  ...patch,
});

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

/** PDU objects covering every item and sub-item type and their edge values. */
const objects: [string, Pdu][] = [
  ['0x10 + 0x20/0x30/0x40 with 128 contexts of several transfer syntaxes', rq({
    presentationContexts: Array.from({ length: 128 }, (_, i) => ({ id: 2 * i + 1, abstractSyntax: `1.2.840.10008.5.1.4.1.1.${i}`, transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] })),
  })],
  ['0x21 with every result code', ac({
    presentationContexts: [0, 1, 2, 3, 4].map((result, i) => ({ id: 2 * i + 1, result, transferSyntax: result === 0 ? '1.2.840.10008.1.2.1' : '' })),
  })],
  ['16-character AE titles and protocol version 0xffff', rq({ calledAeTitle: 'ABCDEFGHIJKLMNOP', callingAeTitle: 'a-b_c.d e', protocolVersion: 0xffff })],
  ['0x51 maximum length 0 (no limit)', rq({ userInformation: ui({ maximumLength: 0 }) })],
  ['0x51 maximum length 0xffffffff', ac({ userInformation: ui({ maximumLength: 0xffffffff }) })],
  ['0x52 64-character UID', rq({ userInformation: ui({ implementationClassUid: '1.' + '2'.repeat(62) }) })],
  ['0x53 window 0 and 65535', rq({ userInformation: ui({ asynchronousOperationsWindow: { maxOperationsInvoked: 0, maxOperationsPerformed: 65535 } }) })],
  ['0x54 several role selections', rq({
    userInformation: ui({
      roleSelections: [
        { sopClassUid: '1.2.840.10008.5.1.4.1.1.2', scuRole: 0, scpRole: 1 },
        { sopClassUid: '1.2.840.10008.1.20.1', scuRole: 1, scpRole: 1 },
        { sopClassUid: '1.2.840.10008.5.1.4.1.1.7', scuRole: 1, scpRole: 0 },
      ],
    }),
  })],
  ['0x55 version name of 16 characters', ac({ userInformation: ui({ implementationVersionName: 'ABCDEFGHIJKLMNO!' }) })],
  ['0x56 with empty and non-empty application information', rq({
    userInformation: ui({
      extendedNegotiations: [
        { sopClassUid: '1.2.840.10008.5.1.4.1.2.1.1', serviceClassApplicationInformation: Buffer.from([1, 1, 0]) },
        { sopClassUid: '1.2.840.10008.5.1.4.1.1.2', serviceClassApplicationInformation: Buffer.alloc(0) },
      ],
    }),
  })],
  ['0x57 with no, one and several related general SOP classes', rq({
    userInformation: ui({
      commonExtendedNegotiations: [
        { sopClassUid: '1.2.840.10008.5.1.4.1.1.2.1', serviceClassUid: '1.2.840.10008.4.2', relatedGeneralSopClassUids: ['1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.5.1.4.1.1.7', '1.2.840.10008.5.1.4.1.1.4'] },
        { sopClassUid: '1.2.840.10008.5.1.4.1.1.4.1', serviceClassUid: '1.2.840.10008.4.2', relatedGeneralSopClassUids: ['1.2.840.10008.5.1.4.1.1.4'] },
        { sopClassUid: '1.2.840.10008.5.1.4.1.1.88.22', serviceClassUid: '1.2.840.10008.4.2', relatedGeneralSopClassUids: [] },
      ],
    }),
  })],
  ['0x58 type 1 (username)', rq({ userInformation: ui({ userIdentityRq: { type: 1, positiveResponseRequested: false, primaryField: bytes('jörg'), secondaryField: Buffer.alloc(0) } }) })],
  ['0x58 type 2 (username and passcode)', rq({ userInformation: ui({ userIdentityRq: { type: 2, positiveResponseRequested: true, primaryField: bytes('alice'), secondaryField: bytes('s3cret') } }) })],
  ['0x58 type 5 (JWT) of 60000 bytes', rq({ userInformation: ui({ userIdentityRq: { type: 5, positiveResponseRequested: true, primaryField: Buffer.alloc(60000, 0x41), secondaryField: Buffer.alloc(0) } }) })],
  ['0x59 with a server response', ac({ userInformation: ui({ userIdentityAc: { serverResponse: bytes('ticket') } }) })],
  ['0x59 empty server response', ac({ userInformation: ui({ userIdentityAc: { serverResponse: Buffer.alloc(0) } }) })],
  ['unknown sub-items', rq({ userInformation: ui({ unknownSubItems: [{ type: 0x5a, data: Buffer.from([1, 2, 3]) }, { type: 0x5a, data: Buffer.alloc(0) }, { type: 0xf0, data: Buffer.from([9]) }] }) })],
  ['A-ASSOCIATE-RJ transient, presentation, local limit', { type: 0x03, result: 2, source: 3, reason: 2 }],
  ['P-DATA-TF with an empty, an odd-ID and a 100 kB fragment', {
    type: 0x04,
    pdvs: [
      { presentationContextId: 1, isCommand: true, isLast: false, data: Buffer.alloc(0) },
      { presentationContextId: 255, isCommand: true, isLast: true, data: Buffer.from([1, 2, 3, 4]) },
      { presentationContextId: 255, isCommand: false, isLast: true, data: Buffer.alloc(100_000, 7) },
    ],
  }],
  ['A-RELEASE-RQ', { type: 0x05 }],
  ['A-RELEASE-RP', { type: 0x06 }],
  ['A-ABORT provider unexpected-PDU', { type: 0x07, source: 2, reason: 2 }],
];

describe('decode(encode(pdu)) deep-equals pdu', () => {
  for (const [name, pdu] of objects) {
    it(name, () => {
      const wire = encodePdu(pdu);
      expect(wire.readUInt32BE(2)).toBe(wire.length - 6);
      expect(decodeWhole(wire)).toEqual(pdu);
    });
  }
});
