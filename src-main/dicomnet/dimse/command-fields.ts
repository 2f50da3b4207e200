// The command element dictionary and command field values of PS3.7 §E.1 (Table E.1-1) and §9.3/§10.3,
// as data. The codec reads this table; nothing else knows a command tag.

export type CommandVr = 'UL' | 'US' | 'UI' | 'AE' | 'LO' | 'AT';

export interface CommandElement {
  readonly tag: number; // element number within group 0000
  readonly keyword: string;
  readonly vr: CommandVr;
  /** The CommandSet property holding the value. */
  readonly field: string;
}

/** Ascending tag order, as command sets are encoded (PS3.7 §6.3.1). (0000,0000) is handled apart. */
export const commandElements: readonly CommandElement[] = [
  { tag: 0x0002, keyword: 'AffectedSOPClassUID', vr: 'UI', field: 'affectedSopClassUid' },
  { tag: 0x0003, keyword: 'RequestedSOPClassUID', vr: 'UI', field: 'requestedSopClassUid' },
  { tag: 0x0100, keyword: 'CommandField', vr: 'US', field: 'commandField' },
  { tag: 0x0110, keyword: 'MessageID', vr: 'US', field: 'messageId' },
  { tag: 0x0120, keyword: 'MessageIDBeingRespondedTo', vr: 'US', field: 'messageIdBeingRespondedTo' },
  { tag: 0x0600, keyword: 'MoveDestination', vr: 'AE', field: 'moveDestination' },
  { tag: 0x0700, keyword: 'Priority', vr: 'US', field: 'priority' },
  { tag: 0x0800, keyword: 'CommandDataSetType', vr: 'US', field: 'commandDataSetType' },
  { tag: 0x0900, keyword: 'Status', vr: 'US', field: 'status' },
  { tag: 0x0901, keyword: 'OffendingElement', vr: 'AT', field: 'offendingElement' },
  { tag: 0x0902, keyword: 'ErrorComment', vr: 'LO', field: 'errorComment' },
  { tag: 0x0903, keyword: 'ErrorID', vr: 'US', field: 'errorId' },
  { tag: 0x1000, keyword: 'AffectedSOPInstanceUID', vr: 'UI', field: 'affectedSopInstanceUid' },
  { tag: 0x1001, keyword: 'RequestedSOPInstanceUID', vr: 'UI', field: 'requestedSopInstanceUid' },
  { tag: 0x1002, keyword: 'EventTypeID', vr: 'US', field: 'eventTypeId' },
  { tag: 0x1005, keyword: 'AttributeIdentifierList', vr: 'AT', field: 'attributeIdentifierList' },
  { tag: 0x1008, keyword: 'ActionTypeID', vr: 'US', field: 'actionTypeId' },
  { tag: 0x1020, keyword: 'NumberOfRemainingSuboperations', vr: 'US', field: 'numberOfRemainingSuboperations' },
  { tag: 0x1021, keyword: 'NumberOfCompletedSuboperations', vr: 'US', field: 'numberOfCompletedSuboperations' },
  { tag: 0x1022, keyword: 'NumberOfFailedSuboperations', vr: 'US', field: 'numberOfFailedSuboperations' },
  { tag: 0x1023, keyword: 'NumberOfWarningSuboperations', vr: 'US', field: 'numberOfWarningSuboperations' },
  { tag: 0x1030, keyword: 'MoveOriginatorApplicationEntityTitle', vr: 'AE', field: 'moveOriginatorAeTitle' },
  { tag: 0x1031, keyword: 'MoveOriginatorMessageID', vr: 'US', field: 'moveOriginatorMessageId' },
];

export const commandElementByTag: ReadonlyMap<number, CommandElement> = new Map(commandElements.map((e) => [e.tag, e]));
export const commandElementByField: ReadonlyMap<string, CommandElement> = new Map(commandElements.map((e) => [e.field, e]));

/** CommandField values, PS3.7 §E.1; a response is its request | 0x8000. */
export const CommandField = {
  CStoreRq: 0x0001, CStoreRsp: 0x8001,
  CGetRq: 0x0010, CGetRsp: 0x8010,
  CFindRq: 0x0020, CFindRsp: 0x8020,
  CMoveRq: 0x0021, CMoveRsp: 0x8021,
  CEchoRq: 0x0030, CEchoRsp: 0x8030,
  NEventReportRq: 0x0100, NEventReportRsp: 0x8100,
  NGetRq: 0x0110, NGetRsp: 0x8110,
  NSetRq: 0x0120, NSetRsp: 0x8120,
  NActionRq: 0x0130, NActionRsp: 0x8130,
  NCreateRq: 0x0140, NCreateRsp: 0x8140,
  NDeleteRq: 0x0150, NDeleteRsp: 0x8150,
  CCancelRq: 0x0fff,
} as const;

export const commandFieldName: Record<number, string> = {
  0x0001: 'C-STORE-RQ', 0x8001: 'C-STORE-RSP', 0x0010: 'C-GET-RQ', 0x8010: 'C-GET-RSP',
  0x0020: 'C-FIND-RQ', 0x8020: 'C-FIND-RSP', 0x0021: 'C-MOVE-RQ', 0x8021: 'C-MOVE-RSP',
  0x0030: 'C-ECHO-RQ', 0x8030: 'C-ECHO-RSP', 0x0100: 'N-EVENT-REPORT-RQ', 0x8100: 'N-EVENT-REPORT-RSP',
  0x0110: 'N-GET-RQ', 0x8110: 'N-GET-RSP', 0x0120: 'N-SET-RQ', 0x8120: 'N-SET-RSP',
  0x0130: 'N-ACTION-RQ', 0x8130: 'N-ACTION-RSP', 0x0140: 'N-CREATE-RQ', 0x8140: 'N-CREATE-RSP',
  0x0150: 'N-DELETE-RQ', 0x8150: 'N-DELETE-RSP', 0x0fff: 'C-CANCEL-RQ',
};

/** (0000,0800): 0x0101 means no data set follows; any other value means one does (PS3.7 §E.1). */
export const CommandDataSetType = { None: 0x0101, Present: 0x0000 } as const;

export const Priority = { Medium: 0x0000, High: 0x0001, Low: 0x0002 } as const;
