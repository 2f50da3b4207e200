// Wire PDUs of PS3.8 §9.3 as plain readonly objects: one of the three type families of the stack
// (wire PDUs / upper-layer primitives / DIMSE messages), kept apart with explicit converters.
// Field names follow the standard; AE titles are stored trimmed (PS3.8 §9.3.2: leading and trailing
// spaces are not significant); UIDs are stored without padding.

/** 0x30 + 0x40 sub-items of a 0x20 item, PS3.8 §9.3.2.2. */
export interface PresentationContextRqItem {
  readonly id: number; // odd, 1..255
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
}

/** 0x21 item, PS3.8 §9.3.3.2. transferSyntax is meaningful only when result = 0. */
export interface PresentationContextAcItem {
  readonly id: number;
  readonly result: number; // PresentationContextResult
  readonly transferSyntax: string;
}

/** 0x54, PS3.7 D.3.3.4. */
export interface ScpScuRoleSelection {
  readonly sopClassUid: string;
  readonly scuRole: number; // 0 or 1
  readonly scpRole: number; // 0 or 1
}

/** 0x56, PS3.7 D.3.3.5: the application information is service specific and carried as bytes. */
export interface SopClassExtendedNegotiation {
  readonly sopClassUid: string;
  readonly serviceClassApplicationInformation: Uint8Array;
}

/** 0x57, PS3.7 D.3.3.6. Byte 1 of the header is the sub-item version (0). */
export interface SopClassCommonExtendedNegotiation {
  readonly sopClassUid: string;
  readonly serviceClassUid: string;
  readonly relatedGeneralSopClassUids: readonly string[];
}

/** 0x58, PS3.7 D.3.3.7.1. */
export interface UserIdentityRq {
  readonly type: number; // 1 username, 2 username+passcode, 3 Kerberos, 4 SAML, 5 JWT
  readonly positiveResponseRequested: boolean;
  readonly primaryField: Uint8Array;
  readonly secondaryField: Uint8Array;
}

/** 0x59, PS3.7 D.3.3.7.2. */
export interface UserIdentityAc {
  readonly serverResponse: Uint8Array;
}

/** A sub-item of type not known to us: kept so that it can be reported, never acted upon. */
export interface UnknownSubItem {
  readonly type: number;
  readonly data: Uint8Array;
}

/** 0x50 item with its sub-items, PS3.8 Annex D. */
export interface UserInformation {
  readonly maximumLength: number; // 0x51; 0 = no limit
  readonly implementationClassUid: string; // 0x52
  readonly asynchronousOperationsWindow?: { readonly maxOperationsInvoked: number; readonly maxOperationsPerformed: number }; // 0x53
  readonly roleSelections: readonly ScpScuRoleSelection[]; // 0x54
  readonly implementationVersionName?: string; // 0x55
  readonly extendedNegotiations: readonly SopClassExtendedNegotiation[]; // 0x56
  readonly commonExtendedNegotiations: readonly SopClassCommonExtendedNegotiation[]; // 0x57 (RQ only)
  readonly userIdentityRq?: UserIdentityRq; // 0x58 (RQ only)
  readonly userIdentityAc?: UserIdentityAc; // 0x59 (AC only)
  readonly unknownSubItems: readonly UnknownSubItem[];
}

export interface AAssociateRq {
  readonly type: 0x01;
  readonly protocolVersion: number;
  readonly calledAeTitle: string;
  readonly callingAeTitle: string;
  readonly applicationContextName: string;
  readonly presentationContexts: readonly PresentationContextRqItem[];
  readonly userInformation: UserInformation;
}

export interface AAssociateAc {
  readonly type: 0x02;
  readonly protocolVersion: number;
  /** Reserved in the AC but sent back as received in the RQ; not tested on receipt (PS3.8 §9.3.3). */
  readonly calledAeTitle: string;
  readonly callingAeTitle: string;
  readonly applicationContextName: string;
  readonly presentationContexts: readonly PresentationContextAcItem[];
  readonly userInformation: UserInformation;
}

export interface AAssociateRj {
  readonly type: 0x03;
  readonly result: number;
  readonly source: number;
  readonly reason: number;
}

/** One PDV item, PS3.8 §9.3.5.1 and Annex E.2. `data` is a view into the received PDU (no copy). */
export interface PresentationDataValue {
  readonly presentationContextId: number;
  readonly isCommand: boolean;
  readonly isLast: boolean;
  readonly data: Uint8Array;
}

export interface PDataTf {
  readonly type: 0x04;
  readonly pdvs: readonly PresentationDataValue[];
}

export interface AReleaseRq {
  readonly type: 0x05;
}
export interface AReleaseRp {
  readonly type: 0x06;
}
export interface AAbort {
  readonly type: 0x07;
  readonly source: number;
  readonly reason: number;
}

export type Pdu = AAssociateRq | AAssociateAc | AAssociateRj | PDataTf | AReleaseRq | AReleaseRp | AAbort;

/**
 * A PDU that could not be decoded. `abortReason` is the A-ABORT provider reason (PS3.8 Table 9-26)
 * the state machine sends for it (Evt19).
 */
export class PduDecodeError extends Error {
  constructor(
    message: string,
    readonly abortReason: number,
  ) {
    super(message);
    this.name = 'PduDecodeError';
  }
}
