// Wire bytes -> PDU objects, PS3.8 §9.3 and Annex D, PS3.7 Annex D.3.3.
//
// Defensive: every length is checked against the bytes that remain before it is used, and a
// malformed PDU throws PduDecodeError carrying the A-ABORT provider reason (PS3.8 Table 9-26) the
// state machine sends for it (Evt19 -> AA-8). How reasons are chosen:
//   1 unrecognized-PDU            the PDU type is not one of 0x01..0x07.
//   4 unrecognized-PDU-parameter  never: items and sub-items of unknown type must be skipped
//                                 (PS3.8 §9.3.1, Annex D), so nothing is "unrecognized".
//   5 unexpected-PDU-parameter    a known item in the wrong place (0x21 in an RQ, 0x20 in an AC,
//                                 0x30/0x40/0x5x at PDU level, 0x10 inside a presentation context),
//                                 or a repeated item that may occur once (a second application
//                                 context, user information, 0x30 in one presentation context,
//                                 0x40 in an AC context, or a second 0x51/0x52/0x53/0x55/0x58/0x59).
//   6 invalid-PDU-parameter-value any length that overruns or does not match its layout (truncated
//                                 PDU or item, fixed-size PDU whose length is not 4, PDV item
//                                 length < 2), an even or duplicate presentation context ID, a
//                                 maximum length (0x51) of 1..7, too small to carry a PDV, and a
//                                 required item that is missing (no application context, no
//                                 presentation context, no user information, a 0x20 without 0x30
//                                 or 0x40, an accepted 0x21 without 0x40): Table 9-26 has no
//                                 "missing parameter" reason, and the parameter value of the PDU's
//                                 variable field is then invalid.
// Lenient where real devices differ and nothing is lost:
//   - reserved fields are never checked (DCMTK, for one, puts 0xFF in byte 2 of an RQ 0x20 item);
//   - items may come in any order; unknown items are skipped, unknown user information sub-items
//     are kept in `unknownSubItems` and otherwise ignored;
//   - a user information item without 0x51 decodes as maximumLength 0 (no limit), one without 0x52
//     as implementationClassUid '' (many devices omit or garble them; negotiation may still work);
//   - a rejected 0x21 (result != 0) without a 0x40 sub-item decodes with transferSyntax '';
//   - UIDs lose trailing NUL and space padding, AE titles leading and trailing spaces and NULs;
//   - the protocol version is kept as received (negotiation tests bit 0);
//   - which user information sub-items belong to the RQ and which to the AC is not checked here.
// Data views: PDV fragments, 0x56 application information and 0x58/0x59 fields are subarray views of
// `body`, not copies; they stay valid as long as the caller does not reuse body's memory.

import { bufferView } from './buffer-view';
import { FIXED_PDU_LENGTH, ItemType, MessageControlHeader, PduType } from './constants';
import type {
  AAbort,
  AAssociateAc,
  AAssociateRj,
  AAssociateRq,
  PDataTf,
  Pdu,
  PresentationContextAcItem,
  PresentationContextRqItem,
  PresentationDataValue,
  ScpScuRoleSelection,
  SopClassCommonExtendedNegotiation,
  SopClassExtendedNegotiation,
  UnknownSubItem,
  UserIdentityAc,
  UserIdentityRq,
  UserInformation,
} from './types';
import { PduDecodeError } from './types';

const UNRECOGNIZED_PDU = 1;
const UNEXPECTED_PARAMETER = 5;
const INVALID_VALUE = 6;

/** Fixed part of the RQ/AC body: protocol version, reserved, called AE, calling AE, reserved (PS3.8 §9.3.2). */
const ASSOCIATE_FIXED_LENGTH = 68;

