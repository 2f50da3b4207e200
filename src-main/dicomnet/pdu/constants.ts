// Code tables of the Upper Layer protocol, as data. PS3.8 §9.3 (PDU structure), Annex D (user
// information), PS3.7 Annex D.3.3 (negotiation sub-items). Logic reads these tables; nothing else
// hard-codes a type code.

/** PDU type codes, PS3.8 §9.3.1 Table 9-11. */
export const PduType = {
  AAssociateRq: 0x01,
  AAssociateAc: 0x02,
  AAssociateRj: 0x03,
  PDataTf: 0x04,
  AReleaseRq: 0x05,
  AReleaseRp: 0x06,
  AAbort: 0x07,
} as const;
export type PduTypeCode = (typeof PduType)[keyof typeof PduType];

/** Item and sub-item type codes, PS3.8 §9.3.2.2/9.3.3.2 and Annex D; PS3.7 D.3.3. */
export const ItemType = {
  ApplicationContext: 0x10,
  PresentationContextRq: 0x20,
  PresentationContextAc: 0x21,
  AbstractSyntax: 0x30,
  TransferSyntax: 0x40,
  UserInformation: 0x50,
  MaximumLength: 0x51,
  ImplementationClassUid: 0x52,
  AsynchronousOperationsWindow: 0x53,
  ScpScuRoleSelection: 0x54,
  ImplementationVersionName: 0x55,
  SopClassExtendedNegotiation: 0x56,
  SopClassCommonExtendedNegotiation: 0x57,
  UserIdentityRq: 0x58,
  UserIdentityAc: 0x59,
} as const;

/** Presentation context result/reason in the A-ASSOCIATE-AC, PS3.8 §9.3.3.2 Table 9-18. */
export const PresentationContextResult = {
  Acceptance: 0,
  UserRejection: 1,
  NoReason: 2,
  AbstractSyntaxNotSupported: 3,
  TransferSyntaxesNotSupported: 4,
} as const;
export type PresentationContextResultCode = (typeof PresentationContextResult)[keyof typeof PresentationContextResult];

export const presentationContextResultText: Record<number, string> = {
  0: 'acceptance',
  1: 'user-rejection',
  2: 'no-reason (provider rejection)',
  3: 'abstract-syntax-not-supported (provider rejection)',
  4: 'transfer-syntaxes-not-supported (provider rejection)',
};

/** A-ASSOCIATE-RJ result, source and reason, PS3.8 §9.3.4 Table 9-21. */
export const RejectResult = { Permanent: 1, Transient: 2 } as const;
export const RejectSource = { ServiceUser: 1, ServiceProviderAcse: 2, ServiceProviderPresentation: 3 } as const;
export const RejectReason = {
  // source 1, service user
  NoReasonGiven: 1,
  ApplicationContextNameNotSupported: 2,
  CallingAeTitleNotRecognized: 3,
  CalledAeTitleNotRecognized: 7,
  // source 2, service provider (ACSE)
  ProviderNoReasonGiven: 1,
  ProtocolVersionNotSupported: 2,
  // source 3, service provider (presentation)
  TemporaryCongestion: 1,
  LocalLimitExceeded: 2,
} as const;

export const rejectResultText: Record<number, string> = { 1: 'rejected-permanent', 2: 'rejected-transient' };
export const rejectSourceText: Record<number, string> = {
  1: 'DICOM UL service-user',
  2: 'DICOM UL service-provider (ACSE related function)',
  3: 'DICOM UL service-provider (presentation related function)',
};
/** Reason text by source, then reason code. */
export const rejectReasonText: Record<number, Record<number, string>> = {
  1: { 1: 'no-reason-given', 2: 'application-context-name-not-supported', 3: 'calling-AE-title-not-recognized', 7: 'called-AE-title-not-recognized' },
  2: { 1: 'no-reason-given', 2: 'protocol-version-not-supported' },
  3: { 0: 'reserved', 1: 'temporary-congestion', 2: 'local-limit-exceeded' },
};

/** A-ABORT source and provider reason, PS3.8 §9.3.8 Table 9-26. */
export const AbortSource = { ServiceUser: 0, Reserved: 1, ServiceProvider: 2 } as const;
export const AbortReason = {
  NotSpecified: 0,
  UnrecognizedPdu: 1,
  UnexpectedPdu: 2,
  Reserved: 3,
  UnrecognizedPduParameter: 4,
  UnexpectedPduParameter: 5,
  InvalidPduParameterValue: 6,
} as const;
export const abortSourceText: Record<number, string> = { 0: 'DICOM UL service-user', 1: 'reserved', 2: 'DICOM UL service-provider' };
export const abortReasonText: Record<number, string> = {
  0: 'reason-not-specified',
  1: 'unrecognized-PDU',
  2: 'unexpected-PDU',
  3: 'reserved',
  4: 'unrecognized-PDU-parameter',
  5: 'unexpected-PDU-parameter',
  6: 'invalid-PDU-parameter-value',
};

/** PS3.7 Annex A.2.1: the only application context name. */
export const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';
/** PS3.8 §9.3.2: protocol version bit 0. */
export const PROTOCOL_VERSION = 0x0001;

/** Every PDU starts with type u8, reserved u8, length u32 BE (PS3.8 §9.3.1). */
export const PDU_HEADER_LENGTH = 6;
/** Bytes before the fragment in a one-PDV P-DATA-TF: PDU header + PDV item length u32 + PC-ID + control header. */
export const PDATA_HEADER_LENGTH = 12;
/** PDUs whose length field is always 4 (PS3.8 §9.3.4, §9.3.6, §9.3.7, §9.3.8). */
export const FIXED_PDU_LENGTH = 4;

/** Message control header bits of a PDV, PS3.8 Annex E.2. Bits 2..7 are 0 on send and ignored on receipt. */
export const MessageControlHeader = {
  /** bit 0: 1 = command fragment, 0 = data set fragment */
  Command: 0x01,
  /** bit 1: 1 = last fragment of the command or data set */
  Last: 0x02,
} as const;
