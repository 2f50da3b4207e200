// The Storage SCP (PS3.4 Annex B): C-STORE data sets stream into temporary files in the storage folder
// (or are counted and dropped, like `storescp --ignore`); after the last fragment the instance is
// checked against its command and renamed to <Study>/<Series>/<SOP>.dcm. The status tells the sender
// the truth (PS3.4 B.2.3): A700 when the disk fails us, A900 when the data set does not match the
// command, C000 when it cannot be understood, 0111 for a refused duplicate.

import { EventEmitter } from 'node:events';
import { existsSync, linkSync, renameSync, unlink, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import type { Association, DataSinkFactory, DimseMessage } from '../../connection';
import { CommandField } from '../../dimse/command-fields';
import type { CommandSet } from '../../dimse/command-set';
import { encodeFileMeta } from '../../part10/file-meta';
import type { ByteSource } from '../../part10/byte-source';
import { COMPRESSED_TRANSFER_SYNTAXES, TransferSyntax } from '../../part10/transfer-syntax';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../uids';
import { TurnBatch } from '../../turn-batch';
import type { HandlerResult, RequestHandler } from '../handlers';
import { STORAGE_SOP_CLASSES } from '../../storage-sop-classes';
import { DiscardSink, FileSink, type SinkResult } from './file-sink';
import { headThenFile, identify, type InstanceIdentity } from './identify';
import { makeDirsSync } from './make-dirs';
import { alternativePath, instancePath, isValidUid, removeStaleTemporaryFiles, temporaryPath } from './paths';

const unlinkAsync = promisify(unlink);

export type DuplicatePolicy = 'overwrite' | 'keep' | 'reject';
export const DUPLICATE_POLICIES: readonly DuplicatePolicy[] = ['overwrite', 'keep', 'reject'];

export interface StorageOptions {
  /** The storage folder; absent: receive and discard (for measurements). */
  readonly folder?: string;
  /** A SOP instance already in the folder: replace it (default), keep both, or refuse the new one. */
  readonly duplicates?: DuplicatePolicy;
}

/** One instance received and stored (or counted, when discarding). */
export interface ReceivedInstance extends InstanceIdentity {
  readonly associationId: number;
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  readonly remoteAddress: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  /** Data-set bytes received. */
  readonly bytes: number;
  /** The file, when stored. */
  readonly path?: string;
  readonly at: number;
}

/** An instance the SCP answered with a failure status. */
export interface StoreFailure {
  readonly associationId: number;
  readonly callingAeTitle: string;
  readonly sopInstanceUid?: string;
  readonly status: number;
  readonly reason: string;
  readonly at: number;
}

export interface StorageEvents {
  instance: [instance: ReceivedInstance];
  failure: [failure: StoreFailure];
  /** A listener of the events above threw (the other notifications still come). */
  error: [error: Error];
}

/** The transfer syntaxes the Storage SCP accepts, uncompressed ones first. */
export const STORAGE_TRANSFER_SYNTAXES: readonly string[] = [
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
  ...COMPRESSED_TRANSFER_SYNTAXES,
];

/** Every storage SOP class with every transfer syntax above. */
export function storageContexts(): Map<string, readonly string[]> {
  return new Map([...STORAGE_SOP_CLASSES.keys()].map((uid) => [uid, STORAGE_TRANSFER_SYNTAXES]));
}

interface Failure {
  readonly status: number;
  readonly comment: string;
}

const fail = (status: number, comment: string): Failure => ({ status, comment });

export class StorageService extends EventEmitter<StorageEvents> {
  private readonly duplicates: DuplicatePolicy;
  private readonly madeDirs = new Set<string>();

  constructor(private readonly options: StorageOptions) {
    super();
    this.duplicates = options.duplicates ?? 'overwrite';
    // Transfers cut short by a crash of an earlier SCP process leave temporary files: clear them.
    if (options.folder !== undefined) this.staleRemoved = removeStaleTemporaryFiles(options.folder);
  }

  /** Temporary files of gone processes removed from the storage folder at start. */
  readonly staleRemoved: readonly string[] = [];

  get folder(): string | undefined {
    return this.options.folder;
  }

  /** Chooses the sink of each incoming C-STORE data set; install it with DicomScp's `dataSinks`. */
  readonly sinks: DataSinkFactory = (m, a) => {
    if (m.command.commandField !== CommandField.CStoreRq) return undefined;
    const folder = this.options.folder;
    if (folder === undefined) return new DiscardSink();
    const pc = a.associate?.context(m.presentationContextId);
    const prefix = encodeFileMeta({
      transferSyntaxUid: pc?.transferSyntax ?? TransferSyntax.ImplicitVRLittleEndian,
      mediaStorageSopClassUid: m.command.affectedSopClassUid ?? '',
      mediaStorageSopInstanceUid: m.command.affectedSopInstanceUid ?? '',
      implementationClassUid: IMPLEMENTATION_CLASS_UID,
      implementationVersionName: IMPLEMENTATION_VERSION_NAME,
      sourceApplicationEntityTitle: a.associate?.callingAeTitle,
    });
    return new FileSink(temporaryPath(folder), prefix, { pause: () => a.pauseInput(), resume: () => a.resumeInput() });
  };

  /** Notifications, in order, at the end of the event-loop turn: after the response is out. */
  private readonly notifications = new TurnBatch<() => void>(
    (emit) => emit(),
    (err) => {
      if (this.listenerCount('error') > 0) this.emit('error', err);
    },
  );

  /**
   * The C-STORE intervention handler. Notifications go out after the response: a listener writing
   * a log line must not delay the sender.
   */
  readonly handler: RequestHandler = async (m, a) => {
    const outcome = await this.store(m, a);
    if ('status' in outcome) {
      this.notifications.add(() => this.emit('failure', {
        associationId: a.id,
        callingAeTitle: a.associate?.callingAeTitle ?? '',
        sopInstanceUid: m.command.affectedSopInstanceUid,
        status: outcome.status,
        reason: outcome.comment,
        at: Date.now(),
      }));
      return { status: outcome.status, fields: { errorComment: outcome.comment.slice(0, 64) } } satisfies HandlerResult;
    }
    this.notifications.add(() => this.emit('instance', outcome));
    return { status: 0x0000 };
  };

  private async store(m: DimseMessage, a: Association): Promise<ReceivedInstance | Failure> {
    const sink = m.sink;
    const ts = a.associate?.context(m.presentationContextId)?.transferSyntax ?? TransferSyntax.ImplicitVRLittleEndian;
    if (sink instanceof DiscardSink) {
      const r = sink.result;
      const id = this.check(m.command, headThenFile(r.head, r.bytes), ts);
      sink.releaseHead();
      return 'status' in id ? id : this.received(m, a, id, ts, r.bytes, undefined);
    }
    if (!(sink instanceof FileSink)) return fail(0x0110, 'the data set was not streamed to a file');
    const r = await sink.done;
    if (r.error) return fail(0xa700, outOfResources(r.error, this.options.folder));
    const outcome = this.file(m, a, r, ts, sink);
    // Whatever went wrong, nothing of the instance stays.
    if ('status' in outcome) await unlinkAsync(sink.tempPath).catch(() => undefined);
    return outcome;
  }

  /** A complete temporary file: checked against its command, then put in its place. */
  private file(m: DimseMessage, a: Association, r: SinkResult, ts: string, sink: FileSink): ReceivedInstance | Failure {
    const src = headThenFile(r.head, r.bytes, { path: sink.tempPath, offset: sink.prefixLength });
    let id;
    try {
      id = this.check(m.command, src, ts);
    } finally {
      src.close();
      sink.releaseHead();
    }
    if ('status' in id) return id;
    const { studyInstanceUid: study, seriesInstanceUid: series } = id;
    if (!isValidUid(study) || !isValidUid(series)) {
      return fail(0xa900, `Study/Series Instance UID missing or invalid ('${study ?? ''}', '${series ?? ''}')`);
    }
    try {
      const path = this.place(sink.tempPath, instancePath(this.options.folder!, study, series, id.sopInstanceUid));
      if (path === undefined) return fail(0x0111, 'already stored, and duplicates are refused');
      return this.received(m, a, id, ts, r.bytes, path);
    } catch (err) {
      return fail(0xa700, outOfResources(err as Error, this.options.folder));
    }
  }

  /** The data set against its command: parses, names the same SOP class and instance, valid UIDs. */
  private check(command: CommandSet, src: ByteSource, ts: string): (InstanceIdentity & { sopClassUid: string; sopInstanceUid: string }) | Failure {
    let id: InstanceIdentity;
    try {
      id = identify(src, ts);
    } catch (err) {
      // The status says 'cannot understand' already; the reason (also the peer's error comment, 64
      // characters) says what.
      return fail(0xc000, `the data set does not parse (${(err as Error).message})`);
    }
    if (id.sopClassUid !== command.affectedSopClassUid) {
      return fail(0xa900, `SOP Class UID in the data set (${id.sopClassUid ?? 'none'}) differs from the command`);
    }
    if (id.sopInstanceUid !== command.affectedSopInstanceUid) {
      return fail(0xa900, `SOP Instance UID in the data set (${id.sopInstanceUid ?? 'none'}) differs from the command`);
    }
    if (!isValidUid(id.sopInstanceUid)) return fail(0xc000, `'${id.sopInstanceUid}' is not a valid UID`);
    return { ...id, sopClassUid: id.sopClassUid!, sopInstanceUid: id.sopInstanceUid };
  }

  /**
   * Moves the temporary file to `path` under the duplicates policy; undefined when refused. These are
   * metadata operations on the storage folder, done synchronously: a thread-pool round trip each
   * costs more than the operation on a small machine. Folders already made are remembered.
   */
  private place(tempPath: string, path: string): string | undefined {
    const dir = dirname(path);
    if (!this.madeDirs.has(dir)) {
      makeDirsSync(dir);
      if (this.madeDirs.size > 10_000) this.madeDirs.clear();
      this.madeDirs.add(dir);
    }
    try {
      return this.link(tempPath, path);
    } catch (err) {
      // The folder was removed under us (someone cleaned the storage folder): make it again, once.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      makeDirsSync(dir);
      return this.link(tempPath, path);
    }
  }

  private link(tempPath: string, path: string): string | undefined {
    if (this.duplicates === 'overwrite') {
      renameSync(tempPath, path); // atomic: readers see the old file or the new one, never half
      return path;
    }
    // link() fails with EEXIST atomically, where "check, then rename" would race another association.
    for (let n = 1; n <= 10_000; n++) {
      const candidate = n === 1 ? path : alternativePath(path, n);
      try {
        linkSync(tempPath, candidate);
        unlinkSync(tempPath);
        return candidate;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (this.duplicates === 'reject') return undefined;
      }
    }
    throw new Error(`10000 copies of ${path} exist`);
  }

  private received(m: DimseMessage, a: Association, id: InstanceIdentity & { sopClassUid: string; sopInstanceUid: string }, ts: string, bytes: number, path: string | undefined): ReceivedInstance {
    return {
      ...id,
      associationId: a.id,
      callingAeTitle: a.associate?.callingAeTitle ?? '',
      calledAeTitle: a.associate?.calledAeTitle ?? '',
      remoteAddress: a.remoteAddress,
      transferSyntaxUid: ts,
      bytes,
      path,
      at: Date.now(),
    };
  }
}

/**
 * Why an A700 (the status says 'out of resources'; this, also the peer's error comment, says which:
 * the first 64 characters go to the peer, so the cause comes first and the path after it).
 */
function outOfResources(err: Error & { code?: string; path?: string }, folder?: string): string {
  switch (err.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the storage disk is full';
    case 'EFBIG':
      return 'file size limit reached';
    case 'EACCES':
    case 'EPERM':
      return 'no permission to write the storage folder';
    case 'EROFS':
      return 'the storage disk is read-only';
    case 'EIO':
      return 'the storage disk reported an I/O error';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files on this node';
    case 'ENOENT':
      // The folder was there at the start (checked then): removed, or a share unmounted under us.
      // It is not made again: on an unmounted share that would fill the local disk instead.
      if (folder !== undefined && !existsSync(folder)) return `the storage folder is gone (removed or unmounted?): ${folder}`;
      return `writing the file failed (ENOENT${err.path ? `: ${err.path}` : ''})`;
    case 'ENOTDIR':
      return `a file stands where a study or series folder should be${err.path ? `: ${err.path}` : ''}`;
    default:
      return `writing the file failed (${err.code ?? err.message})`;
  }
}