const pduNames: Record<number, string> = {
  [PduType.AAssociateRq]: 'A-ASSOCIATE-RQ',
  [PduType.AAssociateAc]: 'A-ASSOCIATE-AC',
  [PduType.AAssociateRj]: 'A-ASSOCIATE-RJ',
  [PduType.PDataTf]: 'P-DATA-TF',
  [PduType.AReleaseRq]: 'A-RELEASE-RQ',
  [PduType.AReleaseRp]: 'A-RELEASE-RP',
  [PduType.AAbort]: 'A-ABORT',
};

const knownItemTypes: ReadonlySet<number> = new Set(Object.values(ItemType));

/**
 * Decodes the body of a PDU (the bytes after its 6-byte header) of the given type.
 * Throws PduDecodeError, with the A-ABORT reason to send, when the bytes are malformed.
 */
export function decodePdu(type: number, body: Uint8Array): Pdu {
  switch (type) {
    case PduType.AAssociateRq:
    case PduType.AAssociateAc:
      return decodeAssociate(type, body);
    case PduType.AAssociateRj: {
      const b = fixedBody(type, body);
      return { type: PduType.AAssociateRj, result: b[1], source: b[2], reason: b[3] } satisfies AAssociateRj;
    }
    case PduType.PDataTf:
      return decodePData(body);
    case PduType.AReleaseRq:
      fixedBody(type, body);
      return { type: PduType.AReleaseRq };
    case PduType.AReleaseRp:
      fixedBody(type, body);
      return { type: PduType.AReleaseRp };
    case PduType.AAbort: {
      const b = fixedBody(type, body);
      return { type: PduType.AAbort, source: b[2], reason: b[3] } satisfies AAbort;
    }
    default:
      throw new PduDecodeError(`unrecognized PDU type 0x${hex(type)}`, UNRECOGNIZED_PDU);
  }
}

/** RJ, release RQ/RP and abort: length 4 exactly (PS3.8 §9.3.4, 9.3.6-9.3.8). */
function fixedBody(type: number, body: Uint8Array): [number, number, number, number] {
  if (body.length !== FIXED_PDU_LENGTH) {
    throw new PduDecodeError(`${pduNames[type] ?? 'PDU'} has length ${body.length}; it must be ${FIXED_PDU_LENGTH}`, INVALID_VALUE);
  }
  return [body[0] ?? 0, body[1] ?? 0, body[2] ?? 0, body[3] ?? 0];
}

// ---- P-DATA-TF -----------------------------------------------------------------------------------

/**
 * PS3.8 §9.3.5: one or more PDV items {length u32 >= 2, PC-ID, control header, fragment}. Every
 * PDV's data is a view of `body` (no copy of bulk data; the framer hands over each PDU whole).
 */
function decodePData(body: Uint8Array): PDataTf {
  const total = body.length;
  if (total === 0) throw new PduDecodeError('P-DATA-TF carries no PDV item', INVALID_VALUE);
  const pdvs: PresentationDataValue[] = [];
  let o = 0;
  while (o < total) {
    const remaining = total - o;
    if (remaining < 4) throw new PduDecodeError(`P-DATA-TF: ${remaining} bytes left at offset ${o}, too few for a PDV item length`, INVALID_VALUE);
    const itemLength = ((body[o]! << 24) | (body[o + 1]! << 16) | (body[o + 2]! << 8) | body[o + 3]!) >>> 0;
    if (itemLength < 2) throw new PduDecodeError(`P-DATA-TF: PDV item length ${itemLength} at offset ${o} is below the minimum of 2`, INVALID_VALUE);
    if (itemLength > remaining - 4) {
      throw new PduDecodeError(`P-DATA-TF: PDV item length ${itemLength} at offset ${o} overruns the PDU (${remaining - 4} bytes left)`, INVALID_VALUE);
    }
    const control = body[o + 5]!;
    pdvs.push({
      presentationContextId: body[o + 4]!,
      isCommand: (control & MessageControlHeader.Command) !== 0,
      isLast: (control & MessageControlHeader.Last) !== 0,
      data: body.subarray(o + 6, o + 4 + itemLength),
    });
    o += 4 + itemLength;
  }
  return { type: PduType.PDataTf, pdvs };
}

