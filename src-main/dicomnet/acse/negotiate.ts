// Acceptor-side negotiation as a pure function: A-ASSOCIATE-RQ + local policy -> AC or RJ.
// Follows the order of checks of PS3.8 §7.1.1 and the acceptor checklist of our reference §3.

import { sameAeTitle } from '../../../src-shared/ae-title';
import {
  DICOM_APPLICATION_CONTEXT,
  PresentationContextResult,
  RejectReason,
  RejectResult,
  RejectSource,
} from '../pdu/constants';
import type {
  AAssociateAc,
  AAssociateRj,
  AAssociateRq,
  PresentationContextAcItem,
  ScpScuRoleSelection,
  UserInformation,
} from '../pdu/types';
import { isEncodableUid } from '../pdu/validate';
import { TransferSyntax } from '../part10/transfer-syntax';
import type { AcceptorPolicy, NegotiationContext } from './policy';

export type Negotiation =
  | { readonly accepted: true; readonly ac: AAssociateAc }
  | { readonly accepted: false; readonly rj: AAssociateRj; readonly explanation: string };

/**
 * The transfer syntax sub-item of a context we do not accept. PS3.8 §9.3.3.2: its value is not
 * significant and not tested when received, but the item must be there and be a UID: the first one
 * proposed when it is one, else the default transfer syntax. A peer's garbled proposal must never
 * become an answer we cannot encode (the peer would wait for an AC that never comes).
 */
export function rejectedContextTransferSyntax(proposed: readonly string[]): string {
  const first = proposed[0];
  return first !== undefined && isEncodableUid(first) ? first : TransferSyntax.ImplicitVRLittleEndian;
}

function reject(result: number, source: number, reason: number, explanation: string): Negotiation {
  return { accepted: false, rj: { type: 0x03, result, source, reason }, explanation };
}

/** Decides on a received request. Every rejection carries one sentence saying why. */
export function negotiate(rq: AAssociateRq, policy: AcceptorPolicy, ctx: NegotiationContext): Negotiation {
  // PS3.8 §9.3.2: only bit 0 (version 1) is tested.
  if ((rq.protocolVersion & 0x0001) === 0) {
    return reject(RejectResult.Permanent, RejectSource.ServiceProviderAcse, RejectReason.ProtocolVersionNotSupported,
      `protocol version 0x${rq.protocolVersion.toString(16)} is not supported`);
  }
  if (rq.applicationContextName !== DICOM_APPLICATION_CONTEXT) {
    return reject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.ApplicationContextNameNotSupported,
      `application context '${rq.applicationContextName}' is not the DICOM application context`);
  }
  if (!sameAeTitle(rq.calledAeTitle, policy.aeTitle)) {
    return reject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CalledAeTitleNotRecognized,
      `called AE title '${rq.calledAeTitle}' is not ours ('${policy.aeTitle}')`);
  }
  const allowed = policy.allowedCallingAeTitles ?? [];
  if (allowed.length > 0 && !allowed.some((t) => sameAeTitle(t, rq.callingAeTitle))) {
    return reject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CallingAeTitleNotRecognized,
      `calling AE title '${rq.callingAeTitle}' is not in the list of allowed calling AE titles`);
  }
  if (policy.maxAssociations !== undefined && ctx.activeAssociations >= policy.maxAssociations) {
    return reject(RejectResult.Transient, RejectSource.ServiceProviderPresentation, RejectReason.LocalLimitExceeded,
      `${ctx.activeAssociations} associations are open, the limit is ${policy.maxAssociations}`);
  }

  const presentationContexts: PresentationContextAcItem[] = rq.presentationContexts.map((pc) => {
    const ours = policy.supportedContexts.get(pc.abstractSyntax);
    if (!ours) {
      return { id: pc.id, result: PresentationContextResult.AbstractSyntaxNotSupported, transferSyntax: rejectedContextTransferSyntax(pc.transferSyntaxes) };
    }
    // Exactly one of the proposed syntaxes is chosen (PS3.8 §7.1.1.14): by our order of preference,
    // or by the requestor's when the policy says so.
    const chosen = policy.transferSyntaxChoice === 'proposed'
      ? pc.transferSyntaxes.find((ts) => ours.includes(ts))
      : ours.find((ts) => pc.transferSyntaxes.includes(ts));
    if (chosen === undefined) {
      return { id: pc.id, result: PresentationContextResult.TransferSyntaxesNotSupported, transferSyntax: rejectedContextTransferSyntax(pc.transferSyntaxes) };
    }
    return { id: pc.id, result: PresentationContextResult.Acceptance, transferSyntax: chosen };
  });

  return { accepted: true, ac: {
    type: 0x02,
    protocolVersion: 0x0001,
    calledAeTitle: rq.calledAeTitle,
    callingAeTitle: rq.callingAeTitle,
    applicationContextName: DICOM_APPLICATION_CONTEXT,
    presentationContexts,
    userInformation: answerUserInformation(rq, policy),
  } };
}

/** The acceptor's user information: PS3.7 D.3.3 rules for each sub-item. */
function answerUserInformation(rq: AAssociateRq, policy: AcceptorPolicy): UserInformation {
  const ui = rq.userInformation;
  return {
    maximumLength: policy.maxPduLength,
    implementationClassUid: policy.implementationClassUid,
    implementationVersionName: policy.implementationVersionName,
    asynchronousOperationsWindow: answerAsyncWindow(rq, policy),
    roleSelections: answerRoles(ui.roleSelections, policy),
    // PS3.7 D.3.3.5: an acceptor returns extended negotiation only for what it understood: none yet.
    extendedNegotiations: [],
    commonExtendedNegotiations: [],
    // PS3.7 D.3.3.7: a response only if one was asked for; our policy accepts any identity and has
    // no server response to give, so the response is empty (Basic User Identity, PS3.15 B.4).
    userIdentityAc: ui.userIdentityRq?.positiveResponseRequested ? { serverResponse: new Uint8Array(0) } : undefined,
    unknownSubItems: [],
  };
}

/** 0 is unlimited (PS3.7 D.3.3.3); the answer never exceeds what either side can do. */
function combine(proposed: number, ours: number): number {
  if (proposed === 0) return ours;
  if (ours === 0) return proposed;
  return Math.min(proposed, ours);
}

function answerAsyncWindow(rq: AAssociateRq, policy: AcceptorPolicy): UserInformation['asynchronousOperationsWindow'] {
  const proposed = rq.userInformation.asynchronousOperationsWindow;
  if (!proposed) return undefined; // absent in the RQ: must be absent in the AC (synchronous)
  const ours = policy.asynchronousOperationsWindow ?? { maxOperationsInvoked: 1, maxOperationsPerformed: 1 };
  // The requestor invokes what we perform, and performs what we invoke.
  return {
    maxOperationsInvoked: combine(proposed.maxOperationsInvoked, ours.maxOperationsPerformed),
    maxOperationsPerformed: combine(proposed.maxOperationsPerformed, ours.maxOperationsInvoked),
  };
}

function answerRoles(proposed: readonly ScpScuRoleSelection[], policy: AcceptorPolicy): ScpScuRoleSelection[] {
  // PS3.7 D.3.3.4: echo 1 to accept a proposed role, 0 to refuse; never 1 for a role proposed as 0.
  return proposed
    .filter((r) => policy.supportedContexts.has(r.sopClassUid))
    .map((r) => ({
      sopClassUid: r.sopClassUid,
      scuRole: r.scuRole ? 1 : 0,
      scpRole: r.scpRole && policy.acceptScpRoleFor?.has(r.sopClassUid) ? 1 : 0,
    }));
}
