// Plain words for what the peer or the provider said: one sentence naming what happened and the
// likely fix. Protocol knowledge, so it lives in the stack; the app and the CLI show it as is.

import {
  abortReasonText,
  abortSourceText,
  rejectReasonText,
  rejectResultText,
  rejectSourceText,
} from './pdu/constants';

export interface AssociationParties {
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  readonly host?: string;
  readonly port?: number;
}

/** "rejected-permanent, DICOM UL service-user, called-AE-title-not-recognized" */
export function decodeRejection(result: number, source: number, reason: number): string {
  const r = rejectResultText[result] ?? `result ${result}`;
  const s = rejectSourceText[source] ?? `source ${source}`;
  const why = rejectReasonText[source]?.[reason] ?? `reason ${reason}`;
  return `${r}, ${s}, ${why}`;
}

/** One sentence with the likely fix for an A-ASSOCIATE-RJ. */
export function explainRejection(result: number, source: number, reason: number, p: AssociationParties): string {
  const transient = result === 2 ? ' (transient: trying again later may work)' : '';
  if (source === 1) {
    switch (reason) {
      case 3:
        return `The peer does not recognise our calling AE title '${p.callingAeTitle}': add it to the peer's list of known nodes (or use a calling AE title it knows).`;
      case 7:
        return `The peer does not answer to the called AE title '${p.calledAeTitle}': use the AE title configured on the peer (it is case sensitive).`;
      case 2:
        return 'The peer does not support the DICOM application context: it may not be a DICOM node.';
      default:
        return `The peer's DICOM application rejected the association without giving a reason${transient}: check the peer's log and its configuration for our calling AE title '${p.callingAeTitle}'.`;
    }
  }
  if (source === 2) {
    if (reason === 2) return 'The peer does not support the DICOM protocol version we speak (version 1).';
    return `The peer's DICOM service rejected the association without giving a reason${transient}: check the peer's log.`;
  }
  if (source === 3) {
    if (reason === 1) return 'The peer is temporarily congested: try again later.';
    if (reason === 2) return 'The peer has reached its limit of simultaneous associations: try again later, or raise the limit on the peer.';
  }
  return `The peer rejected the association (${decodeRejection(result, source, reason)}).`;
}

/** "DICOM UL service-provider, unexpected-PDU" */
export function decodeAbort(source: number, reason: number): string {
  const s = abortSourceText[source] ?? `source ${source}`;
  if (source !== 2) return s;
  return `${s}, ${abortReasonText[reason] ?? `reason ${reason}`}`;
}

/** One sentence for an A-ABORT received from the peer. */
export function explainAbort(source: number, reason: number): string {
  if (source === 2) {
    return `The peer's DICOM protocol layer aborted the association (${abortReasonText[reason] ?? `reason ${reason}`}): it did not understand what we sent; check the peer's log.`;
  }
  return 'The peer aborted the association: check the peer\'s log for why (often a policy or configuration refusal).';
}

/** What a socket error on an open association means for the user, by its code. */
const CONNECTION_ERRORS: Readonly<Record<string, string>> = {
  EPIPE: 'the peer closed the connection while we were still sending',
  ECONNRESET: 'the peer reset the connection (closed it abruptly, or its process ended)',
  ETIMEDOUT: 'the network stopped delivering our data (the peer, or a firewall between us, dropped the connection)',
};

/** "read ECONNRESET: the peer reset the connection (...)"; other errors as they are. */
export function explainConnectionError(err: Error): string {
  const why = CONNECTION_ERRORS[(err as NodeJS.ErrnoException).code ?? ''];
  return why ? `${err.message}: ${why}` : err.message;
}