// ---- A-ASSOCIATE-RQ / -AC ------------------------------------------------------------------------

function decodeAssociate(type: typeof PduType.AAssociateRq | typeof PduType.AAssociateAc, bytes: Uint8Array): AAssociateRq | AAssociateAc {
  // A Buffer view (no copy): its text reads need no Buffer made per string (latin1 below).
  const body = bufferView(bytes);
  const isRq = type === PduType.AAssociateRq;
  const name = pduNames[type] ?? '';
  if (body.length < ASSOCIATE_FIXED_LENGTH) {
    throw new PduDecodeError(`${name} is ${body.length} bytes long; its fixed fields alone take ${ASSOCIATE_FIXED_LENGTH}`, INVALID_VALUE);
  }
  const view = dataView(body);
  const protocolVersion = view.getUint16(0);
  const calledAeTitle = aeTitleText(body, 4);
  const callingAeTitle = aeTitleText(body, 20);

  let applicationContextName: string | undefined;
  let userInformation: UserInformation | undefined;
  const rqContexts: PresentationContextRqItem[] = [];
  const acContexts: PresentationContextAcItem[] = [];
  const ids = new Set<number>();
  const expectedContextType = isRq ? ItemType.PresentationContextRq : ItemType.PresentationContextAc;

  forEachItem(body, view, ASSOCIATE_FIXED_LENGTH, body.length, name, (itemType, o, length) => {
    if (itemType === ItemType.ApplicationContext) {
      if (applicationContextName !== undefined) throw new PduDecodeError(`${name} has more than one application context item`, UNEXPECTED_PARAMETER);
      applicationContextName = uidText(body, o, length);
    } else if (itemType === expectedContextType) {
      const id = contextId(body, o, length, name, ids);
      if (isRq) rqContexts.push(presentationContextRq(body, view, o, length, id));
      else acContexts.push(presentationContextAc(body, view, o, length, id));
    } else if (itemType === ItemType.UserInformation) {
      if (userInformation !== undefined) throw new PduDecodeError(`${name} has more than one user information item`, UNEXPECTED_PARAMETER);
      userInformation = decodeUserInformation(body, view, o, length);
    } else {
      misplacedOrUnknown(itemType, name);
    }
  });

  if (applicationContextName === undefined) throw new PduDecodeError(`${name} has no application context item`, INVALID_VALUE);
  if (ids.size === 0) throw new PduDecodeError(`${name} has no presentation context item`, INVALID_VALUE);
  if (userInformation === undefined) throw new PduDecodeError(`${name} has no user information item`, INVALID_VALUE);

  const common = { protocolVersion, calledAeTitle, callingAeTitle, applicationContextName, userInformation };
  return isRq
    ? ({ type: PduType.AAssociateRq, ...common, presentationContexts: rqContexts } satisfies AAssociateRq)
    : ({ type: PduType.AAssociateAc, ...common, presentationContexts: acContexts } satisfies AAssociateAc);
}

/** Byte 0 of a 0x20/0x21 item: odd 1..255, unique within the PDU (PS3.8 §9.3.2.2). */
function contextId(body: Buffer, o: number, length: number, name: string, ids: Set<number>): number {
  if (length < 4) throw new PduDecodeError(`${name}: presentation context item of length ${length} is shorter than its 4 fixed bytes`, INVALID_VALUE);
  const id = body[o] ?? 0;
  if (id % 2 === 0) throw new PduDecodeError(`${name}: presentation context ID ${id} is not odd`, INVALID_VALUE);
  if (ids.has(id)) throw new PduDecodeError(`${name}: presentation context ID ${id} appears twice`, INVALID_VALUE);
  ids.add(id);
  return id;
}

