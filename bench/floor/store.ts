// Floor experiment (npm run bench): the least a Node process does to send a folder of explicit VR
// little endian Secondary Capture files with C-STORE, one association: read each file whole, find
// the data set after the meta group, write command and data set, wait for the response. No scan
// before associating, no state machine, no checks but the status.
// `node floor-store.cjs HOST PORT DIR [--tls CA CERT KEY]`.

import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { DicomAssociate } from '../../src-main/dicomnet/association';
import { encodeCommandSet } from '../../src-main/dicomnet/dimse/command-set';
import { encodePDataHeader, encodePdu } from '../../src-main/dicomnet/pdu';
import { floorConnection, floorTlsArgs, RELEASE_RQ, requireSuccess, unexpected } from './socket';

const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
const [host, port, dir] = [process.argv[2] ?? '127.0.0.1', Number(process.argv[3]), process.argv[4] ?? '.'];
const files = readdirSync(dir).sort().map((n) => join(dir, n));
const rq = encodePdu(new DicomAssociate({
  callingAeTitle: 'FLOOR', calledAeTitle: 'ANY-SCP',
  presentationContexts: [{ abstractSyntax: SECONDARY_CAPTURE, transferSyntaxes: ['1.2.840.10008.1.2.1'] }],
}).toRq());
const FRAGMENT = 131072 - 6; // storescp -pdu 131072
const file = Buffer.allocUnsafeSlow(2 * 1024 * 1024);
let next = 0;

/** (0002,0003) and where the data set starts: the meta group's elements, explicit VR little endian. */
function metaOf(n: number): { sopInstanceUid: string; dataSet: number } {
  const end = 144 + file.readUInt32LE(140); // (0002,0000) group length at 132, its value at 140
  let sopInstanceUid = '';
  for (let o = 144; o < end && o < n;) {
    const vr = file.toString('latin1', o + 4, o + 6);
    const long = vr === 'OB' || vr === 'OW' || vr === 'UN' || vr === 'SQ' || vr === 'UT';
    const length = long ? file.readUInt32LE(o + 8) : file.readUInt16LE(o + 6);
    const value = o + (long ? 12 : 8);
    if (file.readUInt16LE(o + 2) === 0x0003) sopInstanceUid = file.toString('latin1', value, value + length).replace(/\0$/, '');
    o = value + length;
  }
  return { sopInstanceUid, dataSet: end };
}

function sendNext(): void {
  if (next === files.length) {
    s.write(RELEASE_RQ);
    return;
  }
  const fd = openSync(files[next++]!, 'r');
  const n = readSync(fd, file, 0, Math.min(file.length, fstatSync(fd).size), 0);
  closeSync(fd);
  const { sopInstanceUid, dataSet } = metaOf(n);
  const command = encodeCommandSet({
    commandField: 0x0001, messageId: next & 0xffff, affectedSopClassUid: SECONDARY_CAPTURE, affectedSopInstanceUid: sopInstanceUid,
    priority: 0, commandDataSetType: 0x0000,
  });
  s.cork();
  s.write(Buffer.concat([encodePDataHeader(1, true, true, command.length), command]));
  for (let p = dataSet; p < n; p += FRAGMENT) {
    const e = Math.min(n, p + FRAGMENT);
    s.write(encodePDataHeader(1, false, e === n, e - p));
    s.write(file.subarray(p, e));
  }
  s.uncork();
}

const s = floorConnection(host, port, rq, (type, pdu) => {
  if (type === 0x02) sendNext();
  else if (type === 0x04) {
    if (((pdu[11] ?? 0) & 0x03) !== 0x03) return; // only a response's last command fragment counts
    requireSuccess(pdu);
    sendNext();
  } else if (type === 0x06) s.destroy();
  else unexpected(type);
}, floorTlsArgs(process.argv));
