// The Storage SCU (PS3.4 Annex B): DICOM Part 10 files sent with C-STORE, their data sets read from
// disk piece by piece (a 1 GB multi-frame file never sits in memory) and sent as they are when the
// peer accepted the file's own transfer syntax, or re-encoded on the fly between implicit and
// explicit VR little endian when it accepted only the other one.

import { closeSync, fstatSync, openSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { PresentationContext, ProposedContext } from '../../association';
import type { Association, DataSetSource, DimseMessage } from '../../connection';
import { AssociationError } from '../../errors';
import { CommandDataSetType, CommandField, Priority } from '../../dimse/command-fields';
import { fileSource } from '../../part10/byte-source';
import { readPart10Header, type Part10Header } from '../../part10/file-meta';
import { canTranscode, transcode } from '../../part10/transcode';
import { TransferSyntax } from '../../part10/transfer-syntax';
import { PresentationContextResult } from '../../pdu/constants';

/** PS3.8 §9.3.2.2: presentation context IDs are odd numbers 1..255, so at most 128 per association. */
export const MAX_CONTEXTS_PER_ASSOCIATION = 128;
/** Size of each read from a file; about what is in memory per file being sent. */
const READ_SIZE = 1024 * 1024;

export interface DicomFile {
  readonly path: string;
  readonly size: number;
  readonly header: Part10Header;
}

export type ScanResult =
  | { readonly ok: true; readonly file: DicomFile }
  | { readonly ok: false; readonly path: string; readonly reason: string };

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
    const header = readPart10Header(fileSource(fd, size));
    if (!header.mediaStorageSopClassUid || !header.mediaStorageSopInstanceUid) {
      return { ok: false, path, reason: 'not a DICOM instance: its meta group names no SOP class or instance' };
    }
    return { ok: true, file: { path, size, header } };
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
 * The first piece of a file's data set, read ahead: started while the previous file is still on the
 * wire, so that sending many small files is not a chain of open/read/close round trips.
 */
export interface Prefetched {
  readonly file: DicomFile;
  readonly first: Promise<{ readonly handle: FileHandle; readonly piece: Buffer }>;
  /** Closes the file when the prefetched piece will not be sent after all. */
  discard(): void;
}

export function prefetch(file: DicomFile): Prefetched {
  const first = (async () => {
    const handle = await open(file.path, 'r');
    try {
      return { handle, piece: await readPiece(handle, file, file.header.dataSetOffset) };
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  })();
  first.catch(() => undefined); // awaited by the sender, or discarded: never an unhandled rejection
  return {
    file,
    first,
    discard: () => { first.then(({ handle }) => handle.close(), () => undefined).catch(() => undefined); },
  };
}

async function readPiece(handle: FileHandle, file: DicomFile, pos: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(Math.min(READ_SIZE, file.size - pos));
  if (buf.length === 0) return buf;
  const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
  if (bytesRead === 0) throw new Error(`${file.path} became shorter while it was being sent`);
  return buf.subarray(0, bytesRead);
}

/** The file's data set (after the meta group) as a stream of pieces, reading one piece ahead. */
export function fileDataSet(file: DicomFile, prefetched: Prefetched = prefetch(file)): DataSetSource {
  return {
    async *chunks() {
      const { handle, piece: firstPiece } = await prefetched.first;
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        handle.close().catch(() => undefined);
      };
      try {
        const end = file.size;
        let piece = firstPiece;
        let pos = file.header.dataSetOffset + piece.length;
        while (true) {
          // The next read runs while this piece is being written to the network.
          const next = pos < end ? readPiece(handle, file, pos) : undefined;
          next?.catch(() => undefined);
          // The last piece: close now, not after it is sent (one round trip less per file).
          if (!next) close();
          yield piece;
          if (!next) return;
          piece = await next;
          pos += piece.length;
        }
      } finally {
        close();
      }
    },
  };
}

/** The file's data set re-encoded in `toTs`, piece by piece. */
export function transcodedDataSet(file: DicomFile, toTs: string): DataSetSource {
  return {
    *chunks() {
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
export async function storeFile(association: Association, file: DicomFile, timeoutMs?: number, prefetched?: Prefetched): Promise<StoreOutcome> {
  const plan = choosePlan(association, file);
  if (!plan || plan.transcodeTo) prefetched?.discard();
  if (!plan) {
    throw new AssociationError('dimse', 'no-context',
      `The peer accepted no presentation context for this file's SOP class ${file.header.mediaStorageSopClassUid} with transfer syntax ${file.header.transferSyntaxUid} (nor one we can convert to): it does not store this kind of object.`);
  }
  const source = plan.transcodeTo ? transcodedDataSet(file, plan.transcodeTo) : fileDataSet(file, prefetched);
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
