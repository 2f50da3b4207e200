// X.501 Names (RFC 5280 §4.1.2.4) and subject alternative names (§4.2.1.6): written from the fields
// a person fills in, read back as the text people know ("CN=pacs, O=Clinic, C=DE").

import { isIP } from 'node:net';
import type { SubjectFields } from '../../../src-shared/certificates';
import { type Asn1, DerError, implicitPrimitive, oid, oidOf, printable, seq, set, stringOf, utf8 } from './der';
import { NAME_ATTRIBUTES, Oid } from './oids';

export function encodeName(s: SubjectFields): Buffer {
  const rdn = (type: string, value: Buffer) => set(seq(oid(type), value));
  const parts: Buffer[] = [];
  // Country is a PrintableString (X.520); the rest UTF8String (RFC 5280 §4.1.2.6).
  if (s.country) parts.push(rdn(Oid.country, printable(s.country.toUpperCase())));
  if (s.state) parts.push(rdn(Oid.state, utf8(s.state)));
  if (s.locality) parts.push(rdn(Oid.locality, utf8(s.locality)));
  if (s.organization) parts.push(rdn(Oid.organization, utf8(s.organization)));
  if (s.organizationalUnit) parts.push(rdn(Oid.organizationalUnit, utf8(s.organizationalUnit)));
  parts.push(rdn(Oid.commonName, utf8(s.commonName)));
  return seq(...parts);
}

export interface DecodedName {
  /** Attribute short name (or OID) and value, in encoded order. */
  readonly attributes: readonly (readonly [string, string])[];
  /** Most significant last, as RFC 4514 writes it: "CN=pacs, O=Clinic, C=DE". */
  readonly text: string;
}

const SHORT = new Map(NAME_ATTRIBUTES);

export function decodeName(name: Asn1): DecodedName {
  const attributes: [string, string][] = [];
  for (const rdn of name.children) {
    for (const atv of rdn.children) {
      const [type, value] = atv.children;
      if (!type || !value) throw new DerError('a name attribute is incomplete');
      const o = oidOf(type, 'name attribute type');
      attributes.push([SHORT.get(o) ?? o, stringOf(value)]);
    }
  }
  const text = [...attributes].reverse().map(([k, v]) => `${k}=${v.replace(/([,+"\\<>;])/g, '\\$1')}`).join(', ');
  return { attributes, text };
}

/** 4 or 16 bytes of an IP address in text. */
export function ipBytes(text: string): Buffer {
  const v = isIP(text);
  if (v === 4) return Buffer.from(text.split('.').map(Number));
  if (v !== 6) throw new DerError(`'${text}' is not an IP address`);
  let t = text;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    t = t.slice(0, -v4[1]!.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = t.includes('::') ? t.split('::') as [string, string] : [t, undefined];
  const h = head ? head.split(':') : [];
  const tl = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - tl.length).fill('0'), ...tl];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

export function ipText(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  if (b.length !== 16) return b.toString('hex');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  // The longest run of zero groups shortens to '::' (RFC 5952).
  let best = [-1, 0];
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best[1]! && j - i > 1) best = [i, j - i];
    i = j;
  }
  if (best[0]! < 0) return groups.join(':');
  return `${groups.slice(0, best[0]).join(':')}::${groups.slice(best[0]! + best[1]!).join(':')}`;
}

/** GeneralNames with dNSName [2] and iPAddress [7] entries. */
export function encodeAltNames(dnsNames: readonly string[], ipAddresses: readonly string[]): Buffer {
  return seq(...dnsNames.map((n) => implicitPrimitive(2, Buffer.from(n, 'latin1'))), ...ipAddresses.map((a) => implicitPrimitive(7, ipBytes(a))));
}

export function decodeAltNames(names: Asn1): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const n of names.children) {
    if (n.tag === 0x82) dnsNames.push(n.value.toString('latin1'));
    else if (n.tag === 0x87) ipAddresses.push(ipText(n.value));
  }
  return { dnsNames, ipAddresses };
}
