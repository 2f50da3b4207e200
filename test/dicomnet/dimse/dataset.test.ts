import { describe, expect, it } from 'vitest';
import { decodeDataSet, encodeDataSet } from '../../../src-main/dicomnet/dimse/dataset';

const ds = { PatientName: 'DOE^JANE', PatientID: 'ID-42', StudyDate: '20260101', QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '1.2.3.4.5' };

describe.each([
  ['implicit VR little endian', '1.2.840.10008.1.2'],
  ['explicit VR little endian', '1.2.840.10008.1.2.1'],
])('data sets through dcmjs (%s)', (_name, ts) => {
  it('encode then decode gives the same attributes, without a file meta group', () => {
    const bytes = encodeDataSet(ds, ts);
    expect(bytes.readUInt16LE(0)).toBe(0x0008); // the first element is (0008,0052), not group 0002
    const back = decodeDataSet(bytes, ts);
    expect(back).toMatchObject({ ...ds, PatientName: [{ Alphabetic: 'DOE^JANE' }] });
  });
});

describe('data set encoding differs by transfer syntax', () => {
  it('implicit has no VR letters, explicit has them', () => {
    const implicit = encodeDataSet({ PatientID: 'X1' }, '1.2.840.10008.1.2');
    const explicit = encodeDataSet({ PatientID: 'X1' }, '1.2.840.10008.1.2.1');
    expect(implicit.subarray(0, 8)).toEqual(Buffer.from([0x10, 0x00, 0x20, 0x00, 2, 0, 0, 0]));
    expect(explicit.subarray(0, 8)).toEqual(Buffer.from([0x10, 0x00, 0x20, 0x00, 0x4c, 0x4f, 2, 0]));
  });
});
