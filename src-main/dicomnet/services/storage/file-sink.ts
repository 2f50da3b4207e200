// A C-STORE data set streamed to a temporary file as its fragments arrive (design rule 6). While
// the disk takes writes quickly, they are made with synchronous calls as the fragments come: a large
// fragment straight from the socket's read buffer, small ones gathered first. Once a write is slow,
// the instance streams through the thread pool: memory then holds what the disk has not taken yet,
// bounded by pausing the association's input (TCP flow control then slows the sender). Fragments
// are views of the socket's read buffer, valid only during write() (pdu/framer.ts): what is not
// written at once is copied into pooled blocks of BLOCK_SIZE, which go back to the pool once
// written. Blocks queued while a write is under way go out together in one writev, so a fast
// network and a slow disk meet in few, large system calls.
//
// The file is only ever the temporary one: renaming it to its final name is the store service's
// step, after the last fragment and a successful write. An aborted transfer deletes it.

import { close, closeSync, open, openSync, unlink, unlinkSync, writev, writevSync } from 'node:fs';
import { BufferPool } from '../../buffer-pool';
import { nowMs } from '../../clock';
import { InlineIo } from '../../inline-io';
import type { DataSetSink } from '../../dimse/assembler';

/** Bytes kept of the data set's start, for reading its identifying attributes without the disk. */
export const HEAD_BYTES = 64 * 1024;
/**
 * Written inline, gathered fragments go out once they reach this much: the writes then happen while
 * the rest of the instance is still on its way (the sender paces its PDUs), not all after it.
 */
const SYNC_WRITE_AT = 256 * 1024;
/**
 * A fragment at least this long is written inline straight from the socket's read buffer (after what
 * is gathered before it, in the same writev): copying it first would only add a pass over memory.
 */
const DIRECT_WRITE = 64 * 1024;
/**
 * Queued bytes above which input is paused, and below which it resumes. Measured with 50 MB
 * instances to disk: 8/2 MiB (with the pool below) kept our SCP at +21 MB over idle, 16/4 MiB at
 * +53-64 MB, at the same speed.
 */
const HIGH_WATER = 8 * 1024 * 1024;
const LOW_WATER = 2 * 1024 * 1024;
/** IOV_MAX on Linux. */
const MAX_BUFFERS_PER_WRITE = 1024;
/**
 * The blocks fragments are copied into. 40 free ones (10 MiB) are kept: more than a full queue, so
 * a streaming instance takes its blocks back from the pool instead of leaving them to the GC.
 */
const BLOCK_SIZE = SYNC_WRITE_AT;
const blocks = new BufferPool(BLOCK_SIZE, 40);

/**
 * When instances are written inline (see InlineIo). Through the thread pool, three round trips after
 * the last fragment (open, write, close) kept a 1 MB instance's sender waiting ~1 ms for its
 * response, and a large instance's writes went with a copy of every fragment and a third busy
 * thread on two cores: 50 MB instances from storescu to disk took ~15 % longer than storescp +B's.
 */
const inlineWrites = new InlineIo();

export interface InputFlow {
  pause(): void;
  resume(): void;
}

export interface SinkResult {
  /** Data-set bytes received (the file also holds `prefix`). */
  readonly bytes: number;
  /** The first HEAD_BYTES of the data set (fewer if it is shorter). */
  readonly head: Buffer;
  /** Why the file is not complete: a write error (ENOSPC, EFBIG, EIO...) or an abort. */
  readonly error?: Error & { code?: string };
}

/**
 * Keeps the data set's first HEAD_BYTES in a pooled buffer: a fresh 64 KiB per instance cost our SCP
 * ~25 % of its time with 64 KB instances (page faults on new memory). release() gives it back.
 */
const heads = new BufferPool(HEAD_BYTES, 16);

export class HeadKeeper {
  private buf: Buffer | undefined;
  private kept = 0;

