// Verification service (PS3.4 Annex A): C-ECHO on both sides.

import type { Association } from '../connection';
import { AssociationError } from '../errors';
import { CommandField } from '../dimse/command-fields';
import { makeCEchoRq } from '../dimse/messages';
import { SopClass } from '../uids';
import type { RequestHandler } from './handlers';
import { nowMs } from '../clock';

export interface EchoResult {
  readonly status: number;
  readonly rttMs: number;
}

/** The C-ECHO-RQ but its message ID, which the association assigns: made once, not per echo. */
const { messageId: _unused, ...ECHO_RQ } = makeCEchoRq(0);

/** Sends one C-ECHO-RQ on the Verification context and waits for its response. */
export async function echo(association: Association, timeoutMs?: number): Promise<EchoResult> {
  const pc = association.associate?.findAcceptedContext(SopClass.Verification);
  if (!pc) {
    throw new AssociationError('associate', 'no-verification-context',
      'The peer did not accept the Verification SOP class: it does not offer C-ECHO to us (check the peer\'s list of supported services).');
  }
  const started = nowMs();
  const rsp = await association.request(pc.id, ECHO_RQ, undefined, { timeoutMs });
  return { status: rsp.command.status ?? 0xffff, rttMs: nowMs() - started };
}

/** The C-ECHO SCP: always Success (PS3.4 A.4.1). */
export const echoHandler: RequestHandler = () => ({ status: 0x0000 });

export const echoHandlers = new Map<number, RequestHandler>([[CommandField.CEchoRq, echoHandler]]);
