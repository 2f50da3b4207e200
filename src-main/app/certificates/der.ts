// ASN.1 in DER (ITU-T X.690), just what X.509 (RFC 5280), PKCS#10 (RFC 2986) and PKCS#12 (RFC 7292)
// need: a defensive reader and small writers. The reader also takes BER's indefinite lengths and
// constructed strings, which some PKCS#12 writers (Java keytool, old Windows) still produce. Every
// length is checked against the bytes that remain; nothing is allocated from a claimed length.

/** Universal tags (X.690 §8.x), as the first identifier octet. */
export const Tag = {
  Boolean: 0x01,
  Integer: 0x02,
  BitString: 0x03,
  OctetString: 0x04,
  Null: 0x05,
  ObjectIdentifier: 0x06,
  Utf8String: 0x0c,
  PrintableString: 0x13,
  T61String: 0x14,
  Ia5String: 0x16,
  UtcTime: 0x17,
  GeneralizedTime: 0x18,
  BmpString: 0x1e,
  UniversalString: 0x1c,
  Sequence: 0x30,
  Set: 0x31,
} as const;

export class DerError extends Error {
  override name = 'DerError';
}

/** One decoded TLV. `children` for constructed values; `value` is the content (strings joined). */
export interface Asn1 {
  /** The identifier octet (class, constructed bit and tag number < 31). */
  readonly tag: number;
  readonly constructed: boolean;
  readonly value: Buffer;
  readonly children: readonly Asn1[];
  /** The whole encoding, header included (for signatures over exactly what was received). */
  readonly raw: Buffer;
}

const MAX_DEPTH = 40;

interface Parsed {
  readonly node: Asn1;
  readonly end: number;
}