  keep(fragment: Uint8Array): void {
    if (this.kept >= HEAD_BYTES) return;
    const n = Math.min(HEAD_BYTES - this.kept, fragment.length);
    // A copy: the fragment's memory is the socket's read buffer, used again for the next read.
    const buf = (this.buf ??= heads.take());
    buf.set(n === fragment.length ? fragment : fragment.subarray(0, n), this.kept);
    this.kept += n;
  }

  get head(): Buffer {
    return this.buf === undefined ? Buffer.alloc(0) : this.buf.subarray(0, this.kept);
  }

  /** The head's memory goes back to the pool: no view of `head` may be used after this. */
  release(): void {
    if (this.buf !== undefined) heads.give(this.buf);
    this.buf = undefined;
    this.kept = 0;
  }
}

/** `storescp --ignore`: counts the bytes and keeps the head, writes nothing. */
export class DiscardSink implements DataSetSink {
  private readonly headKeeper = new HeadKeeper();
  private bytes = 0;

  write(fragment: Uint8Array): void {
    this.bytes += fragment.length;
    this.headKeeper.keep(fragment);
  }

  end(): undefined {
    return undefined;
  }

  get result(): SinkResult {
    return { bytes: this.bytes, head: this.headKeeper.head };
  }

  /** The result's head has been read: its memory goes back to the pool. */
  releaseHead(): void {
    this.headKeeper.release();
  }
}

export class FileSink implements DataSetSink {
  readonly done: Promise<SinkResult>;
  private resolveDone!: (r: SinkResult) => void;
  private readonly headKeeper = new HeadKeeper();
  private fd: number | undefined;
  /** The prefix and the filled blocks (or their filled part), in file order, not yet written. */
  private queue: Buffer[] = [];
  /** Bytes not yet written: the queue's and the block's. */
  private queued = 0;
  /** The block being filled, and how far. */
  private block: Buffer | undefined;
  private blockFill = 0;
  private bytes = 0;
  private writing = false;
  private ended = false;
  private aborted = false;
  private finished = false;
  private paused = false;
  private error: (Error & { code?: string }) | undefined;
  /** The async streaming path has started (the file is being opened, or is open in `fd`). */
  private opening = false;
  /** Writes are made inline (until one is slow): the file, once opened, is `syncFd`. */
  private inline: boolean;
  /** The temporary file, while the instance is written inline. */
  private syncFd: number | undefined;
  /** Where the data set starts in the file: after the Part 10 preamble and meta group. */
  readonly prefixLength: number;

  constructor(
    readonly tempPath: string,
    prefix: Buffer,
    private readonly flow: InputFlow,
    private readonly inlinePolicy: InlineIo = inlineWrites,
  ) {
    this.inline = inlinePolicy.allowed;
    this.prefixLength = prefix.length;
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
    this.queue.push(prefix);
    this.queued = prefix.length;
  }

  /** The result's head has been read: its memory goes back to the pool. */
  releaseHead(): void {
    this.headKeeper.release();
  }

  /**
   * Opens the temporary file for streaming through the thread pool: after a slow inline write (the
   * stream takes the open file over), or from the first fragment while inline writes are held off.
   */
  private openForStreaming(): void {
    if (this.opening) return;
    this.opening = true;
    if (this.syncFd !== undefined) {
      // Already open for the synchronous writes of its start: the stream takes the file over.
      this.fd = this.syncFd;
      this.syncFd = undefined;
      this.pump();
      return;
    }
    const tempPath = this.tempPath;
    // 'wx': never write into a file that exists (a name collision would mix two instances).
    open(tempPath, 'wx', 0o644, (err, fd) => {
      if (err) {
        this.fail(err);
        this.finish();
        return;
      }
      if (this.finished) {
        // Aborted while the file was being opened: nothing of it may stay.
        close(fd, () => unlink(tempPath, () => undefined));
        return;
      }
      this.fd = fd;
      this.pump();
    });
  }

