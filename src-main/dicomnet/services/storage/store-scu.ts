// The Storage SCU (PS3.4 Annex B): DICOM Part 10 files sent with C-STORE, their data sets read from
// disk piece by piece (a 1 GB multi-frame file never sits in memory) and sent as they are when the
// peer accepted the file's own transfer syntax, or re-encoded on the fly between implicit and
// explicit VR little endian when it accepted only the other one.

import { closeSync, fstatSync, openSync, readSync, readv, readvSync } from 'node:fs';
import type { PresentationContext, ProposedContext } from '../../association';
import type { Association, DataSetPiece, DataSetSource, DimseMessage } from '../../connection';
import { AssociationError } from '../../errors';
import { BufferPool } from '../../buffer-pool';
import { nowMs } from '../../clock';
import { InlineIo } from '../../inline-io';
import { CommandDataSetType, CommandField, Priority } from '../../dimse/command-fields';
import { FramedPiece, framedCapacity, payloadSlots, pieceLength } from '../../dimse/framed-piece';
import { fileSource, headFirstSource } from '../../part10/byte-source';
import { part10HeaderFromHead, readPart10Header, type Part10Header } from '../../part10/file-meta';
import { canTranscode, loadVrDictionary, transcode } from '../../part10/transcode';
import { TransferSyntax, transferSyntaxInfo } from '../../part10/transfer-syntax';
import { findTopLevel, valueString } from '../../part10/elements';
import { Tag } from './identify';
import { PresentationContextResult, presentationContextResultText } from '../../pdu/constants';
import { uidName } from '../../uids';
import { isEncodableUid } from '../../pdu/validate';

/** PS3.8 §9.3.2.2: presentation context IDs are odd numbers 1..255, so at most 128 per association. */
export const MAX_CONTEXTS_PER_ASSOCIATION = 128;
/** Size of each read from a file (a re-encoded one); about what is in memory per file being sent. */
const READ_SIZE = 1024 * 1024;
/**
 * The buffers a file's data set is read into, framed for the association's PDUs (FramedPiece): a
 * "1 MB" image (its data set a little over 1 MiB) fits in one with 128 KiB PDUs (9 of them), so it
 * is one read and one write.
 */
export const PIECE_BUFFER_SIZE = 1024 * 1024 + 256 * 1024;

export interface DicomFile {
  readonly path: string;
  readonly size: number;
  readonly header: Part10Header;
}

export type ScanResult =
  | { readonly ok: true; readonly file: DicomFile }
  | { readonly ok: false; readonly path: string; readonly reason: string };

/**
 * The first bytes of each scanned file go into this one buffer: preamble and meta group nearly always
 * fit (a longer group is read on from the file). Every file is scanned before an association is
 * proposed, so this is paid per file before the first byte is sent: with a fresh block per file and
 * a copy per element read, 2 000 files took ~70 us each here, the system calls alone ~25.
 */
const SCAN_HEAD = 4096;
let scanHead: Buffer | undefined;

/**
 * A file that is a bare data set, without preamble and meta group (old CDs, some exports: DCMTK's
 * storescu sends them too): it starts with a group 0008 element. Its transfer syntax is guessed
 * from that element, explicit VR little endian when a VR follows the tag, else implicit (PS3.5
 * 7.1); its SOP class and instance are read from the data set. Undefined when it does not look
 * like one (the Part 10 reader then says why it is not DICOM).
 */
function bareDataSetHeader(first: Buffer, fd: number, size: number): Part10Header | undefined {
  if (first.length < 8 || first.readUInt16LE(0) !== 0x0008) return undefined;
  if (first.length >= 132 && first.toString('latin1', 128, 132) === 'DICM') return undefined;
  const explicit = first[4]! >= 0x41 && first[4]! <= 0x5a && first[5]! >= 0x41 && first[5]! <= 0x5a;
  const transferSyntaxUid = explicit ? TransferSyntax.ExplicitVRLittleEndian : TransferSyntax.ImplicitVRLittleEndian;
  let values;
  try {
    values = findTopLevel(headFirstSource(first, fileSource(fd, size)), 0, transferSyntaxInfo(transferSyntaxUid), [Tag.SopClassUid, Tag.SopInstanceUid]);
  } catch {
    return undefined;
  }
  const sopClass = values.get(Tag.SopClassUid);
  const sopInstance = values.get(Tag.SopInstanceUid);
  if (!sopClass || !sopInstance) return undefined;
  return { transferSyntaxUid, mediaStorageSopClassUid: valueString(sopClass), mediaStorageSopInstanceUid: valueString(sopInstance), dataSetOffset: 0 };
}

