// UIDs the stack itself needs, PS3.6 Annex A. Storage SOP classes come with the storage service,
// transfer syntaxes with part10/.

import { TransferSyntax } from './part10/transfer-syntax';
import { STORAGE_SOP_CLASSES } from './storage-sop-classes';

/** Our implementation class UID (PS3.7 D.3.3.2): a UUID-derived UID under the 2.25 root (PS3.5 §B.2). */
export const IMPLEMENTATION_CLASS_UID = '2.25.39121003664614790543697282633995073560';
/** Implementation version name, 1-16 characters (PS3.7 D.3.3.2). */
export const IMPLEMENTATION_VERSION_NAME = 'DICOMNET_010';

export const SopClass = {
  Verification: '1.2.840.10008.1.1',
} as const;

/** What Verification (no data set) accepts, in the order an acceptor prefers them. */
export const VERIFICATION_TRANSFER_SYNTAXES: readonly string[] = [
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
];

const names: Record<string, string> = {
  '1.2.840.10008.1.1': 'Verification',
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.3.1.1.1': 'DICOM Application Context',
};

const transferSyntaxNames = new Map(Object.entries(TransferSyntax).map(([name, uid]) => [uid as string, name]));

/** A readable name for a UID we know, else the UID itself. */
export function uidName(uid: string): string {
  return names[uid] ?? STORAGE_SOP_CLASSES.get(uid) ?? transferSyntaxNames.get(uid) ?? uid;
}