  write(fragment: Uint8Array): void {
    this.bytes += fragment.length;
    this.headKeeper.keep(fragment);
    // After a failed write the rest of the data set is still read (and dropped): the association
    // stays usable and the sender gets an A700 status instead of an abort.
    if (this.error || this.aborted) return;
    if (!this.opening && this.inline) {
      if (fragment.length >= DIRECT_WRITE) this.writeSync(fragment);
      else {
        this.copyIn(fragment);
        if (this.queued >= SYNC_WRITE_AT) this.writeSync();
      }
      // That write was slow: the rest of the instance goes through the thread pool.
      if (!this.inline && !this.error) this.openForStreaming();
      return;
    }
    this.copyIn(fragment);
    if (!this.opening) this.openForStreaming();
    if (this.queued > HIGH_WATER && !this.paused) {
      this.paused = true;
      this.flow.pause();
    }
    this.pump();
  }

  end(): undefined {
    this.ended = true;
    if (!this.opening) this.finishInline();
    else {
      this.sealBlock();
      this.pump();
    }
    return undefined;
  }

  /** Copies a fragment into blocks; a full block joins the queue. */
  private copyIn(fragment: Uint8Array): void {
    for (let from = 0; from < fragment.length;) {
      const block = (this.block ??= blocks.take());
      const n = Math.min(fragment.length - from, BLOCK_SIZE - this.blockFill);
      block.set(n === fragment.length ? fragment : fragment.subarray(from, from + n), this.blockFill);
      this.blockFill += n;
      this.queued += n;
      from += n;
      if (this.blockFill === BLOCK_SIZE) this.sealBlock();
    }
  }

  /** The block being filled joins the queue, as far as it is filled. */
  private sealBlock(): void {
    const block = this.block;
    if (block === undefined) return;
    if (this.blockFill > 0) this.queue.push(block.subarray(0, this.blockFill));
    else blocks.give(block);
    this.block = undefined;
    this.blockFill = 0;
  }

  /**
   * The queued fragments, and `direct` after them straight from its memory, written now with
   * synchronous calls (the file opened by the first of them). A failure is kept: the rest of the data
   * set is read and dropped, and the file is removed at the end. A slow write ends inline writing.
   */
  private writeSync(direct?: Uint8Array): void {
    this.sealBlock();
    if (!this.error) {
      const started = nowMs();
      try {
        this.syncFd ??= openSync(this.tempPath, 'wx', 0o644);
        let rest: Uint8Array[] = direct ? [...this.queue, direct] : this.queue;
        for (let i = 0; rest.length > 0 && i < 1000; i++) {
          const batch = rest.length <= MAX_BUFFERS_PER_WRITE ? rest : rest.slice(0, MAX_BUFFERS_PER_WRITE);
          rest = [...remainder(batch, writevSync(this.syncFd, batch)), ...rest.slice(batch.length)];
        }
      } catch (err) {
        this.error = err as Error & { code?: string };
      }
      if (this.inlinePolicy.slow(nowMs() - started)) this.inline = false;
    }
    // Written, or not to be written after an error: the blocks go back either way.
    release(this.queue);
    this.queue = [];
    this.queued = 0;
  }

  /** The end of an instance written inline: the last fragments written, the file closed (and removed on failure). */
  private finishInline(): void {
    this.opening = true;
    this.finished = true;
    this.writeSync();
    this.closeSyncFd();
    if (this.error) unlink(this.tempPath, () => undefined);
    this.resolveDone({ bytes: this.bytes, head: this.headKeeper.head, error: this.error });
  }

  private closeSyncFd(): void {
    if (this.syncFd === undefined) return;
    try {
      closeSync(this.syncFd);
    } catch (err) {
      this.error ??= err as Error & { code?: string };
    }
    this.syncFd = undefined;
  }

