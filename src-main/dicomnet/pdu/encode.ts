// PDU objects -> wire bytes, PS3.8 §9.3 and Annex D, PS3.7 Annex D.3.3.
// Every integer in a PDU or item header is big-endian. Reserved fields are written as zeros. Items
// and user-information sub-items go out in ascending type order (what PS3.8 §9.3.2 lists and what
// receivers expect). UIDs are written without padding (PS3.8 Annex F), AE titles padded with
// spaces to 16 bytes. Values a caller could get wrong are checked and throw a plain Error.

import { ItemWriter } from './item-writer';
import { FIXED_PDU_LENGTH, ItemType, MessageControlHeader, PDATA_HEADER_LENGTH, PDU_HEADER_LENGTH, PduType } from './constants';
import type {
  AAbort,
  AAssociateAc,
  AAssociateRj,
  AAssociateRq,
  PDataTf,
  Pdu,
  PresentationContextAcItem,
  PresentationContextRqItem,
  UserInformation,
} from './types';
import {
  AE_TITLE_MAX_LENGTH,
  IMPLEMENTATION_VERSION_NAME_MAX_LENGTH,
  assertAeTitle,
  assertPresentationContextId,
  assertUid,
  assertUint,
} from './validate';

const MAX_PDU_LENGTH = 0xffffffff; // the PDU length field is u32

/** Encodes any PDU. Throws Error for values that cannot be represented or break the standard's rules. */
export function encodePdu(pdu: Pdu): Buffer {
  switch (pdu.type) {
    case PduType.AAssociateRq:
    case PduType.AAssociateAc:
      return encodeAssociate(pdu);
    case PduType.AAssociateRj:
      return encodeRj(pdu);
    case PduType.PDataTf:
      return encodePData(pdu);
    case PduType.AReleaseRq:
    case PduType.AReleaseRp:
      return fixedPdu(pdu.type, 0, 0, 0);
    case PduType.AAbort:
      return encodeAbort(pdu);
    default:
      throw new Error(`cannot encode PDU of type ${String((pdu as { type: unknown }).type)}`);
  }
}

/**
 * The 12 bytes that precede a fragment in a P-DATA-TF holding exactly one PDV (PS3.8 §9.3.5):
 * PDU header (type 0x04, length = fragmentLength + 6), PDV item length (= fragmentLength + 2),
 * presentation context ID and message control header. The caller writes these bytes and then the
 * fragment itself, so the fragment is never copied.
 */
export function encodePDataHeader(presentationContextId: number, isCommand: boolean, isLast: boolean, fragmentLength: number): Buffer {
  const h = Buffer.allocUnsafe(PDATA_HEADER_LENGTH);
  writePDataHeader(h, 0, presentationContextId, isCommand, isLast, fragmentLength);
  return h;
}

/** encodePDataHeader's 12 bytes written into `target` at `offset` (room left for them before a fragment). */
export function writePDataHeader(target: Buffer, offset: number, presentationContextId: number, isCommand: boolean, isLast: boolean, fragmentLength: number): void {
  assertPresentationContextId(presentationContextId);
  if (!Number.isInteger(fragmentLength) || fragmentLength < 0 || fragmentLength > MAX_PDU_LENGTH - 6) {
    throw new Error(`PDV fragment length ${fragmentLength} is invalid`);
  }
  target[offset] = PduType.PDataTf;
  target[offset + 1] = 0;
  target.writeUInt32BE(fragmentLength + 6, offset + 2); // PDV item length field (4) + PC-ID (1) + control header (1)
  target.writeUInt32BE(fragmentLength + 2, offset + 6); // counts PC-ID and control header, not itself
  target[offset + 10] = presentationContextId;
  target[offset + 11] = messageControlHeader(isCommand, isLast);
}

function messageControlHeader(isCommand: boolean, isLast: boolean): number {
  return (isCommand ? MessageControlHeader.Command : 0) | (isLast ? MessageControlHeader.Last : 0);
}

// ---- fixed-size PDUs ---------------------------------------------------------------------------

/** A PDU whose body is four bytes: reserved, then three single-byte fields. */
function fixedPdu(type: number, b1: number, b2: number, b3: number): Buffer {
  const out = Buffer.alloc(PDU_HEADER_LENGTH + FIXED_PDU_LENGTH);
  out[0] = type;
  out.writeUInt32BE(FIXED_PDU_LENGTH, 2);
  out[7] = b1;
  out[8] = b2;
  out[9] = b3;
  return out;
}

