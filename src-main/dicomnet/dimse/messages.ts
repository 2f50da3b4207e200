// DIMSE message builders, PS3.7 §9.3 (C-ECHO) and the generic response rule (request | 0x8000).

import { CommandDataSetType, CommandField } from './command-fields';
import type { CommandSet } from './command-set';

const VERIFICATION = '1.2.840.10008.1.1';

/** C-ECHO-RQ, PS3.7 §9.3.5.1. */
export function makeCEchoRq(messageId: number): CommandSet {
  return { commandField: CommandField.CEchoRq, messageId, affectedSopClassUid: VERIFICATION, commandDataSetType: CommandDataSetType.None };
}

/** C-ECHO-RSP, PS3.7 §9.3.5.2. */
export function makeCEchoRsp(messageIdBeingRespondedTo: number, status = 0x0000): CommandSet {
  return { commandField: CommandField.CEchoRsp, messageIdBeingRespondedTo, affectedSopClassUid: VERIFICATION, commandDataSetType: CommandDataSetType.None, status };
}

/** The response to `rq`: its command field | 0x8000, its message ID, its affected SOP class/instance. */
export function makeResponse(rq: CommandSet, status: number, extra: Partial<CommandSet> = {}, withDataSet = false): CommandSet {
  return {
    commandField: rq.commandField | 0x8000,
    messageIdBeingRespondedTo: rq.messageId,
    affectedSopClassUid: rq.affectedSopClassUid ?? rq.requestedSopClassUid,
    affectedSopInstanceUid: rq.affectedSopInstanceUid ?? rq.requestedSopInstanceUid,
    commandDataSetType: withDataSet ? CommandDataSetType.Present : CommandDataSetType.None,
    status,
    ...extra,
  };
}
