import { describe, expect, it } from 'vitest';
import {
  COMPRESSED_TRANSFER_SYNTAXES,
  TransferSyntax,
  UNCOMPRESSED_TRANSFER_SYNTAXES,
  transferSyntaxInfo,
} from '../../../src-main/dicomnet/part10/transfer-syntax';

describe('transferSyntaxInfo (PS3.5 §10, Annex A)', () => {
  it.each([
    [TransferSyntax.ImplicitVRLittleEndian, { explicitVr: false, littleEndian: true, deflated: false, encapsulated: false }],
    [TransferSyntax.ExplicitVRLittleEndian, { explicitVr: true, littleEndian: true, deflated: false, encapsulated: false }],
    [TransferSyntax.DeflatedExplicitVRLittleEndian, { explicitVr: true, littleEndian: true, deflated: true, encapsulated: false }],
    [TransferSyntax.ExplicitVRBigEndian, { explicitVr: true, littleEndian: false, deflated: false, encapsulated: false }],
    [TransferSyntax.JPEGBaseline8Bit, { explicitVr: true, littleEndian: true, deflated: false, encapsulated: true }],
    [TransferSyntax.RLELossless, { explicitVr: true, littleEndian: true, deflated: false, encapsulated: true }],
    ['1.2.3.4.5.6.7.8', { explicitVr: true, littleEndian: true, deflated: false, encapsulated: true }],
    ['1.2.840.10008.1.2.4.95', { explicitVr: true, littleEndian: true, deflated: true, encapsulated: false }],
  ])('%s', (uid, expected) => {
    expect(transferSyntaxInfo(uid)).toEqual(expected);
  });

  it('splits the named syntaxes into uncompressed and compressed, without overlap', () => {
    expect(UNCOMPRESSED_TRANSFER_SYNTAXES).toEqual([
      TransferSyntax.ImplicitVRLittleEndian,
      TransferSyntax.ExplicitVRLittleEndian,
      TransferSyntax.ExplicitVRBigEndian,
      TransferSyntax.DeflatedExplicitVRLittleEndian,
    ]);
    expect([...UNCOMPRESSED_TRANSFER_SYNTAXES, ...COMPRESSED_TRANSFER_SYNTAXES].sort()).toEqual(Object.values(TransferSyntax).sort());
    for (const uid of COMPRESSED_TRANSFER_SYNTAXES) expect(transferSyntaxInfo(uid).encapsulated).toBe(true);
    for (const uid of UNCOMPRESSED_TRANSFER_SYNTAXES) expect(transferSyntaxInfo(uid).encapsulated).toBe(false);
  });
});