/** 0x20 body: PC-ID, 3 reserved, exactly one 0x30, one or more 0x40. */
function presentationContextRq(body: Buffer, view: DataView, o: number, length: number, id: number): PresentationContextRqItem {
  const what = `presentation context ${id}`;
  let abstractSyntax: string | undefined;
  const transferSyntaxes: string[] = [];
  forEachItem(body, view, o + 4, o + length, what, (subType, so, sl) => {
    if (subType === ItemType.AbstractSyntax) {
      if (abstractSyntax !== undefined) throw new PduDecodeError(`${what} has more than one abstract syntax`, UNEXPECTED_PARAMETER);
      abstractSyntax = uidText(body, so, sl);
    } else if (subType === ItemType.TransferSyntax) {
      transferSyntaxes.push(uidText(body, so, sl));
    } else {
      misplacedOrUnknown(subType, what);
    }
  });
  if (abstractSyntax === undefined) throw new PduDecodeError(`${what} has no abstract syntax`, INVALID_VALUE);
  if (transferSyntaxes.length === 0) throw new PduDecodeError(`${what} proposes no transfer syntax`, INVALID_VALUE);
  return { id, abstractSyntax, transferSyntaxes };
}

/** 0x21 body: PC-ID, reserved, result/reason, reserved, exactly one 0x40. */
function presentationContextAc(body: Buffer, view: DataView, o: number, length: number, id: number): PresentationContextAcItem {
  const what = `presentation context ${id}`;
  const result = body[o + 2] ?? 0;
  let transferSyntax: string | undefined;
  forEachItem(body, view, o + 4, o + length, what, (subType, so, sl) => {
    if (subType === ItemType.TransferSyntax) {
      if (transferSyntax !== undefined) throw new PduDecodeError(`${what} has more than one transfer syntax`, UNEXPECTED_PARAMETER);
      transferSyntax = uidText(body, so, sl);
    } else {
      misplacedOrUnknown(subType, what);
    }
  });
  if (transferSyntax === undefined) {
    if (result === 0) throw new PduDecodeError(`${what} is accepted but names no transfer syntax`, INVALID_VALUE);
    transferSyntax = '';
  }
  return { id, result, transferSyntax };
}

// ---- user information (0x50) --------------------------------------------------------------------

/** PDV item length (4), context ID, message control header, and a 2-byte fragment (PS3.8 §9.3.5.1). */
const MIN_USABLE_MAXIMUM_LENGTH = 8;

