// Public API of the PDU layer (PS3.8 §9.3): code tables, PDU object types, encode, decode, framer.
export * from './constants';
export * from './types';
export { encodePdu, encodePDataHeader } from './encode';
export { decodePdu } from './decode';
export { PduFramer } from './framer';
export type { FramerOptions } from './framer';
export { aeTitleProblem, assertAeTitle, assertUid, AE_TITLE_MAX_LENGTH, UID_MAX_LENGTH, IMPLEMENTATION_VERSION_NAME_MAX_LENGTH } from './validate';
