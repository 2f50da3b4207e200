// Data sets of DIMSE messages (identifiers, small attribute lists) through dcmjs. Network data sets
// carry no File Meta group (PS3.7 §6.3.1): dcmjs reads and writes Part 10, so a minimal meta group
// naming the transfer syntax is put in front on read and taken off on write. Bulk data (C-STORE)
// never comes through here: it streams to disk untouched.

import dcmjs from 'dcmjs';

const { DicomMessage, DicomDict, DicomMetaDictionary } = dcmjs.data;

/** A data set as dcmjs's naturalized object: keywords as keys ("PatientName", ...). */
export type NaturalDataSet = Record<string, unknown>;

function element(tag: [number, number], vr: string, value: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16LE(tag[0], 0);
  h.writeUInt16LE(tag[1], 2);
  h.write(vr, 4, 'latin1');
  h.writeUInt16LE(value.length, 6);
  return Buffer.concat([h, value]);
}

function uiValue(uid: string): Buffer {
  return Buffer.from(uid.length % 2 ? `${uid}\0` : uid, 'latin1');
}

/** PS3.10 §7.1: preamble, "DICM", group 0002 in explicit VR little endian. */
function part10Prefix(transferSyntaxUid: string): Buffer {
  const ts = element([0x0002, 0x0010], 'UI', uiValue(transferSyntaxUid));
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(ts.length);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), element([0x0002, 0x0000], 'UL', groupLength), ts]);
}

export function decodeDataSet(bytes: Uint8Array, transferSyntaxUid: string): NaturalDataSet {
  const file = Buffer.concat([part10Prefix(transferSyntaxUid), bytes]);
  const dict = DicomMessage.readFile(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
  return DicomMetaDictionary.naturalizeDataset(dict.dict);
}

export function encodeDataSet(dataSet: NaturalDataSet, transferSyntaxUid: string): Buffer {
  const dict = new DicomDict({ '00020010': { vr: 'UI', Value: [transferSyntaxUid] } });
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataSet);
  const file = Buffer.from(dict.write());
  // Skip preamble (128) + "DICM" (4), then the meta group whose length is in (0002,0000).
  const metaLength = file.readUInt32LE(132 + 8);
  return file.subarray(132 + 12 + metaLength);
}
