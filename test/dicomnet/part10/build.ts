// Hand-made data elements for the part10 tests, PS3.5 §7.1 (headers) and §7.5 (items, delimiters).

export type Syntax = 'implicit' | 'explicit' | 'big';

export const UNDEFINED = 0xffffffff;
const LONG = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

function tagBytes(syntax: Syntax, tag: number): Buffer {
  const b = Buffer.alloc(4);
  if (syntax === 'big') {
    b.writeUInt16BE(tag >>> 16, 0);
    b.writeUInt16BE(tag & 0xffff, 2);
  } else {
    b.writeUInt16LE(tag >>> 16, 0);
    b.writeUInt16LE(tag & 0xffff, 2);
  }
  return b;
}

function u32(syntax: Syntax, n: number): Buffer {
  const b = Buffer.alloc(4);
  if (syntax === 'big') b.writeUInt32BE(n);
  else b.writeUInt32LE(n);
  return b;
}

/** One element; `length` overrides the value length written (e.g. UNDEFINED, or a lie). */
export function el(syntax: Syntax, tag: number, vr: string, value: Buffer | string = Buffer.alloc(0), length?: number): Buffer {
  const v = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  const len = length ?? v.length;
  if (syntax === 'implicit') return Buffer.concat([tagBytes(syntax, tag), u32(syntax, len), v]);
  if (LONG.has(vr)) return Buffer.concat([tagBytes(syntax, tag), Buffer.from(vr, 'latin1'), Buffer.alloc(2), u32(syntax, len), v]);
  const l = Buffer.alloc(2);
  if (syntax === 'big') l.writeUInt16BE(len);
  else l.writeUInt16LE(len);
  return Buffer.concat([tagBytes(syntax, tag), Buffer.from(vr, 'latin1'), l, v]);
}

export function item(syntax: Syntax, content: Buffer, undefinedLength = false): Buffer {
  if (!undefinedLength) return Buffer.concat([tagBytes(syntax, 0xfffee000), u32(syntax, content.length), content]);
  return Buffer.concat([tagBytes(syntax, 0xfffee000), u32(syntax, UNDEFINED), content, tagBytes(syntax, 0xfffee00d), u32(syntax, 0)]);
}

export function seq(syntax: Syntax, tag: number, items: Buffer[], undefinedLength = false, vr = 'SQ'): Buffer {
  const content = Buffer.concat(items);
  if (!undefinedLength) return el(syntax, tag, vr, content);
  return Buffer.concat([el(syntax, tag, vr, content, UNDEFINED), tagBytes(syntax, 0xfffee0dd), u32(syntax, 0)]);
}

/** Text padded to even length with a space (or NUL for UIDs), PS3.5 §6.2. */
export function text(s: string, pad = ' '): string {
  return s.length % 2 ? s + pad : s;
}

export function uid(s: string): string {
  return text(s, '\0');
}

export function us(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeUInt16LE(v, i * 2));
  return b;
}