/** PS3.8 §9.3.4: reserved, result, source, reason/diag. */
function encodeRj(pdu: AAssociateRj): Buffer {
  assertUint('A-ASSOCIATE-RJ result', pdu.result, 8);
  assertUint('A-ASSOCIATE-RJ source', pdu.source, 8);
  assertUint('A-ASSOCIATE-RJ reason', pdu.reason, 8);
  return fixedPdu(PduType.AAssociateRj, pdu.result, pdu.source, pdu.reason);
}

/** PS3.8 §9.3.8: reserved, reserved, source, reason/diag. */
function encodeAbort(pdu: AAbort): Buffer {
  assertUint('A-ABORT source', pdu.source, 8);
  assertUint('A-ABORT reason', pdu.reason, 8);
  return fixedPdu(PduType.AAbort, 0, pdu.source, pdu.reason);
}

// ---- P-DATA-TF -----------------------------------------------------------------------------------

/** PS3.8 §9.3.5: header, then PDV items {length u32, PC-ID, control header, fragment}. */
function encodePData(pdu: PDataTf): Buffer {
  if (pdu.pdvs.length === 0) throw new Error('a P-DATA-TF must carry at least one PDV (PS3.8 §9.3.5)');
  let bodyLength = 0;
  for (const pdv of pdu.pdvs) {
    assertPresentationContextId(pdv.presentationContextId);
    bodyLength += 6 + pdv.data.length;
  }
  if (bodyLength > MAX_PDU_LENGTH) throw new Error(`P-DATA-TF of ${bodyLength} bytes does not fit the u32 PDU length`);
  const out = Buffer.allocUnsafe(PDU_HEADER_LENGTH + bodyLength);
  out[0] = PduType.PDataTf;
  out[1] = 0;
  out.writeUInt32BE(bodyLength, 2);
  let o = PDU_HEADER_LENGTH;
  for (const pdv of pdu.pdvs) {
    out.writeUInt32BE(pdv.data.length + 2, o);
    out[o + 4] = pdv.presentationContextId;
    out[o + 5] = messageControlHeader(pdv.isCommand, pdv.isLast);
    out.set(pdv.data, o + 6);
    o += 6 + pdv.data.length;
  }
  return out;
}

// ---- A-ASSOCIATE-RQ / -AC ------------------------------------------------------------------------

const writer = new ItemWriter();

/** PS3.8 §9.3.2 / §9.3.3: fixed 68-byte part, then items 0x10, 0x20 or 0x21..., 0x50. */
function encodeAssociate(pdu: AAssociateRq | AAssociateAc): Buffer {
  const isRq = pdu.type === PduType.AAssociateRq;
  const name = isRq ? 'A-ASSOCIATE-RQ' : 'A-ASSOCIATE-AC';
  const w = writer;
  assertUint(`${name} protocol version`, pdu.protocolVersion, 16);
  w.beginPdu(pdu.type);
  w.u16(pdu.protocolVersion);
  w.fill(0, 2); // reserved
  writeAeTitle(w, `${name} called AE title`, pdu.calledAeTitle, isRq);
  writeAeTitle(w, `${name} calling AE title`, pdu.callingAeTitle, isRq);
  w.fill(0, 32); // reserved

  if (pdu.applicationContextName === '') throw new Error(`${name} needs an application context name`);
  assertUid('application context name', pdu.applicationContextName);
  uidItem(w, ItemType.ApplicationContext, pdu.applicationContextName, 'application context item');

  if (pdu.presentationContexts.length === 0) throw new Error(`${name} needs at least one presentation context (PS3.8 §9.3.2)`);
  const seen = new Set<number>();
  for (const pc of pdu.presentationContexts) {
    if (seen.has(pc.id)) throw new Error(`presentation context ID ${pc.id} appears twice; IDs must be unique`);
    seen.add(pc.id);
    if (isRq) presentationContextRq(w, pc as PresentationContextRqItem);
    else presentationContextAc(w, pc as PresentationContextAcItem);
  }
  userInformation(w, pdu.userInformation);
  return w.takePdu();
}

/**
 * 16 bytes, space padded (PS3.8 §9.3.2). In the RQ the title is checked against the AE rules. In the
 * AC the fields are reserved and merely echo what the RQ carried (PS3.8 §9.3.3), which we decoded
 * leniently, so there only the length and single-byte characters are required.
 */
function writeAeTitle(w: ItemWriter, what: string, title: string, strict: boolean): void {
  if (strict) {
    assertAeTitle(what, title);
  } else if (title.length > AE_TITLE_MAX_LENGTH || !isSingleByte(title)) {
    throw new Error(`${what} '${title}' does not fit the 16-byte field`);
  }
  w.latin1(title);
  w.fill(0x20, AE_TITLE_MAX_LENGTH - title.length);
}

