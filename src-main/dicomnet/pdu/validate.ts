// Checks for values a caller hands to the encoder. They throw a plain Error: a bad value here is a
// programming or configuration mistake on our side, not a malformed PDU from a peer (that is
// PduDecodeError, in decode.ts).

import { aeTitleProblem, AE_TITLE_MAX_LENGTH } from '../../../src-shared/ae-title';

export { aeTitleProblem, AE_TITLE_MAX_LENGTH };

/** PS3.8 Annex F / PS3.5 §9: a UID is at most 64 characters. */
export const UID_MAX_LENGTH = 64;
/** PS3.7 D.3.3.2.3: the implementation version name is 1..16 characters. */
export const IMPLEMENTATION_VERSION_NAME_MAX_LENGTH = 16;

/** Throws unless `title` is a valid AE title (see aeTitleProblem). */
export function assertAeTitle(what: string, title: string): void {
  const problem = aeTitleProblem(title);
  if (problem !== undefined) throw new Error(`${what} '${title}' ${problem}`);
}

const UID_CHARACTERS = /^[0-9.]*$/;

/** Throws unless `uid` is at most 64 characters of digits and dots (PS3.5 §9.1). Empty is allowed here. */
export function assertUid(what: string, uid: string): void {
  if (uid.length > UID_MAX_LENGTH) throw new Error(`${what} '${uid}' is ${uid.length} characters long; a UID has at most ${UID_MAX_LENGTH}`);
  if (!UID_CHARACTERS.test(uid)) throw new Error(`${what} '${uid}' is not a UID (only digits and dots are allowed)`);
}

/** True for a non-empty value assertUid lets through: one the encoder can put in a UID item. */
export function isEncodableUid(uid: string): boolean {
  return uid.length > 0 && uid.length <= UID_MAX_LENGTH && UID_CHARACTERS.test(uid);
}

/** Throws unless `id` is an odd integer 1..255 (PS3.8 §9.3.2.2: presentation context IDs are odd). */
export function assertPresentationContextId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > 255 || id % 2 === 0) {
    throw new Error(`presentation context ID ${id} is invalid; it must be an odd integer 1..255`);
  }
}

/** Throws unless `value` is an integer that fits in an unsigned field of `bits` bits. */
export function assertUint(what: string, value: number, bits: 8 | 16 | 32): void {
  const max = 2 ** bits - 1;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(`${what} ${value} does not fit an unsigned ${bits}-bit field (0..${max})`);
  }
}
