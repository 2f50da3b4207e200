// The actions of the Upper Layer protocol machine, PS3.8 §9.2.3 Tables 9-6..9-9 (our reference §4.3),
// as data: what each one does, as an ordered list of effects the I/O driver carries out, and the
// state it leads to. Two actions have a next state that depends on context: AE-6 (whether the
// A-ASSOCIATE-RQ is acceptable to the service provider) and AR-8 (requestor or acceptor).

import type { State } from './states';

/** One thing the I/O driver does; actions are lists of these, run in order. */
export type UlEffect =
  | 'openTransport'
  | 'sendAssociateRq'
  | 'sendAssociateAc'
  | 'sendAssociateRj'
  | 'sendPData'
  | 'sendReleaseRq'
  | 'sendReleaseRp'
  | 'sendAbortUser'
  | 'sendAbortProvider'
  | 'indicateAssociateRq'
  | 'indicateAssociateAc'
  | 'indicateAssociateRj'
  | 'indicatePData'
  | 'indicateReleaseRq'
  | 'indicateReleaseRp'
  | 'indicateReleaseCollision'
  | 'indicateAbort'
  | 'indicateProviderAbort'
  | 'startArtim'
  | 'stopArtim'
  | 'closeTransport'
  | 'ignore';

export const ActionIds = [
  'AE-1', 'AE-2', 'AE-3', 'AE-4', 'AE-5', 'AE-6', 'AE-7', 'AE-8',
  'DT-1', 'DT-2',
  'AR-1', 'AR-2', 'AR-3', 'AR-4', 'AR-5', 'AR-6', 'AR-7', 'AR-8', 'AR-9', 'AR-10',
  'AA-1', 'AA-2', 'AA-3', 'AA-4', 'AA-5', 'AA-6', 'AA-7', 'AA-8',
] as const;
export type ActionId = (typeof ActionIds)[number];

export interface ActionSpec {
  readonly does: string;
  readonly effects: readonly UlEffect[];
  /** The next state; for AE-6 and AR-8 the alternatives, chosen by `nextState` below. */
  readonly next: State;
}