function decodeUserInformation(body: Buffer, view: DataView, start: number, length: number): UserInformation {
  let maximumLength: number | undefined;
  let implementationClassUid: string | undefined;
  let asynchronousOperationsWindow: UserInformation['asynchronousOperationsWindow'];
  let implementationVersionName: string | undefined;
  let userIdentityRq: UserIdentityRq | undefined;
  let userIdentityAc: UserIdentityAc | undefined;
  const roleSelections: ScpScuRoleSelection[] = [];
  const extendedNegotiations: SopClassExtendedNegotiation[] = [];
  const commonExtendedNegotiations: SopClassCommonExtendedNegotiation[] = [];
  const unknownSubItems: UnknownSubItem[] = [];

  const once = (present: boolean, subType: number): void => {
    if (present) throw new PduDecodeError(`user information has more than one sub-item 0x${hex(subType)}`, UNEXPECTED_PARAMETER);
  };

  forEachItem(body, view, start, start + length, 'user information', (subType, o, sl) => {
    const fields = new FieldReader(body, view, o, o + sl, subType);
    switch (subType) {
      case ItemType.MaximumLength: // PS3.8 D.1: u32
        once(maximumLength !== undefined, subType);
        maximumLength = fields.u32();
        // 0 is no limit; any other value bounds the variable field of our P-DATA-TF PDUs, and below
        // 8 it cannot hold a PDV item with one even fragment: no message could ever be sent.
        if (maximumLength !== 0 && maximumLength < MIN_USABLE_MAXIMUM_LENGTH) {
          throw new PduDecodeError(`maximum length ${maximumLength} leaves no room for a PDV (0 means no limit; otherwise at least ${MIN_USABLE_MAXIMUM_LENGTH})`, INVALID_VALUE);
        }
        break;
      case ItemType.ImplementationClassUid: // PS3.7 D.3.3.2
        once(implementationClassUid !== undefined, subType);
        implementationClassUid = uidText(body, o, sl);
        fields.skipRest();
        break;
      case ItemType.AsynchronousOperationsWindow: // PS3.7 D.3.3.3: u16 invoked, u16 performed
        once(asynchronousOperationsWindow !== undefined, subType);
        asynchronousOperationsWindow = { maxOperationsInvoked: fields.u16(), maxOperationsPerformed: fields.u16() };
        break;
      case ItemType.ScpScuRoleSelection: // PS3.7 D.3.3.4: u16-prefixed UID, SCU role, SCP role
        roleSelections.push({ sopClassUid: fields.uid(), scuRole: fields.u8(), scpRole: fields.u8() });
        break;
      case ItemType.ImplementationVersionName: // PS3.7 D.3.3.2
        once(implementationVersionName !== undefined, subType);
        implementationVersionName = uidText(body, o, sl);
        fields.skipRest();
        break;
      case ItemType.SopClassExtendedNegotiation: // PS3.7 D.3.3.5: u16-prefixed UID, then the rest
        extendedNegotiations.push({ sopClassUid: fields.uid(), serviceClassApplicationInformation: fields.rest() });
        break;
      case ItemType.SopClassCommonExtendedNegotiation: {
        // PS3.7 D.3.3.6: SOP class UID, service class UID, then a u16-prefixed list of u16-prefixed UIDs.
        // Header byte 1 is the sub-item version (0); not checked, like a reserved byte.
        const sopClassUid = fields.uid();
        const serviceClassUid = fields.uid();
        const list = fields.sub(fields.u16(), 'related general SOP class list');
        const relatedGeneralSopClassUids: string[] = [];
        while (!list.atEnd()) relatedGeneralSopClassUids.push(list.uid());
        commonExtendedNegotiations.push({ sopClassUid, serviceClassUid, relatedGeneralSopClassUids });
        break;
      }
      case ItemType.UserIdentityRq: // PS3.7 D.3.3.7.1
        once(userIdentityRq !== undefined, subType);
        userIdentityRq = {
          type: fields.u8(),
          positiveResponseRequested: fields.u8() !== 0,
          primaryField: fields.take(fields.u16()),
          secondaryField: fields.take(fields.u16()),
        };
        break;
      case ItemType.UserIdentityAc: // PS3.7 D.3.3.7.2
        once(userIdentityAc !== undefined, subType);
        userIdentityAc = { serverResponse: fields.take(fields.u16()) };
        break;
      default:
        misplacedOrUnknown(subType, 'user information');
        unknownSubItems.push({ type: subType, data: body.subarray(o, o + sl) });
        fields.skipRest();
    }
    fields.expectEnd();
  });

  return {
    maximumLength: maximumLength ?? 0,
    implementationClassUid: implementationClassUid ?? '',
    ...(asynchronousOperationsWindow !== undefined && { asynchronousOperationsWindow }),
    roleSelections,
    ...(implementationVersionName !== undefined && { implementationVersionName }),
    extendedNegotiations,
    commonExtendedNegotiations,
    ...(userIdentityRq !== undefined && { userIdentityRq }),
    ...(userIdentityAc !== undefined && { userIdentityAc }),
    unknownSubItems,
  };
}

/**
 * Sequential reads inside one sub-item, each checked against the sub-item's end. A sub-item whose
 * length does not match its layout exactly (too short or with bytes left over) is invalid (reason 6).
 */
class FieldReader {
  constructor(
    private readonly body: Buffer,
    private readonly view: DataView,
    private o: number,
    private readonly end: number,
    private readonly subType: number,
    private readonly part?: string,
  ) {}

