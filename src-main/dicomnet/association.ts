// The DicomAssociate model (after the DicomNet model): everything negotiated for one association,
// independent of the wire. Built by the requestor before connecting, or from a received
// A-ASSOCIATE-RQ; reset into an accept of that request under a policy; then turned into the AC.
// PS3.8 §7.1.1 (A-ASSOCIATE parameters), PS3.7 Annex D.3.3 (user information).

import { negotiate, rejectedContextTransferSyntax, type Negotiation } from './acse/negotiate';
import type { AcceptorPolicy, AsynchronousOperationsWindow, NegotiationContext } from './acse/policy';
import { DICOM_APPLICATION_CONTEXT, PresentationContextResult } from './pdu/constants';
import type {
  AAssociateAc,
  AAssociateRq,
  ScpScuRoleSelection,
  SopClassCommonExtendedNegotiation,
  SopClassExtendedNegotiation,
  UnknownSubItem,
  UserIdentityAc,
  UserIdentityRq,
} from './pdu/types';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './uids';

export interface PresentationContext {
  /** Odd, 1..255, chosen by the requestor (PS3.8 §7.1.1.13). */
  readonly id: number;
  readonly abstractSyntax: string;
  /** As proposed by the requestor. */
  readonly transferSyntaxes: readonly string[];
  /** Result after negotiation (PresentationContextResult); undefined while only proposed. */
  result?: number;
  /** The accepted transfer syntax (meaningful when result = 0). */
  transferSyntax?: string;
}

export interface ProposedContext {
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
}

export interface DicomAssociateInit {
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  readonly presentationContexts: readonly ProposedContext[];
  readonly maxPduLength?: number;
  readonly implementationClassUid?: string;
  readonly implementationVersionName?: string;
  readonly asynchronousOperationsWindow?: AsynchronousOperationsWindow;
  readonly roleSelections?: readonly ScpScuRoleSelection[];
  readonly extendedNegotiations?: readonly SopClassExtendedNegotiation[];
  readonly commonExtendedNegotiations?: readonly SopClassCommonExtendedNegotiation[];
  readonly userIdentity?: UserIdentityRq;
}

/** Default Maximum Length we announce: large enough for fast bulk transfer, small enough to buffer. */
export const DEFAULT_MAX_PDU_LENGTH = 256 * 1024;

export class DicomAssociate {
  applicationContextName = DICOM_APPLICATION_CONTEXT;
  callingAeTitle: string;
  calledAeTitle: string;
  presentationContexts: PresentationContext[];
  /** The Maximum Length the requestor announced (what the acceptor may send it). */
  requestorMaxPduLength: number;
  /** The Maximum Length the acceptor announced; undefined until accepted. */
  acceptorMaxPduLength?: number;
  requestorImplementationClassUid: string;
  requestorImplementationVersionName?: string;
  acceptorImplementationClassUid?: string;
  acceptorImplementationVersionName?: string;
  /** Proposed window (RQ); absent = synchronous. */
  proposedAsynchronousOperationsWindow?: AsynchronousOperationsWindow;
  /** Negotiated window (AC); absent = synchronous (1/1). */
  asynchronousOperationsWindow?: AsynchronousOperationsWindow;
  roleSelections: ScpScuRoleSelection[];
  acceptedRoleSelections: ScpScuRoleSelection[] = [];
  extendedNegotiations: SopClassExtendedNegotiation[];
  acceptedExtendedNegotiations: SopClassExtendedNegotiation[] = [];
  commonExtendedNegotiations: SopClassCommonExtendedNegotiation[];
  userIdentity?: UserIdentityRq;
  userIdentityResponse?: UserIdentityAc;
  unknownSubItems: UnknownSubItem[] = [];

  constructor(init: DicomAssociateInit) {
    this.callingAeTitle = init.callingAeTitle;
    this.calledAeTitle = init.calledAeTitle;
    if (init.presentationContexts.length > 128) {
      throw new Error(`At most 128 presentation contexts fit in one association (${init.presentationContexts.length} given).`);
    }
    this.presentationContexts = init.presentationContexts.map((pc, i) => ({
      id: 2 * i + 1,
      abstractSyntax: pc.abstractSyntax,
      transferSyntaxes: [...pc.transferSyntaxes],
    }));
    this.requestorMaxPduLength = init.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH;
    this.requestorImplementationClassUid = init.implementationClassUid ?? IMPLEMENTATION_CLASS_UID;
    this.requestorImplementationVersionName = init.implementationVersionName ?? IMPLEMENTATION_VERSION_NAME;
    this.proposedAsynchronousOperationsWindow = init.asynchronousOperationsWindow;
    this.roleSelections = [...(init.roleSelections ?? [])];
    this.extendedNegotiations = [...(init.extendedNegotiations ?? [])];
    this.commonExtendedNegotiations = [...(init.commonExtendedNegotiations ?? [])];
    this.userIdentity = init.userIdentity;
  }

  /** The model of a received request (acceptor side). */
  static fromRq(rq: AAssociateRq): DicomAssociate {
    const ui = rq.userInformation;
    const a = new DicomAssociate({
      callingAeTitle: rq.callingAeTitle,
      calledAeTitle: rq.calledAeTitle,
      presentationContexts: [],
      maxPduLength: ui.maximumLength,
      implementationClassUid: ui.implementationClassUid,
      implementationVersionName: ui.implementationVersionName,
      asynchronousOperationsWindow: ui.asynchronousOperationsWindow,
      roleSelections: ui.roleSelections,
      extendedNegotiations: ui.extendedNegotiations,
      commonExtendedNegotiations: ui.commonExtendedNegotiations,
      userIdentity: ui.userIdentityRq,
    });
    if (ui.implementationVersionName === undefined) a.requestorImplementationVersionName = undefined;
    a.applicationContextName = rq.applicationContextName;
    a.presentationContexts = rq.presentationContexts.map((pc) => ({ id: pc.id, abstractSyntax: pc.abstractSyntax, transferSyntaxes: [...pc.transferSyntaxes] }));
    a.unknownSubItems = [...ui.unknownSubItems];
    return a;
  }