export const actions: Record<ActionId, ActionSpec> = {
  // Association establishment, PS3.8 Table 9-6
  'AE-1': { does: 'Issue TRANSPORT CONNECT request primitive to local transport service', effects: ['openTransport'], next: 'Sta4' },
  'AE-2': { does: 'Send A-ASSOCIATE-RQ-PDU', effects: ['sendAssociateRq'], next: 'Sta5' },
  'AE-3': { does: 'Issue A-ASSOCIATE confirmation (accept) primitive', effects: ['indicateAssociateAc'], next: 'Sta6' },
  'AE-4': { does: 'Issue A-ASSOCIATE confirmation (reject) primitive and close transport connection', effects: ['indicateAssociateRj', 'closeTransport'], next: 'Sta1' },
  'AE-5': { does: 'Issue Transport connection response primitive; start ARTIM timer', effects: ['startArtim'], next: 'Sta2' },
  // AE-6 when the RQ is acceptable; the not-acceptable branch is AE-6 with `rejectEffects` below.
  'AE-6': { does: 'Stop ARTIM timer and if A-ASSOCIATE-RQ acceptable by service-provider issue A-ASSOCIATE indication primitive (else send A-ASSOCIATE-RJ-PDU and start ARTIM timer)', effects: ['stopArtim', 'indicateAssociateRq'], next: 'Sta3' },
  'AE-7': { does: 'Send A-ASSOCIATE-AC PDU', effects: ['sendAssociateAc'], next: 'Sta6' },
  'AE-8': { does: 'Send A-ASSOCIATE-RJ PDU and start ARTIM timer', effects: ['sendAssociateRj', 'startArtim'], next: 'Sta13' },
  // Data transfer, PS3.8 Table 9-7
  'DT-1': { does: 'Send P-DATA-TF PDU', effects: ['sendPData'], next: 'Sta6' },
  'DT-2': { does: 'Send P-DATA indication primitive', effects: ['indicatePData'], next: 'Sta6' },
  // Association release, PS3.8 Table 9-8
  'AR-1': { does: 'Send A-RELEASE-RQ PDU', effects: ['sendReleaseRq'], next: 'Sta7' },
  'AR-2': { does: 'Issue A-RELEASE indication primitive', effects: ['indicateReleaseRq'], next: 'Sta8' },
  'AR-3': { does: 'Issue A-RELEASE confirmation primitive, and close transport connection', effects: ['indicateReleaseRp', 'closeTransport'], next: 'Sta1' },
  'AR-4': { does: 'Issue A-RELEASE-RP PDU and start ARTIM timer', effects: ['sendReleaseRp', 'startArtim'], next: 'Sta13' },
  'AR-5': { does: 'Stop ARTIM timer', effects: ['stopArtim'], next: 'Sta1' },
  'AR-6': { does: 'Issue P-DATA indication', effects: ['indicatePData'], next: 'Sta7' },
  'AR-7': { does: 'Issue P-DATA-TF PDU', effects: ['sendPData'], next: 'Sta8' },
  'AR-8': { does: 'Issue A-RELEASE indication (release collision): requestor -> Sta9, acceptor -> Sta10', effects: ['indicateReleaseCollision'], next: 'Sta9' },
  'AR-9': { does: 'Send A-RELEASE-RP PDU', effects: ['sendReleaseRp'], next: 'Sta11' },
  'AR-10': { does: 'Issue A-RELEASE confirmation primitive', effects: ['indicateReleaseRp'], next: 'Sta12' },
  // Association abort, PS3.8 Table 9-9
  'AA-1': { does: 'Send A-ABORT PDU (service-user source) and start (or restart if already started) ARTIM timer', effects: ['sendAbortUser', 'startArtim'], next: 'Sta13' },
  'AA-2': { does: 'Stop ARTIM timer if running. Close transport connection', effects: ['stopArtim', 'closeTransport'], next: 'Sta1' },
  'AA-3': { does: 'Issue A-ABORT or A-P-ABORT indication and close transport connection', effects: ['indicateAbort', 'closeTransport'], next: 'Sta1' },
  'AA-4': { does: 'Issue A-P-ABORT indication primitive', effects: ['indicateProviderAbort'], next: 'Sta1' },
  'AA-5': { does: 'Stop ARTIM timer', effects: ['stopArtim'], next: 'Sta1' },
  'AA-6': { does: 'Ignore PDU', effects: ['ignore'], next: 'Sta13' },
  'AA-7': { does: 'Send A-ABORT PDU', effects: ['sendAbortProvider'], next: 'Sta13' },
  'AA-8': { does: 'Send A-ABORT PDU (service-provider source), issue an A-P-ABORT indication, and start ARTIM timer', effects: ['sendAbortProvider', 'indicateProviderAbort', 'startArtim'], next: 'Sta13' },
};

/** AE-6 when the A-ASSOCIATE-RQ is not acceptable to the service provider. */
export const ae6RejectEffects: readonly UlEffect[] = ['stopArtim', 'sendAssociateRj', 'startArtim'];

export interface ActionContext {
  readonly isRequestor: boolean;
  /** Only read by AE-6; defaults to true. */
  readonly associateRqAcceptable?: boolean;
}

/** The next state and effects of an action in its context (AE-6 and AR-8 branch). */
export function resolveAction(id: ActionId, ctx: ActionContext): { next: State; effects: readonly UlEffect[] } {
  const spec = actions[id];
  if (id === 'AE-6' && ctx.associateRqAcceptable === false) return { next: 'Sta13', effects: ae6RejectEffects };
  if (id === 'AR-8') return { next: ctx.isRequestor ? 'Sta9' : 'Sta10', effects: spec.effects };
  return { next: spec.next, effects: spec.effects };
}