function parseAt(buf: Buffer, start: number, depth: number): Parsed {
  if (depth > MAX_DEPTH) throw new DerError('nested too deeply');
  if (start + 2 > buf.length) throw new DerError('truncated header');
  const tag = buf[start]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used by these structures');
  const constructed = (tag & 0x20) !== 0;
  let p = start + 1;
  const first = buf[p++]!;
  let length: number | undefined;
  if (first < 0x80) length = first;
  else if (first === 0x80) {
    if (!constructed) throw new DerError('indefinite length on a primitive value');
    length = undefined;
  } else {
    const n = first & 0x7f;
    if (n > 4) throw new DerError('length too large');
    if (p + n > buf.length) throw new DerError('truncated length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[p++]!;
  }
  const contentStart = p;
  if (length !== undefined && contentStart + length > buf.length) throw new DerError(`a value claims ${length} bytes, ${buf.length - contentStart} remain`);

  const children: Asn1[] = [];
  let end: number;
  if (constructed) {
    let q = contentStart;
    const limit = length === undefined ? buf.length : contentStart + length;
    for (;;) {
      if (length === undefined) {
        if (q + 2 > buf.length) throw new DerError('indefinite length without end-of-contents');
        if (buf[q] === 0 && buf[q + 1] === 0) {
          end = q + 2;
          break;
        }
      } else if (q >= limit) {
        end = limit;
        break;
      }
      const child = parseAt(buf.subarray(0, limit), q, depth + 1);
      children.push(child.node);
      q = child.end;
    }
  } else {
    end = contentStart + (length ?? 0);
  }
  const contentEnd = length === undefined ? end - 2 : end;
  // A constructed string (BER) reads as the concatenation of its pieces.
  const universal = tag & 0x1f;
  const isString = (tag & 0xc0) === 0 && [Tag.OctetString, Tag.BitString, Tag.Utf8String, Tag.PrintableString, Tag.Ia5String, Tag.BmpString].includes(universal as 0x04);
  const value = constructed && isString ? Buffer.concat(children.map((c) => c.value)) : buf.subarray(contentStart, contentEnd);
  return { node: { tag, constructed, value, children, raw: buf.subarray(start, end) }, end };
}

/** Reads exactly one value filling `buf`. */
export function readDer(buf: Buffer): Asn1 {
  const { node, end } = parseAt(buf, 0, 0);
  if (end !== buf.length) throw new DerError(`${buf.length - end} bytes after the value`);
  return node;
}

// ---- typed accessors: each checks the tag, so a wrong structure is a clear error ----------------

export function expect(node: Asn1 | undefined, tag: number, what: string): Asn1 {
  if (!node) throw new DerError(`${what} is missing`);
  if (node.tag !== tag && !(node.constructed && (node.tag & ~0x20) === tag)) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`);
  return node;
}

export function child(node: Asn1, index: number, tag: number, what: string): Asn1 {
  return expect(node.children[index], tag, what);
}

export function oidOf(node: Asn1 | undefined, what = 'object identifier'): string {
  const v = expect(node, Tag.ObjectIdentifier, what).value;
  if (v.length === 0) throw new DerError(`${what} is empty`);
  const parts: number[] = [];
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    n = n * 128 + (v[i]! & 0x7f);
    if (n > Number.MAX_SAFE_INTEGER / 128) throw new DerError(`${what} has an arc that is too large`);
    if ((v[i]! & 0x80) === 0) {
      parts.push(n);
      n = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

/** A non-negative INTEGER that fits a JS number (versions, iteration counts, key lengths). */
export function smallIntOf(node: Asn1 | undefined, what: string): number {
  const v = expect(node, Tag.Integer, what).value;
  if (v.length === 0 || v.length > 6 || (v[0]! & 0x80) !== 0) throw new DerError(`${what} is not a small non-negative integer`);
  return v.reduce((n, b) => n * 256 + b, 0);
}

export function bitStringBytes(node: Asn1 | undefined, what: string): Buffer {
  const v = expect(node, Tag.BitString, what).value;
  if (v.length === 0) throw new DerError(`${what} is empty`);
  return v.subarray(1);
}

/** Text of any of the string types found in names (UTF8, Printable, IA5, T61, BMP, Universal). */
export function stringOf(node: Asn1): string {
  switch (node.tag) {
    case Tag.BmpString:
      return Buffer.from(node.value.subarray(0, node.value.length & ~1)).swap16().toString('utf16le');
    case Tag.UniversalString: {
      let s = '';
      for (let i = 0; i + 4 <= node.value.length; i += 4) s += String.fromCodePoint(node.value.readUInt32BE(i));
      return s;
    }
    case Tag.T61String:
      return node.value.toString('latin1');
    default:
      return node.value.toString('utf8');
  }
}

/** UTCTime (YYMMDDHHMMSSZ, RFC 5280 §4.1.2.5.1) or GeneralizedTime (YYYYMMDDHHMMSSZ). */
export function timeOf(node: Asn1 | undefined, what: string): Date {
  if (!node) throw new DerError(`${what} is missing`);
  const s = node.value.toString('latin1');
  const m = node.tag === Tag.UtcTime ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s) : node.tag === Tag.GeneralizedTime ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/.exec(s) : null;
  if (!m) throw new DerError(`${what} is not a UTC time: '${s}'`);
  let year = Number(m[1]);
  if (node.tag === Tag.UtcTime) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
}

// ---- writers ---------------------------------------------------------------------------------

function lengthOctets(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthOctets(content.length), content]);
}

export const seq = (...items: Buffer[]): Buffer => tlv(Tag.Sequence, Buffer.concat(items));
/** SET OF in DER sorts its encodings (X.690 §11.6). */
export const set = (...items: Buffer[]): Buffer => tlv(Tag.Set, Buffer.concat([...items].sort(Buffer.compare)));
export const octets = (b: Buffer): Buffer => tlv(Tag.OctetString, b);
export const bits = (b: Buffer): Buffer => tlv(Tag.BitString, Buffer.concat([Buffer.from([0]), b]));
export const utf8 = (s: string): Buffer => tlv(Tag.Utf8String, Buffer.from(s, 'utf8'));
export const printable = (s: string): Buffer => tlv(Tag.PrintableString, Buffer.from(s, 'latin1'));
export const ia5 = (s: string): Buffer => tlv(Tag.Ia5String, Buffer.from(s, 'latin1'));
export const bool = (b: boolean): Buffer => tlv(Tag.Boolean, Buffer.from([b ? 0xff : 0]));
export const nul = (): Buffer => Buffer.from([Tag.Null, 0]);
/** [n] EXPLICIT: a constructed context tag around one encoding. */
export const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner);
/** [n] IMPLICIT on a primitive value. */
export const implicitPrimitive = (n: number, content: Buffer): Buffer => tlv(0x80 | n, content);
/** [n] IMPLICIT on a constructed value (SET/SEQUENCE contents). */
export const implicitConstructed = (n: number, content: Buffer): Buffer => tlv(0xa0 | n, content);

/** A non-negative INTEGER from its big-endian magnitude (a leading 0 keeps it positive). */
export function unsignedInt(magnitude: Buffer | number): Buffer {
  const hex = typeof magnitude === 'number' ? magnitude.toString(16) : '';
  let b = typeof magnitude === 'number' ? Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex') : magnitude;
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && (b[i + 1]! & 0x80) === 0) i++;
  b = b.subarray(i);
  if (b.length === 0) b = Buffer.from([0]);
  return tlv(Tag.Integer, (b[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new DerError(`'${dotted}' is not an object identifier`);
  const out: number[] = [];
  const push = (n: number) => {
    const groups: number[] = [n % 128];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v % 128) | 0x80);
    out.push(...groups);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  arcs.slice(2).forEach(push);
  return tlv(Tag.ObjectIdentifier, Buffer.from(out));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function time(d: Date): Buffer {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z';
  return d.getUTCFullYear() < 2050 ? tlv(Tag.UtcTime, Buffer.from(digits.slice(2), 'latin1')) : tlv(Tag.GeneralizedTime, Buffer.from(digits, 'latin1'));
}

/** PEM armour (RFC 7468) around DER bytes. */
export function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export interface PemBlock {
  readonly label: string;
  readonly der: Buffer;
  /** Headers of a traditional encrypted key (Proc-Type / DEK-Info), kept for the key loader. */
  readonly text: string;
}

/** Every PEM block in a text, in order. */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const body = m[2]!.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.includes(':')).join('');
    out.push({ label: m[1]!, der: Buffer.from(body, 'base64'), text: m[0] });
  }
  return out;
}
