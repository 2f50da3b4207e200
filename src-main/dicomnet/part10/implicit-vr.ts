// The VR an element read in implicit VR little endian gets when written in explicit VR, PS3.5 §7.1.3
// and Annex A.1: implicit data carries no VR, so it comes from the data dictionary (dcmjs's, which
// also resolves repeating groups such as (60xx,3000) and (50xx,xxxx)).

import type dcmjsModule from 'dcmjs';
import { UNDEFINED_LENGTH, hasLongLength, tagString } from './elements';

interface DictionaryEntry {
  readonly vr?: string;
}

// dcmjs's dictionary is a lazy lookup keyed "(GGGG,EEEE)" in upper-case hex; its type declaration
// in dimse/dcmjs.d.ts does not list it. dcmjs is loaded when a conversion needs it, not at start-up:
// most runs of the CLI (an echo, a send without conversion) never do, and loading it costs ~80 ms.
let dictionary: Record<string, DictionaryEntry | undefined> | undefined;

/** Loads the data dictionary; call (and await) before implicitToExplicitVr. */
export async function loadVrDictionary(): Promise<void> {
  if (dictionary) return;
  const dcmjs = ((await import('dcmjs')) as unknown as { default?: typeof dcmjsModule }).default ?? ((await import('dcmjs')) as unknown as typeof dcmjsModule);
  dictionary = (dcmjs.data.DicomMetaDictionary as unknown as { dictionary: Record<string, DictionaryEntry | undefined> }).dictionary;
}

function lookup(tag: number): DictionaryEntry | undefined {
  if (!dictionary) throw new Error('implicit-vr: the data dictionary is not loaded (await loadVrDictionary() first)');
  return dictionary[tagString(tag)];
}

/**
 * dcmjs marks VRs that depend on other attributes in lower case. Without those attributes at hand:
 * 'OB or OW' (pixel, overlay, waveform data) is OW, as PS3.5 A.1 has pixel and overlay data in
 * implicit VR; 'US or OW' LUT data is OW too (what DCMTK writes; OW also holds LUTs over 64 KB);
 * 'US or SS' is US (the bytes are the same either way); DICOMDIR record offsets 'up' are UL.
 */
const ambiguous: Readonly<Record<string, string>> = { ox: 'OW', lt: 'OW', xs: 'US', up: 'UL' };

const VALID_VR = /^(AE|AS|AT|CS|DA|DS|DT|FD|FL|IS|LO|LT|OB|OD|OF|OL|OV|OW|PN|SH|SL|SQ|SS|ST|SV|TM|UC|UI|UL|UN|UR|US|UT|UV)$/;

function dictionaryVr(tag: number): string {
  const vr = lookup(tag)?.vr;
  if (vr === undefined) return 'UN';
  const resolved = ambiguous[vr] ?? vr;
  return VALID_VR.test(resolved) ? resolved : 'UN';
}

/**
 * The explicit VR for an implicit element of `length` bytes. Private creators (gggg,0010-00FF with
 * gggg odd, PS3.5 §7.8.1) are LO; other private and unknown elements UN (PS3.5 §6.2.2); an
 * undefined length can only be a sequence (PS3.5 §7.5.1); and a value too long for a VR with a
 * 16-bit length field is written as UN, whose length field has 32 bits (PS3.5 §6.2.2 note).
 */
export function implicitToExplicitVr(tag: number, length: number): string {
  if (length === UNDEFINED_LENGTH) return 'SQ';
  const group = tag >>> 16;
  const element = tag & 0xffff;
  const vr = group & 1 ? (element >= 0x0010 && element <= 0x00ff ? 'LO' : 'UN') : dictionaryVr(tag);
  return length > 0xffff && !hasLongLength(vr) ? 'UN' : vr;
}
