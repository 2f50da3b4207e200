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

/**
 * SOP classes of services this node does not provide (PS3.6 Annex A), by name, so that a log line
 * or a rejected context says "PatientRootQueryRetrieveInformationModelMove", not a bare UID, when
 * a PACS or a modality asks for them.
 */
const otherSopClasses: Record<string, string> = {
  '1.2.840.10008.1.3.10': 'MediaStorageDirectoryStorage (DICOMDIR)',
  '1.2.840.10008.1.20.1': 'StorageCommitmentPushModel',
  '1.2.840.10008.1.40': 'ProceduralEventLogging',
  '1.2.840.10008.3.1.2.3.3': 'ModalityPerformedProcedureStep',
  '1.2.840.10008.3.1.2.3.4': 'ModalityPerformedProcedureStepRetrieve',
  '1.2.840.10008.3.1.2.3.5': 'ModalityPerformedProcedureStepNotification',
  '1.2.840.10008.5.1.1.9': 'BasicGrayscalePrintManagementMeta',
  '1.2.840.10008.5.1.1.18': 'BasicColorPrintManagementMeta',
  '1.2.840.10008.5.1.4.1.2.1.1': 'PatientRootQueryRetrieveInformationModelFind',
  '1.2.840.10008.5.1.4.1.2.1.2': 'PatientRootQueryRetrieveInformationModelMove',
  '1.2.840.10008.5.1.4.1.2.1.3': 'PatientRootQueryRetrieveInformationModelGet',
  '1.2.840.10008.5.1.4.1.2.2.1': 'StudyRootQueryRetrieveInformationModelFind',
  '1.2.840.10008.5.1.4.1.2.2.2': 'StudyRootQueryRetrieveInformationModelMove',
  '1.2.840.10008.5.1.4.1.2.2.3': 'StudyRootQueryRetrieveInformationModelGet',
  '1.2.840.10008.5.1.4.1.2.3.1': 'PatientStudyOnlyQueryRetrieveInformationModelFind (retired)',
  '1.2.840.10008.5.1.4.1.2.3.2': 'PatientStudyOnlyQueryRetrieveInformationModelMove (retired)',
  '1.2.840.10008.5.1.4.1.2.3.3': 'PatientStudyOnlyQueryRetrieveInformationModelGet (retired)',
  '1.2.840.10008.5.1.4.1.2.4.2': 'CompositeInstanceRootRetrieveMove',
  '1.2.840.10008.5.1.4.1.2.4.3': 'CompositeInstanceRootRetrieveGet',
  '1.2.840.10008.5.1.4.1.2.5.3': 'CompositeInstanceRetrieveWithoutBulkDataGet',
  '1.2.840.10008.5.1.4.20.1': 'DefinedProcedureProtocolInformationModelFind',
  '1.2.840.10008.5.1.4.31': 'ModalityWorklistInformationModelFind',
  '1.2.840.10008.5.1.4.33': 'InstanceAvailabilityNotification',
  '1.2.840.10008.5.1.4.34.6.1': 'UnifiedProcedureStepPush',
  '1.2.840.10008.5.1.4.34.6.2': 'UnifiedProcedureStepWatch',
  '1.2.840.10008.5.1.4.34.6.3': 'UnifiedProcedureStepEvent',
  '1.2.840.10008.5.1.4.34.6.4': 'UnifiedProcedureStepPull',
  '1.2.840.10008.5.1.4.34.6.5': 'UnifiedProcedureStepQuery',
  '1.2.840.10008.5.1.4.38.2': 'HangingProtocolInformationModelFind',
  '1.2.840.10008.5.1.4.38.3': 'HangingProtocolInformationModelMove',
  '1.2.840.10008.5.1.4.39.2': 'ColorPaletteQueryRetrieveInformationModelFind',
  '1.2.840.10008.5.1.4.39.3': 'ColorPaletteQueryRetrieveInformationModelMove',
  '1.2.840.10008.5.1.4.39.4': 'ColorPaletteQueryRetrieveInformationModelGet',
};

/** A readable name for a UID we know, else the UID itself. */
export function uidName(uid: string): string {
  return names[uid] ?? STORAGE_SOP_CLASSES.get(uid) ?? transferSyntaxNames.get(uid) ?? otherSopClasses[uid] ?? uid;
}
