// Transfer syntaxes and what they mean for parsing a data set, PS3.5 §10 and Annex A. Only the
// encoding rules are here (VR explicit or not, byte order, deflate, encapsulated pixel data); names
// for display live with the UIDs of the stack.

export const TransferSyntax = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  DeflatedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
  JPEGBaseline8Bit: '1.2.840.10008.1.2.4.50',
  JPEGExtended12Bit: '1.2.840.10008.1.2.4.51',
  JPEGLossless: '1.2.840.10008.1.2.4.57',
  JPEGLosslessSV1: '1.2.840.10008.1.2.4.70',
  JPEGLSLossless: '1.2.840.10008.1.2.4.80',
  JPEGLSNearLossless: '1.2.840.10008.1.2.4.81',
  JPEG2000Lossless: '1.2.840.10008.1.2.4.90',
  JPEG2000: '1.2.840.10008.1.2.4.91',
  HTJ2KLossless: '1.2.840.10008.1.2.4.201',
  HTJ2KLosslessRPCL: '1.2.840.10008.1.2.4.202',
  HTJ2K: '1.2.840.10008.1.2.4.203',
  RLELossless: '1.2.840.10008.1.2.5',
} as const;

export interface TransferSyntaxInfo {
  readonly explicitVr: boolean;
  readonly littleEndian: boolean;
  /** The data set after the meta group is raw deflate (RFC 1951) compressed, PS3.5 A.5. */
  readonly deflated: boolean;
  /** Pixel data is a sequence of fragments (undefined length OB), PS3.5 A.4. */
  readonly encapsulated: boolean;
}

const info = (explicitVr: boolean, littleEndian: boolean, deflated: boolean, encapsulated: boolean): TransferSyntaxInfo =>
  Object.freeze({ explicitVr, littleEndian, deflated, encapsulated });

const ENCAPSULATED = info(true, true, false, true);

const known: ReadonlyMap<string, TransferSyntaxInfo> = new Map([
  [TransferSyntax.ImplicitVRLittleEndian, info(false, true, false, false)], // PS3.5 A.1
  [TransferSyntax.ExplicitVRLittleEndian, info(true, true, false, false)], // PS3.5 A.2
  [TransferSyntax.DeflatedExplicitVRLittleEndian, info(true, true, true, false)], // PS3.5 A.5
  [TransferSyntax.ExplicitVRBigEndian, info(true, false, false, false)], // PS3.5 A.3 (retired)
  // JPIP Referenced (PS3.5 A.6) has no pixel data, only a URL to it; JPIP Referenced Deflate (A.7)
  // is moreover deflated like A.5. Treating them as encapsulated would misread the deflated one.
  ['1.2.840.10008.1.2.4.94', info(true, true, false, false)],
  ['1.2.840.10008.1.2.4.95', info(true, true, true, false)],
]);

/**
 * Encoding rules of a transfer syntax. Every UID not known here is taken as explicit VR little
 * endian with encapsulated pixel data: PS3.5 §10 and Annex A.4 require that of every compressed
 * (and any future) transfer syntax, so a data set in an unknown syntax can still be parsed.
 */
export function transferSyntaxInfo(uid: string): TransferSyntaxInfo {
  return known.get(uid) ?? ENCAPSULATED;
}

/** Native (not encapsulated) encodings of pixel data: what any storage SCP must accept in some form. */
export const UNCOMPRESSED_TRANSFER_SYNTAXES: readonly string[] = Object.freeze([
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
]);

/** Encapsulated (compressed) pixel data syntaxes, PS3.5 A.4: JPEG, JPEG-LS, JPEG 2000, HTJ2K, RLE. */
export const COMPRESSED_TRANSFER_SYNTAXES: readonly string[] = Object.freeze([
  TransferSyntax.JPEGBaseline8Bit,
  TransferSyntax.JPEGExtended12Bit,
  TransferSyntax.JPEGLossless,
  TransferSyntax.JPEGLosslessSV1,
  TransferSyntax.JPEGLSLossless,
  TransferSyntax.JPEGLSNearLossless,
  TransferSyntax.JPEG2000Lossless,
  TransferSyntax.JPEG2000,
  TransferSyntax.HTJ2KLossless,
  TransferSyntax.HTJ2KLosslessRPCL,
  TransferSyntax.HTJ2K,
  TransferSyntax.RLELossless,
]);