  toRq(): AAssociateRq {
    return {
      type: 0x01,
      protocolVersion: 0x0001,
      calledAeTitle: this.calledAeTitle,
      callingAeTitle: this.callingAeTitle,
      applicationContextName: this.applicationContextName,
      presentationContexts: this.presentationContexts.map((pc) => ({ id: pc.id, abstractSyntax: pc.abstractSyntax, transferSyntaxes: pc.transferSyntaxes })),
      userInformation: {
        maximumLength: this.requestorMaxPduLength,
        implementationClassUid: this.requestorImplementationClassUid,
        implementationVersionName: this.requestorImplementationVersionName,
        asynchronousOperationsWindow: this.proposedAsynchronousOperationsWindow,
        roleSelections: this.roleSelections,
        extendedNegotiations: this.extendedNegotiations,
        commonExtendedNegotiations: this.commonExtendedNegotiations,
        userIdentityRq: this.userIdentity,
        unknownSubItems: [],
      },
    };
  }

  /**
   * Resets this (received) request into an accept under `policy`: fills each context's result and
   * transfer syntax and our user information. Returns the rejection instead when the policy
   * refuses the association as a whole; the model is then left as it was.
   */
  resetToAccept(policy: AcceptorPolicy, ctx: NegotiationContext): Negotiation {
    const outcome = negotiate(this.toRq(), policy, ctx);
    if (outcome.accepted) this.applyAc(outcome.ac);
    return outcome;
  }

  /** Records an A-ASSOCIATE-AC (received by the requestor, or built by resetToAccept). */
  applyAc(ac: AAssociateAc): void {
    for (const item of ac.presentationContexts) {
      const pc = this.presentationContexts.find((p) => p.id === item.id);
      if (!pc) continue; // a result for a context never proposed carries no meaning: ignore it
      pc.result = item.result;
      pc.transferSyntax = item.result === PresentationContextResult.Acceptance ? item.transferSyntax : undefined;
    }
    // PS3.8 §7.1.1.13: every proposed context gets a result; one missing counts as rejected.
    for (const pc of this.presentationContexts) if (pc.result === undefined) pc.result = PresentationContextResult.NoReason;
    const ui = ac.userInformation;
    this.acceptorMaxPduLength = ui.maximumLength;
    this.acceptorImplementationClassUid = ui.implementationClassUid;
    this.acceptorImplementationVersionName = ui.implementationVersionName;
    this.asynchronousOperationsWindow = ui.asynchronousOperationsWindow;
    this.acceptedRoleSelections = [...ui.roleSelections];
    this.acceptedExtendedNegotiations = [...ui.extendedNegotiations];
    this.userIdentityResponse = ui.userIdentityAc;
  }

  toAc(): AAssociateAc {
    return {
      type: 0x02,
      protocolVersion: 0x0001,
      calledAeTitle: this.calledAeTitle,
      callingAeTitle: this.callingAeTitle,
      applicationContextName: DICOM_APPLICATION_CONTEXT,
      presentationContexts: this.presentationContexts.map((pc) => ({
        id: pc.id,
        result: pc.result ?? PresentationContextResult.NoReason,
        transferSyntax: pc.transferSyntax ?? rejectedContextTransferSyntax(pc.transferSyntaxes),
      })),
      userInformation: {
        maximumLength: this.acceptorMaxPduLength ?? DEFAULT_MAX_PDU_LENGTH,
        implementationClassUid: this.acceptorImplementationClassUid ?? IMPLEMENTATION_CLASS_UID,
        implementationVersionName: this.acceptorImplementationVersionName,
        asynchronousOperationsWindow: this.asynchronousOperationsWindow,
        roleSelections: this.acceptedRoleSelections,
        extendedNegotiations: this.acceptedExtendedNegotiations,
        commonExtendedNegotiations: [],
        userIdentityAc: this.userIdentityResponse,
        unknownSubItems: [],
      },
    };
  }

  acceptedContexts(): PresentationContext[] {
    return this.presentationContexts.filter((pc) => pc.result === PresentationContextResult.Acceptance);
  }

  /** The first accepted context for an abstract syntax (and transfer syntax, when given). */
  findAcceptedContext(abstractSyntax: string, transferSyntax?: string): PresentationContext | undefined {
    return this.presentationContexts.find((pc) => pc.result === PresentationContextResult.Acceptance
      && pc.abstractSyntax === abstractSyntax && (transferSyntax === undefined || pc.transferSyntax === transferSyntax));
  }

  context(id: number): PresentationContext | undefined {
    return this.presentationContexts.find((pc) => pc.id === id);
  }

  /**
   * Operations the requestor may have outstanding at once, which the acceptor performs (PS3.7
   * D.3.3.3: the negotiated Maximum Number Operations Invoked; absent = 1, 0 = unlimited).
   */
  maxInvokedByRequestor(): number {
    return this.asynchronousOperationsWindow?.maxOperationsInvoked ?? 1;
  }
  /** Operations the acceptor may invoke on the requestor at once (Maximum Number Operations Performed). */
  maxInvokedByAcceptor(): number {
    return this.asynchronousOperationsWindow?.maxOperationsPerformed ?? 1;
  }
}
