// Text values in the data set's Specific Character Set (PS3.3 C.12.1.1.2), with the examples of
// PS3.5 Annexes H and I, byte for byte; and the patient's name of a received instance read so.

import { describe, expect, it } from 'vitest';
import { decodeText } from '../../../src-main/dicomnet/part10/character-sets';
import { bufferSource } from '../../../src-main/dicomnet/part10/byte-source';
import { TransferSyntax } from '../../../src-main/dicomnet/part10/transfer-syntax';
import { identify } from '../../../src-main/dicomnet/services/storage/identify';
import { el } from './build';

const hex = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex');

describe('decodeText', () => {
  it.each<[string, string | undefined, Buffer, string]>([
    ['no character set: the default repertoire', undefined, Buffer.from('DOE^JOHN  '), 'DOE^JOHN'],
    ['ISO_IR 100 (Latin-1)', 'ISO_IR 100', hex('4d fc 6c 6c 65 72 5e 4a f6 72 67'), 'Müller^Jörg'],
    ['ISO_IR 100: 0x80-0x9F are not windows-1252', 'ISO_IR 100', hex('41 80 42'), 'A\u0080B'],
    ['ISO_IR 192 (UTF-8)', 'ISO_IR 192', Buffer.from('Müller^Jörg=ミュラー'), 'Müller^Jörg=ミュラー'],
    ['ISO_IR 144 (Cyrillic)', 'ISO_IR 144', hex('b8 d2 d0 dd de d2 20'), 'Иванов'],
    // PS3.5 H.3.1: Japanese, ISO 2022 IR 87 with its escape sequences (the first value empty: ASCII).
    ['\\ISO 2022 IR 87 (PS3.5 H.3.1)', '\\ISO 2022 IR 87',
      hex('59616d6164615e5461726f753d 1b2442 3b334544 1b2842 5e 1b2442 42404f3a 1b2842 3d 1b2442 2464245e2440 1b2842 5e 1b2442 243f246d2426 1b2842'),
      'Yamada^Tarou=山田^太郎=やまだ^たろう'],
    // PS3.5 I.2: Korean, ISO 2022 IR 149 in G1 after ESC $ ) C.
    ['\\ISO 2022 IR 149 (PS3.5 I.2)', '\\ISO 2022 IR 149',
      hex('486f6e675e47696c646f6e673d 1b242943 fbf3 5e 1b242943 d1ced4d7 3d 1b242943 c8ab 5e 1b242943 b1e6b5bf'),
      'Hong^Gildong=洪^吉洞=홍^길동'],
    ['GB18030', 'GB18030', hex('57616e675e5869616f446f6e673d cdf5 5e d0a1b6ab'), 'Wang^XiaoDong=王^小东'],
    ['an unknown term: Latin-1, not a failure', 'ISO_IR 999', hex('4d fc'), 'Mü'],
  ])('%s', (_name, charset, bytes, expected) => {
    expect(decodeText(bytes, charset)).toBe(expected);
  });
});

describe('identify: the patient of a received instance in its character set', () => {
  it('ISO_IR 192: the name as the modality wrote it, not as Latin-1', () => {
    const ds = Buffer.concat([
      el('explicit', 0x00080005, 'CS', 'ISO_IR 192'),
      el('explicit', 0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7\0'),
      el('explicit', 0x00080018, 'UI', '1.2.3.4\0'),
      el('explicit', 0x00100010, 'PN', Buffer.from('Müller^Jörg ')),
      el('explicit', 0x00100020, 'LO', Buffer.from('Ж-001 ')),
      el('explicit', 0x0020000d, 'UI', '1.2.3\0'),
      el('explicit', 0x0020000e, 'UI', '1.2.3.5\0'),
    ]);
    const id = identify(bufferSource(ds), TransferSyntax.ExplicitVRLittleEndian);
    expect(id).toMatchObject({ patientName: 'Müller^Jörg', patientId: 'Ж-001', sopInstanceUid: '1.2.3.4', studyInstanceUid: '1.2.3' });
  });
});
