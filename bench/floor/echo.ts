// Floor experiment (npm run bench): the least a Node process does for N C-ECHOs in one association:
// a canned A-ASSOCIATE-RQ, one C-ECHO-RQ whose message ID is patched per echo, no state machine, no
// timers, no checks but the response status. Whole process timed against `dicomnet echo` and
// `echoscu`: what is left between this and `dicomnet echo` is our stack's cost, not Node's.
// `node floor-echo.cjs HOST PORT N`.

import { DicomAssociate } from '../../src-main/dicomnet/association';
import { encodeCommandSet } from '../../src-main/dicomnet/dimse/command-set';
import { makeCEchoRq } from '../../src-main/dicomnet/dimse/messages';
import { encodePDataHeader, encodePdu } from '../../src-main/dicomnet/pdu';
import { floorConnection, RELEASE_RQ, requireSuccess, unexpected } from './socket';

const [host, port, count] = [process.argv[2] ?? '127.0.0.1', Number(process.argv[3]), Number(process.argv[4] ?? 2000)];
const rq = encodePdu(new DicomAssociate({
  callingAeTitle: 'FLOOR', calledAeTitle: 'ANY-SCP',
  presentationContexts: [{ abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] }],
}).toRq());
const command = encodeCommandSet(makeCEchoRq(1));
const pdu = Buffer.concat([encodePDataHeader(1, true, true, command.length), command]);
// (0000,0110) MessageID: its value follows its 8-byte element header.
const idAt = 12 + command.indexOf(Buffer.from([0x00, 0x00, 0x10, 0x01])) + 8;
let sent = 0;
const s = floorConnection(host, port, rq, (type, received) => {
  if (type === 0x04) requireSuccess(received);
  if (type === 0x02 || type === 0x04) {
    if (sent === count) {
      s.write(RELEASE_RQ);
      return;
    }
    pdu.writeUInt16LE(++sent & 0xffff, idAt);
    s.write(pdu);
  } else if (type === 0x06) s.destroy();
  else unexpected(type);
});