  /** What the errors name; made only for an error (every association decodes a few sub-items). */
  private get what(): string {
    return `user information sub-item 0x${hex(this.subType)}${this.part === undefined ? '' : ` ${this.part}`}`;
  }

  /** A reader over the next n bytes, which this reader then skips. */
  sub(n: number, part: string): FieldReader {
    const at = this.need(n);
    return new FieldReader(this.body, this.view, at, at + n, this.subType, part);
  }

  private need(n: number): number {
    if (n > this.end - this.o) {
      throw new PduDecodeError(`${this.what}: needs ${n} more bytes at offset ${this.o} but only ${this.end - this.o} remain`, INVALID_VALUE);
    }
    const at = this.o;
    this.o += n;
    return at;
  }

  u8(): number {
    return this.view.getUint8(this.need(1));
  }
  u16(): number {
    return this.view.getUint16(this.need(2));
  }
  u32(): number {
    return this.view.getUint32(this.need(4));
  }
  take(n: number): Uint8Array {
    const at = this.need(n);
    return this.body.subarray(at, at + n);
  }
  /** A UID preceded by its u16 length. */
  uid(): string {
    const n = this.u16();
    const at = this.need(n);
    return uidText(this.body, at, n);
  }
  rest(): Uint8Array {
    return this.take(this.end - this.o);
  }
  skipRest(): void {
    this.o = this.end;
  }
  atEnd(): boolean {
    return this.o >= this.end;
  }
  expectEnd(): void {
    if (this.o !== this.end) {
      throw new PduDecodeError(`${this.what}: ${this.end - this.o} bytes left over after its fields; its length does not match its layout`, INVALID_VALUE);
    }
  }
}

// ---- shared walking and text --------------------------------------------------------------------

/**
 * Calls `visit(type, bodyOffset, bodyLength)` for each {type u8, reserved u8, length u16} item in
 * [start, end). Every header and length is checked against `end` first.
 */
function forEachItem(
  body: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  where: string,
  visit: (type: number, offset: number, length: number) => void,
): void {
  let o = start;
  while (o < end) {
    if (end - o < 4) throw new PduDecodeError(`${where}: ${end - o} bytes left at offset ${o}, too few for an item header`, INVALID_VALUE);
    const type = view.getUint8(o);
    const length = view.getUint16(o + 2);
    if (length > end - o - 4) {
      throw new PduDecodeError(`${where}: item 0x${hex(type)} at offset ${o} claims ${length} bytes but only ${end - o - 4} remain`, INVALID_VALUE);
    }
    visit(type, o + 4, length);
    o += 4 + length;
  }
}

/** A known item type where it does not belong is unexpected (5); an unknown type is skipped. */
function misplacedOrUnknown(type: number, where: string): void {
  if (knownItemTypes.has(type)) throw new PduDecodeError(`${where}: item 0x${hex(type)} does not belong here`, UNEXPECTED_PARAMETER);
}

/** UID text with trailing NUL/space padding removed (PS3.8 Annex F says none is sent; some do). */
function uidText(body: Buffer, o: number, length: number): string {
  let end = o + length;
  while (end > o && (body[end - 1] === 0x00 || body[end - 1] === 0x20)) end--;
  return latin1(body, o, end);
}

/** A 16-byte AE title field with leading and trailing spaces (and NULs) removed (PS3.8 §9.3.2). */
function aeTitleText(body: Buffer, o: number): string {
  let start = o;
  let end = o + 16;
  while (end > start && (body[end - 1] === 0x20 || body[end - 1] === 0x00)) end--;
  while (start < end && (body[start] === 0x20 || body[start] === 0x00)) start++;
  return latin1(body, start, end);
}

function latin1(body: Buffer, start: number, end: number): string {
  return body.toString('latin1', start, end);
}

function dataView(body: Uint8Array): DataView {
  return new DataView(body.buffer, body.byteOffset, body.byteLength);
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
