// Text values of the person-name and string VRs (PN, LO, SH, LT, ...) in the character set the data
// set names in Specific Character Set (0008,0005), PS3.3 C.12.1.1.2 and PS3.5 §6.1. Without one it
// is the default repertoire (ASCII). A received patient name shown as 'MÃ¼ller' (UTF-8 read as Latin-1)
// or as escape sequences is a misread name on a clinic's screen.

import { TextDecoder } from 'node:util';

/** The WHATWG encoding for each defined term (both spellings: ISO_IR nnn and ISO 2022 IR nnn). */
const ENCODINGS: Readonly<Record<string, string>> = {
  'ISO_IR 6': 'latin1', 'ISO 2022 IR 6': 'latin1',
  'ISO_IR 100': 'latin1', 'ISO 2022 IR 100': 'latin1',
  'ISO_IR 101': 'iso-8859-2', 'ISO 2022 IR 101': 'iso-8859-2',
  'ISO_IR 109': 'iso-8859-3', 'ISO 2022 IR 109': 'iso-8859-3',
  'ISO_IR 110': 'iso-8859-4', 'ISO 2022 IR 110': 'iso-8859-4',
  'ISO_IR 144': 'iso-8859-5', 'ISO 2022 IR 144': 'iso-8859-5',
  'ISO_IR 127': 'iso-8859-6', 'ISO 2022 IR 127': 'iso-8859-6',
  'ISO_IR 126': 'iso-8859-7', 'ISO 2022 IR 126': 'iso-8859-7',
  'ISO_IR 138': 'iso-8859-8', 'ISO 2022 IR 138': 'iso-8859-8',
  'ISO_IR 148': 'iso-8859-9', 'ISO 2022 IR 148': 'iso-8859-9',
  'ISO_IR 203': 'iso-8859-15', 'ISO 2022 IR 203': 'iso-8859-15',
  'ISO_IR 166': 'windows-874', 'ISO 2022 IR 166': 'windows-874',
  'ISO_IR 13': 'shift_jis', 'ISO 2022 IR 13': 'shift_jis',
  // Code extensions (PS3.5 §6.1.2.5): Japanese kanji in ISO 2022 with its escape sequences, which
  // the iso-2022-jp decoder reads itself; Korean and Chinese in G1 (high bytes) after their escape.
  'ISO 2022 IR 87': 'iso-2022-jp', 'ISO 2022 IR 159': 'iso-2022-jp',
  'ISO 2022 IR 149': 'euc-kr',
  'ISO 2022 IR 58': 'gbk',
  'ISO_IR 192': 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

const decoders = new Map<string, TextDecoder>();

/** ESC and the designation it starts (ESC $ ) C, ESC - A, ...): taken out where the decoder does not read them. */
// eslint-disable-next-line no-control-regex -- ESC sequences are what this matches
const ESCAPE_SEQUENCE = /\x1b[\x20-\x2f]*[\x30-\x7e]/g;

/** The encoding for a Specific Character Set value, remembered (a node sees few of them). */
const encodingOf = new Map<string, string>();

function encodingFor(specificCharacterSet: string): string {
  let encoding = encodingOf.get(specificCharacterSet);
  if (encoding === undefined) {
    const terms = specificCharacterSet.split('\\').map((t) => t.trim());
    // With code extensions the first term is the default set and the others are switched to by
    // escape sequences: the one that needs a decoder of its own decides.
    const term = [...terms].reverse().find((t) => ENCODINGS[t] !== undefined && ENCODINGS[t] !== 'latin1') ?? terms[0] ?? '';
    encoding = ENCODINGS[term] ?? 'latin1';
    if (encodingOf.size < 64) encodingOf.set(specificCharacterSet, encoding);
  }
  return encoding;
}

/** Decodes a text value's bytes in the data set's character set; trailing spaces and NULs dropped. */
export function decodeText(value: Buffer, specificCharacterSet: string | undefined): string {
  const encoding = specificCharacterSet === undefined ? 'latin1' : encodingFor(specificCharacterSet);
  let text: string;
  if (encoding === 'latin1' || !value.some((b) => b >= 0x80 || b === 0x1b)) {
    // ASCII (the default repertoire) and ISO 8859-1 are Latin-1 byte for byte (TextDecoder's
    // 'latin1' is windows-1252, which differs in 0x80-0x9F).
    text = value.toString('latin1');
    if (value.includes(0x1b)) text = text.replace(ESCAPE_SEQUENCE, '');
  } else {
    let decoder = decoders.get(encoding);
    if (!decoder) {
      decoder = new TextDecoder(encoding);
      decoders.set(encoding, decoder);
    }
    text = decoder.decode(encoding === 'iso-2022-jp' ? value : Buffer.from(value.toString('latin1').replace(ESCAPE_SEQUENCE, ''), 'latin1'));
  }
  return text.replace(/[\0 ]+$/, '');
}
