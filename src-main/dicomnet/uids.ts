// UIDs the stack itself needs, PS3.6 Annex A. Storage SOP classes come with the storage service.

/** Our implementation class UID (PS3.7 D.3.3.2): a UUID-derived UID under the 2.25 root (PS3.5 §B.2). */
export const IMPLEMENTATION_CLASS_UID = '2.25.39121003664614790543697282633995073560';
/** Implementation version name, 1-16 characters (PS3.7 D.3.3.2). */
export const IMPLEMENTATION_VERSION_NAME = 'DICOMNET_010';

export const SopClass = {
  Verification: '1.2.840.10008.1.1',
} as const;

export const TransferSyntax = {
  ImplicitVrLittleEndian: '1.2.840.10008.1.2',
  ExplicitVrLittleEndian: '1.2.840.10008.1.2.1',
  DeflatedExplicitVrLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVrBigEndian: '1.2.840.10008.1.2.2',
} as const;

/** The uncompressed transfer syntaxes, in the order an acceptor prefers them. */
export const UNCOMPRESSED_TRANSFER_SYNTAXES: readonly string[] = [
  TransferSyntax.ExplicitVrLittleEndian,
  TransferSyntax.ImplicitVrLittleEndian,
  TransferSyntax.ExplicitVrBigEndian,
];

const names: Record<string, string> = {
  '1.2.840.10008.1.1': 'Verification',
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.3.1.1.1': 'DICOM Application Context',
};

/** A readable name for a UID we know, else the UID itself. */
export function uidName(uid: string): string {
  return names[uid] ?? uid;
}