/** Media Storage Directory Storage (PS3.4 Annex F): a DICOMDIR's SOP class, no network object. */
const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

/** SOP class and transfer syntax UIDs seen by the scan: a few dozen in a send, each kept once. */
const sharedStrings = new Map<string, string>();

function sharedString(s: string): string {
  const known = sharedStrings.get(s);
  if (known !== undefined) return known;
  if (sharedStrings.size < 4096) sharedStrings.set(s, s);
  return s;
}

/** Reads a file's Part 10 header (PS3.10 §7.1); anything else is reported as not DICOM, with why. */
export function scanFile(path: string): ScanResult {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return { ok: false, path, reason: `cannot open (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  try {
    const size = fstatSync(fd).size;
    const head = (scanHead ??= Buffer.allocUnsafeSlow(SCAN_HEAD));
    const got = readSync(fd, head, 0, Math.min(SCAN_HEAD, size), 0);
    // Both keep strings and numbers only, never views of the shared head. The usual file's meta
    // group is read straight from the head; anything else goes to the general reader.
    const first = head.subarray(0, got);
    const header = part10HeaderFromHead(first, size) ?? bareDataSetHeader(first, fd, size) ?? readPart10Header(headFirstSource(first, fileSource(fd, size)));
    if (!header.mediaStorageSopClassUid || !header.mediaStorageSopInstanceUid) {
      return { ok: false, path, reason: 'not a DICOM instance: its meta group names no SOP class or instance' };
    }
    // A CD's or DVD's folder has one: sent, every peer refused it, and the send of a whole disc
    // ended with exit 1 and "the peer does not store 1.2.840.10008.1.3.10 objects".
    if (header.mediaStorageSopClassUid === MEDIA_STORAGE_DIRECTORY) {
      return { ok: false, path, reason: 'a DICOMDIR (the index of a CD or DVD, PS3.10 §8), not an instance: not sent; the files it lists are sent as they are found' };
    }
    // These go into the A-ASSOCIATE-RQ and the C-STORE command: one that is not a UID would fail
    // the association, and with it every file of the send, not this one alone.
    for (const [what, uid] of [['Transfer Syntax UID', header.transferSyntaxUid], ['Media Storage SOP Class UID', header.mediaStorageSopClassUid], ['Media Storage SOP Instance UID', header.mediaStorageSopInstanceUid]] as const) {
      if (!isEncodableUid(uid)) return { ok: false, path, reason: `not a valid DICOM file: its ${what} '${uid}' is not a UID (digits and dots, at most 64)` };
    }
    // Only what the send uses is kept, and the strings files share are kept once: every file is
    // held from the scan to its C-STORE, and a send of 100 000 files held ~400 bytes of header each.
    const kept: Part10Header = {
      transferSyntaxUid: sharedString(header.transferSyntaxUid),
      mediaStorageSopClassUid: sharedString(header.mediaStorageSopClassUid),
      mediaStorageSopInstanceUid: header.mediaStorageSopInstanceUid,
      dataSetOffset: header.dataSetOffset,
    };
    return { ok: true, file: { path, size, header: kept } };
  } catch (err) {
    return { ok: false, path, reason: `not a DICOM file: ${(err as Error).message}` };
  } finally {
    closeSync(fd);
  }
}

const NATIVE_LE: readonly string[] = [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian];

/**
 * The contexts to propose for `files`: one per SOP class and transfer syntax found, plus, for a SOP
 * class with little endian uncompressed files, one offering explicit and implicit little endian so
 * that a file can be converted when the peer does not take its own syntax. Split into groups of at
 * most 128 contexts, a SOP class's contexts always in one group; each group is one association.
 */
export function planAssociations(files: readonly DicomFile[]): { contexts: ProposedContext[]; files: DicomFile[] }[] {
  const bySopClass = new Map<string, { syntaxes: Set<string>; files: DicomFile[] }>();
  for (const f of files) {
    const entry = bySopClass.get(f.header.mediaStorageSopClassUid) ?? { syntaxes: new Set<string>(), files: [] };
    entry.syntaxes.add(f.header.transferSyntaxUid);
    entry.files.push(f);
    bySopClass.set(f.header.mediaStorageSopClassUid, entry);
  }
  const groups: { contexts: ProposedContext[]; files: DicomFile[] }[] = [];
  let current: { contexts: ProposedContext[]; files: DicomFile[] } | undefined;
  for (const [sopClass, { syntaxes, files: classFiles }] of bySopClass) {
    const contexts: ProposedContext[] = [...syntaxes].map((ts) => ({ abstractSyntax: sopClass, transferSyntaxes: [ts] }));
    if ([...syntaxes].some((ts) => NATIVE_LE.includes(ts))) contexts.push({ abstractSyntax: sopClass, transferSyntaxes: NATIVE_LE });
    if (!current || current.contexts.length + contexts.length > MAX_CONTEXTS_PER_ASSOCIATION) {
      current = { contexts: [], files: [] };
      groups.push(current);
    }
    current.contexts.push(...contexts);
    current.files.push(...classFiles);
  }
  return groups;
}

/** How a file goes over an association: the context, and whether its data set is re-encoded. */
export interface SendPlan {
  readonly context: PresentationContext;
  readonly transcodeTo?: string;
}

/** The accepted context for `file`: its own transfer syntax if accepted, else one we can convert to. */
export function choosePlan(association: Association, file: DicomFile): SendPlan | undefined {
  const { mediaStorageSopClassUid: sopClass, transferSyntaxUid: ts } = file.header;
  const accepted = (association.associate?.presentationContexts ?? [])
    .filter((pc) => pc.result === PresentationContextResult.Acceptance && pc.abstractSyntax === sopClass);
  const same = accepted.find((pc) => pc.transferSyntax === ts);
  if (same) return { context: same };
  const other = accepted.find((pc) => pc.transferSyntax !== undefined && canTranscode(ts, pc.transferSyntax));
  return other ? { context: other, transcodeTo: other.transferSyntax } : undefined;
}

/**
 * Why no accepted context fits the file, from the peer's answers for its SOP class (PS3.8 §9.3.3.2):
 * a peer that does not store the class at all needs another fix than one that stores it in other
 * transfer syntaxes only (a compressed file is sent as it is: we convert between the uncompressed
 * little endian syntaxes, never decompress).
 */
export function noContextExplanation(association: Association, file: DicomFile): string {
  const { mediaStorageSopClassUid: sopClass, transferSyntaxUid: ts } = file.header;
  const what = `${uidName(sopClass)} (${sopClass})`;
  const inTs = `${uidName(ts)} (${ts})`;
  const forClass = (association.associate?.presentationContexts ?? []).filter((pc) => pc.abstractSyntax === sopClass);
  const takes = [...new Set(forClass.filter((pc) => pc.result === PresentationContextResult.Acceptance && pc.transferSyntax).map((pc) => uidName(pc.transferSyntax!)))];
  const compressed = !canTranscode(ts, TransferSyntax.ExplicitVRLittleEndian);
  const decompress = compressed ? 'decompress the file first (e.g. dcmdjpeg, dcmdjpls, dcmdrle) or have the peer accept its syntax' : 'have the peer accept it';
  if (takes.length > 0) {
    return `The peer stores ${what} only as ${takes.join(', ')}, and this file is ${inTs}, which we cannot convert to those: ${decompress}.`;
  }
  const results = new Set(forClass.map((pc) => pc.result));
  if (forClass.length > 0 && results.size === 1 && results.has(PresentationContextResult.AbstractSyntaxNotSupported)) {
    return `The peer does not store ${what} objects (it answered 'abstract syntax not supported'): it is not set up for this kind of object; ask its administrator to enable the SOP class.`;
  }
  if (forClass.length > 0 && [...results].every((r) => r === PresentationContextResult.TransferSyntaxesNotSupported || r === PresentationContextResult.AbstractSyntaxNotSupported)) {
    return `The peer does not accept ${what} in ${inTs}${compressed ? '' : ' nor in the little endian syntaxes we can convert it to'} ('transfer syntaxes not supported'): ${decompress}.`;
  }
  const answers = forClass.map((pc) => presentationContextResultText[pc.result ?? PresentationContextResult.NoReason] ?? `result ${pc.result}`);
  return `The peer accepted no presentation context for ${what} in ${inTs} (its answer: ${[...new Set(answers)].join(', ') || 'none'}): it does not take this kind of object from us.`;
}

/** Read buffers, used again once their piece is written. */
const readBuffers = new BufferPool(PIECE_BUFFER_SIZE, 4);

/** Data-set bytes per piece: framed for `fragment`-byte PDUs, or plain when no fragment is given. */
function pieceCapacity(fragment: number | undefined): number {
  return fragment === undefined ? PIECE_BUFFER_SIZE : framedCapacity(PIECE_BUFFER_SIZE, fragment);
}

/** The buffer of `want` bytes at `pos` is read into: its slots between header room, or all of it. */
function slots(buf: Buffer, want: number, fragment: number | undefined): Buffer[] {
  return fragment === undefined ? [buf.subarray(0, want)] : payloadSlots(buf, fragment, want);
}

function pieceOf(buf: Buffer, n: number, fragment: number | undefined): DataSetPiece {
  return fragment === undefined ? buf.subarray(0, n) : new FramedPiece(buf, n, fragment);
}

function readPieceSync(fd: number, file: DicomFile, pos: number, fragment: number | undefined): DataSetPiece {
  const want = Math.min(pieceCapacity(fragment), file.size - pos);
  if (want <= 0) return Buffer.alloc(0);
  const buf = readBuffers.take();
  // One system call for all the slots; a short read leaves a shorter piece, framed all the same.
  const n = readvSync(fd, slots(buf, want, fragment), pos);
  if (n === 0) throw new Error(`${file.path} became shorter while it was being sent`);
  return pieceOf(buf, n, fragment);
}

function readPiece(fd: number, file: DicomFile, pos: number, fragment: number | undefined): Promise<DataSetPiece> {
  return new Promise((resolve, reject) => {
    const want = Math.min(pieceCapacity(fragment), file.size - pos);
    const buf = readBuffers.take();
    readv(fd, slots(buf, want, fragment), pos, (err, n) => {
      if (err) reject(err);
      else if (n === 0) reject(new Error(`${file.path} became shorter while it was being sent`));
      else resolve(pieceOf(buf, n, fragment));
    });
  });
}

function releasePiece(p: DataSetPiece): void {
  readBuffers.give(p instanceof FramedPiece ? p.frames : p);
}

/** A file opened and its first piece read ahead of its turn. */
interface ReadAhead {
  readonly fd: number;
  readonly piece: DataSetPiece;
}

/**
 * Reads the next file's first piece while the peer is still working on the previous one. A peer
 * without an asynchronous operations window (DCMTK) answers each C-STORE before it takes the next, so
 * without this the open and read of every file sit between its predecessor's response and its own
 * request; with it they overlap the peer's work. At most `limit` files are held open ahead.
 */
export class FilePrefetcher {
  private readonly ahead = new Map<DicomFile, ReadAhead>();

  /** `fragment`: read framed for the association's PDUs (Association.dataFragmentSize). */
  constructor(private readonly limit = 2, private readonly fragment?: number) {}

  /** Opens `file` and reads its first piece now; a failure is left for the real read to report. */
  load(file: DicomFile | undefined): void {
    if (!file || this.ahead.has(file)) return;
    if (this.ahead.size >= this.limit) this.drop(this.ahead.keys().next().value!);
    let fd: number | undefined;
    try {
      fd = openSync(file.path, 'r');
      this.ahead.set(file, { fd, piece: readPieceSync(fd, file, file.header.dataSetOffset, this.fragment) });
    } catch {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** The data-set bytes read ahead for `file`, if it was. */
  aheadLength(file: DicomFile): number | undefined {
    const r = this.ahead.get(file);
    return r && pieceLength(r.piece);
  }

  /** The read-ahead of `file`, now owned by the caller (who closes the fd). */
  take(file: DicomFile): ReadAhead | undefined {
    const r = this.ahead.get(file);
    this.ahead.delete(file);
    return r;
  }

  /** Closes what was read ahead and not sent (the association ended, the file needed converting). */
  dispose(): void {
    for (const file of [...this.ahead.keys()]) this.drop(file);
  }

  private drop(file: DicomFile): void {
    const r = this.take(file);
    if (!r) return;
    closeSync(r.fd);
    releasePiece(r.piece);
  }
}

/** What happens around sending one file's data set. */
export interface SendHooks {
  /** Where this file's first piece may already have been read. */
  readonly prefetcher?: FilePrefetcher;
  /** Called once the whole data set is handed to the network (its response not yet in). */
  readonly afterSent?: () => void;
  /** When a file's later pieces are read inline (default: one policy for every send of this process). */
  readonly inlineReads?: InlineIo;
}

/**
 * A piece from the page cache takes ~0.15 ms per MiB to read here, from a local SSD a few ms: read
 * inline, it costs less than a thread-pool read's hand-off to a worker and back (measured: 50 MB
 * files to storescp, ~3-6 % less wall time and ~20 % less user CPU). See InlineIo for slow storage.
 */
const inlineReads = new InlineIo();

/**
 * The file's data set (after the meta group) as a stream of pieces. The first piece is read
 * synchronously (for the typical instance, open/read/close without a thread-pool round trip each:
 * on a small VM those hand-offs cost more than the reads), or was read ahead; later pieces too while
 * reads are quick, else on the thread pool, one ahead, while the previous one is being written.
 */
export function fileDataSet(file: DicomFile, hooks: SendHooks = {}): DataSetSource {
  return {
    release: releasePiece,
    sent: hooks.afterSent,
    // The typical instance is one piece: read and closed at once, handed over without an async
    // generator (whose per-piece promises cost more than the read of a small file).
    chunks: (fragment) => (isOnePiece(file, hooks.prefetcher, fragment)
      ? [onePiece(file, hooks.prefetcher, fragment)]
      : pieces(file, hooks.prefetcher, hooks.inlineReads ?? inlineReads, fragment)),
  };
}

/** The whole data set fits in one piece, and a read-ahead (framed for another PDU size, maybe) holds all of it. */
function isOnePiece(file: DicomFile, prefetcher: FilePrefetcher | undefined, fragment: number | undefined): boolean {
  const size = file.size - file.header.dataSetOffset;
  const ahead = prefetcher?.aheadLength(file);
  return size <= pieceCapacity(fragment) && (ahead === undefined || ahead === size);
}

function onePiece(file: DicomFile, prefetcher: FilePrefetcher | undefined, fragment: number | undefined): DataSetPiece {
  const ahead = prefetcher?.take(file);
  const fd = ahead?.fd ?? openSync(file.path, 'r');
  try {
    return ahead?.piece ?? readPieceSync(fd, file, file.header.dataSetOffset, fragment);
  } finally {
    closeSync(fd);
  }
}

async function* pieces(file: DicomFile, prefetcher: FilePrefetcher | undefined, policy: InlineIo, fragment: number | undefined): AsyncGenerator<DataSetPiece> {
  const ahead = prefetcher?.take(file);
  const fd = ahead?.fd ?? openSync(file.path, 'r');
  let pending: Promise<DataSetPiece> | undefined;
  let inline = policy.allowed;
  const readInline = (pos: number) => {
    const t0 = nowMs();
    const piece = readPieceSync(fd, file, pos, fragment);
    if (policy.slow(nowMs() - t0)) inline = false;
    return piece;
  };
  try {
    const end = file.size;
    let piece = ahead?.piece ?? readInline(file.header.dataSetOffset);
    let pos = file.header.dataSetOffset + pieceLength(piece);
    while (pos < end) {
      if (inline) {
        // The consumer writes the piece before this one and asks for the next: read it then.
        yield piece;
        piece = readInline(pos);
      } else {
        pending = readPiece(fd, file, pos, fragment);
        pending.catch(() => undefined);
        yield piece;
        piece = await pending;
        pending = undefined;
      }
      pos += pieceLength(piece);
    }
    yield piece;
  } finally {
    // Never close under a read in flight (the consumer stopped early): let it finish first.
    if (pending) void pending.finally(() => closeSync(fd)).catch(() => undefined);
    else closeSync(fd);
  }
}

/** The file's data set re-encoded in `toTs`, piece by piece. */
export function transcodedDataSet(file: DicomFile, toTs: string): DataSetSource {
  return {
    async *chunks() {
      await loadVrDictionary();
      const fd = openSync(file.path, 'r');
      try {
        yield* transcode(fileSource(fd, file.size), file.header.dataSetOffset, file.header.transferSyntaxUid, toTs, READ_SIZE);
      } finally {
        closeSync(fd);
      }
    },
  };
}

export interface StoreOutcome {
  readonly status: number;
  readonly errorComment?: string;
  readonly transferSyntaxUid: string;
  readonly transcoded: boolean;
}

/** Sends one file with C-STORE and resolves with the peer's status. */
export async function storeFile(association: Association, file: DicomFile, timeoutMs?: number, hooks: SendHooks = {}): Promise<StoreOutcome> {
  const plan = choosePlan(association, file);
  if (!plan) throw new AssociationError('dimse', 'no-context', noContextExplanation(association, file));
  const source = plan.transcodeTo ? transcodedDataSet(file, plan.transcodeTo) : fileDataSet(file, hooks);
  const rsp: DimseMessage = await association.request(plan.context.id, {
    commandField: CommandField.CStoreRq,
    affectedSopClassUid: file.header.mediaStorageSopClassUid,
    affectedSopInstanceUid: file.header.mediaStorageSopInstanceUid,
    priority: Priority.Medium,
    commandDataSetType: CommandDataSetType.Present,
  }, source, { timeoutMs });
  return {
    status: rsp.command.status ?? 0xffff,
    errorComment: rsp.command.errorComment,
    transferSyntaxUid: plan.context.transferSyntax ?? '',
    transcoded: plan.transcodeTo !== undefined,
  };
}