  /**
   * The transfer ended early, or the message was refused after all: nothing of the file may stay.
   * After end() this deletes the completed temporary file (unless the store service renamed it).
   */
  abort(reason: string): void {
    if (this.ended) {
      void this.done.then((r) => { if (!r.error) unlink(this.tempPath, () => undefined); });
      return;
    }
    if (this.aborted) return;
    this.aborted = true;
    if (!this.opening) {
      // Written inline: drop what is queued; what was written already goes with its file.
      this.error ??= Object.assign(new Error(`transfer aborted: ${reason}`), { code: 'EABORTED' });
      this.dropQueue();
      this.finished = true;
      if (this.syncFd !== undefined) {
        this.closeSyncFd();
        try {
          unlinkSync(this.tempPath);
        } catch {
          // gone already
        }
      }
      this.resolveDone({ bytes: this.bytes, head: this.headKeeper.head, error: this.error });
      return;
    }
    this.error ??= Object.assign(new Error(`transfer aborted: ${reason}`), { code: 'EABORTED' });
    this.dropQueue();
    this.pump();
  }

  private pump(): void {
    if (this.writing || this.finished) return;
    if (this.fd === undefined && !this.error) return; // still opening; open's callback pumps
    if (this.queue.length === 0 || this.error) {
      this.finish();
      return;
    }
    this.writing = true;
    const batch = this.queue.length <= MAX_BUFFERS_PER_WRITE ? this.queue : this.queue.slice(0, MAX_BUFFERS_PER_WRITE);
    this.queue = this.queue.length <= MAX_BUFFERS_PER_WRITE ? [] : this.queue.slice(MAX_BUFFERS_PER_WRITE);
    this.writeBatch(batch);
  }

  /** Writes `batch`, the rest of `whole`, whose blocks go back to the pool once it is all done. */
  private writeBatch(batch: Buffer[], whole = batch): void {
    writev(this.fd!, batch, (err, written) => {
      if (err) {
        this.writing = false;
        release(whole);
        this.fail(err);
        this.pump();
        return;
      }
      this.queued -= written;
      const rest = remainder(batch, written);
      if (rest.length > 0 && !this.aborted) {
        // A short write (e.g. the file size limit reached): the retry reports the error.
        this.writeBatch(rest, whole);
        return;
      }
      this.writing = false;
      release(whole);
      if (this.paused && this.queued < LOW_WATER) {
        this.paused = false;
        this.flow.resume();
      }
      this.pump();
    });
  }

  private fail(err: Error & { code?: string }): void {
    this.error ??= err;
    this.dropQueue();
  }

  private dropQueue(): void {
    release(this.queue);
    this.queue = [];
    this.queued = 0;
    if (this.block !== undefined) blocks.give(this.block);
    this.block = undefined;
    this.blockFill = 0;
    if (this.paused) {
      this.paused = false;
      this.flow.resume();
    }
  }

  private finish(): void {
    if (this.finished) return;
    if (!this.ended && !this.aborted) return; // an error before the end: wait for the end
    this.finished = true;
    const result = (): SinkResult => ({ bytes: this.bytes, head: this.headKeeper.head, error: this.error });
    const fd = this.fd;
    const afterClose = () => {
      if (this.error) unlink(this.tempPath, () => this.resolveDone(result()));
      else this.resolveDone(result());
    };
    if (fd === undefined) afterClose();
    else close(fd, (err) => {
      if (err) this.error ??= err;
      afterClose();
    });
  }
}

/** Gives written (or dropped) blocks back to the pool; the prefix is not one and is ignored. */
function release(buffers: readonly Buffer[]): void {
  for (const b of buffers) blocks.give(b);
}

/** The buffers of `batch` after its first `written` bytes. */
function remainder<T extends Uint8Array>(batch: T[], written: number): T[] {
  let skip = written;
  let i = 0;
  while (i < batch.length && skip >= batch[i]!.length) {
    skip -= batch[i]!.length;
    i++;
  }
  if (i >= batch.length) return [];
  const rest = batch.slice(i);
  if (skip > 0) rest[0] = rest[0]!.subarray(skip) as T; // a Buffer's subarray is a Buffer
  return rest;
}