function isSingleByte(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/** An item whose body is one UID (0x10, 0x30, 0x40); the UID has been checked. */
function uidItem(w: ItemWriter, type: number, uid: string, what: string): void {
  const start = w.begin(type);
  w.latin1(uid);
  w.end(start, what);
}

/** 0x20: PC-ID, 3 reserved bytes, one 0x30, then one or more 0x40 (PS3.8 §9.3.2.2). */
function presentationContextRq(w: ItemWriter, pc: PresentationContextRqItem): void {
  assertPresentationContextId(pc.id);
  if (pc.abstractSyntax === '') throw new Error(`presentation context ${pc.id} has no abstract syntax`);
  assertUid(`abstract syntax of presentation context ${pc.id}`, pc.abstractSyntax);
  if (pc.transferSyntaxes.length === 0) throw new Error(`presentation context ${pc.id} proposes no transfer syntax`);
  const start = w.begin(ItemType.PresentationContextRq);
  w.u8(pc.id);
  w.fill(0, 3);
  uidItem(w, ItemType.AbstractSyntax, pc.abstractSyntax, 'abstract syntax item');
  for (const ts of pc.transferSyntaxes) {
    if (ts === '') throw new Error(`presentation context ${pc.id} proposes an empty transfer syntax`);
    assertUid(`transfer syntax of presentation context ${pc.id}`, ts);
    uidItem(w, ItemType.TransferSyntax, ts, 'transfer syntax item');
  }
  w.end(start, 'presentation context item', pc.id);
}

/** 0x21: PC-ID, reserved, result/reason, reserved, one 0x40 (PS3.8 §9.3.3.2). */
function presentationContextAc(w: ItemWriter, pc: PresentationContextAcItem): void {
  assertPresentationContextId(pc.id);
  assertUint(`result of presentation context ${pc.id}`, pc.result, 8);
  // The transfer syntax is only meaningful on acceptance; an empty one is allowed for rejections.
  assertUid(`transfer syntax of presentation context ${pc.id}`, pc.transferSyntax);
  const start = w.begin(ItemType.PresentationContextAc);
  w.u8(pc.id);
  w.u8(0);
  w.u8(pc.result);
  w.u8(0);
  uidItem(w, ItemType.TransferSyntax, pc.transferSyntax, 'transfer syntax item');
  w.end(start, 'presentation context item', pc.id);
}

const knownSubItemTypes: ReadonlySet<number> = new Set(Object.values(ItemType));

/**
 * 0x50 with its sub-items in ascending type order (PS3.8 Annex D, PS3.7 D.3.3): the known ones are
 * written in that order below; unknown ones (carried through from a peer) are merged in by type,
 * those of one type in the order given.
 */
function userInformation(w: ItemWriter, ui: UserInformation): void {
  for (const unknown of ui.unknownSubItems) {
    assertUint('unknown sub-item type', unknown.type, 8);
    if (knownSubItemTypes.has(unknown.type)) throw new Error(`sub-item type 0x${unknown.type.toString(16)} is a known type; it cannot be sent as an unknown sub-item`);
  }
  const unknowns = ui.unknownSubItems.length === 0 ? ui.unknownSubItems : [...ui.unknownSubItems].sort((a, b) => a.type - b.type);
  let nextUnknown = 0;
  /** Writes the unknown sub-items whose type comes before `type`. */
  const unknownsBefore = (type: number): void => {
    while (nextUnknown < unknowns.length && unknowns[nextUnknown]!.type < type) {
      const unknown = unknowns[nextUnknown++]!;
      const start = w.begin(unknown.type);
      w.bytes(unknown.data);
      w.end(start, `sub-item 0x${unknown.type.toString(16)}`);
    }
  };
  const item = w.begin(ItemType.UserInformation);

  assertUint('maximum length', ui.maximumLength, 32);
  unknownsBefore(ItemType.MaximumLength);
  let start = w.begin(ItemType.MaximumLength);
  w.u32(ui.maximumLength);
  w.end(start, 'maximum length sub-item');

  if (ui.implementationClassUid === '') throw new Error('the implementation class UID is required (PS3.7 D.3.3.2)');
  assertUid('implementation class UID', ui.implementationClassUid);
  unknownsBefore(ItemType.ImplementationClassUid);
  uidItem(w, ItemType.ImplementationClassUid, ui.implementationClassUid, 'implementation class UID sub-item');

  const window = ui.asynchronousOperationsWindow;
  if (window !== undefined) {
    assertUint('maximum number of operations invoked', window.maxOperationsInvoked, 16);
    assertUint('maximum number of operations performed', window.maxOperationsPerformed, 16);
    unknownsBefore(ItemType.AsynchronousOperationsWindow);
    start = w.begin(ItemType.AsynchronousOperationsWindow);
    w.u16(window.maxOperationsInvoked);
    w.u16(window.maxOperationsPerformed);
    w.end(start, 'asynchronous operations window sub-item');
  }

  unknownsBefore(ItemType.ScpScuRoleSelection);
  for (const role of ui.roleSelections) {
    assertUid('SOP class UID of a role selection', role.sopClassUid);
    for (const [what, v] of [['SCU role', role.scuRole], ['SCP role', role.scpRole]] as const) {
      if (v !== 0 && v !== 1) throw new Error(`${what} ${v} for ${role.sopClassUid} must be 0 or 1 (PS3.7 D.3.3.4)`);
    }
    start = w.begin(ItemType.ScpScuRoleSelection);
    uidField(w, role.sopClassUid, 'SOP class UID');
    w.u8(role.scuRole);
    w.u8(role.scpRole);
    w.end(start, 'role selection sub-item');
  }

  const versionName = ui.implementationVersionName;
  if (versionName !== undefined) {
    if (versionName.length > IMPLEMENTATION_VERSION_NAME_MAX_LENGTH) {
      throw new Error(`implementation version name '${versionName}' is longer than ${IMPLEMENTATION_VERSION_NAME_MAX_LENGTH} characters`);
    }
    if (/[^\u0020-\u007e]/.test(versionName)) throw new Error(`implementation version name '${versionName}' must be printable ASCII`);
    unknownsBefore(ItemType.ImplementationVersionName);
    start = w.begin(ItemType.ImplementationVersionName);
    w.latin1(versionName);
    w.end(start, 'implementation version name sub-item');
  }

  unknownsBefore(ItemType.SopClassExtendedNegotiation);
  for (const ext of ui.extendedNegotiations) {
    assertUid('SOP class UID of an extended negotiation', ext.sopClassUid);
    start = w.begin(ItemType.SopClassExtendedNegotiation);
    uidField(w, ext.sopClassUid, 'SOP class UID');
    w.bytes(ext.serviceClassApplicationInformation);
    w.end(start, 'SOP class extended negotiation sub-item');
  }

  unknownsBefore(ItemType.SopClassCommonExtendedNegotiation);
  for (const common of ui.commonExtendedNegotiations) {
    assertUid('SOP class UID of a common extended negotiation', common.sopClassUid);
    assertUid('service class UID of a common extended negotiation', common.serviceClassUid);
    for (const uid of common.relatedGeneralSopClassUids) assertUid('related general SOP class UID', uid);
    // Byte 1 of this sub-item's header is the sub-item version, 0 (PS3.7 D.3.3.6), not reserved.
    start = w.begin(ItemType.SopClassCommonExtendedNegotiation, 0);
    uidField(w, common.sopClassUid, 'SOP class UID');
    uidField(w, common.serviceClassUid, 'service class UID');
    const list = w.beginField();
    for (const uid of common.relatedGeneralSopClassUids) uidField(w, uid, 'related general SOP class UID');
    w.endField(list, 'related general SOP class list');
    w.end(start, 'SOP class common extended negotiation sub-item');
  }

  const identity = ui.userIdentityRq;
  if (identity !== undefined) {
    assertUint('user identity type', identity.type, 8);
    unknownsBefore(ItemType.UserIdentityRq);
    start = w.begin(ItemType.UserIdentityRq);
    w.u8(identity.type);
    w.u8(identity.positiveResponseRequested ? 1 : 0);
    bytesField(w, identity.primaryField, 'user identity primary field');
    bytesField(w, identity.secondaryField, 'user identity secondary field');
    w.end(start, 'user identity sub-item');
  }

  if (ui.userIdentityAc !== undefined) {
    unknownsBefore(ItemType.UserIdentityAc);
    start = w.begin(ItemType.UserIdentityAc);
    bytesField(w, ui.userIdentityAc.serverResponse, 'user identity server response');
    w.end(start, 'user identity server response sub-item');
  }

  unknownsBefore(0x100);
  w.end(item, 'user information item');
}

/** A UID preceded by its u16 length, as in sub-items 0x54, 0x56 and 0x57. */
function uidField(w: ItemWriter, uid: string, what: string): void {
  const start = w.beginField();
  w.latin1(uid);
  w.endField(start, what);
}

/** Bytes preceded by their u16 length, as in sub-items 0x58 and 0x59. */
function bytesField(w: ItemWriter, data: Uint8Array, what: string): void {
  const start = w.beginField();
  w.bytes(data);
  w.endField(start, what);
}
