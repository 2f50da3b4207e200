// The temporary file of a received C-STORE data set (FileSink), on its own: written with synchronous
// calls while they arrive (large fragments straight from the read buffer, small ones gathered),
// streamed through the thread pool once a write was slow, and an abort or a failed write at any
// point leaves no file.

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InlineIo } from '../../src-main/dicomnet/inline-io';
import { DiscardSink, FileSink } from '../../src-main/dicomnet/services/storage/file-sink';

const dir = mkdtempSync(join(tmpdir(), 'dicomnet-file-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const prefix = Buffer.from('PREFIX-'.repeat(20));

/** Every write counts as slow and the budget is nil: the first write is made inline, the rest go through the thread pool. */
const streaming = () => new InlineIo(-1, 0, 0);

function sink(path = join(dir, `.t${++n}.part`), policy?: InlineIo): { s: FileSink; path: string; pauses: number[] } {
  const pauses: number[] = [];
  const s = new FileSink(path, prefix, { pause: () => pauses.push(1), resume: () => pauses.push(0) }, policy);
  return { s, path, pauses };
}

/** `total` bytes of a recognisable pattern, as fragments of `size`. */
function fragments(total: number, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < total; at += size) {
    const b = Buffer.alloc(Math.min(size, total - at));
    for (let i = 0; i < b.length; i++) b[i] = (at + i) % 251;
    out.push(b);
  }
  return out;
}

/**
 * Writes each fragment from one scratch buffer, overwritten after every write() as the transport's
 * reused read buffer is: a sink that kept a view instead of copying would write garbage.
 */
function feed(s: Pick<FileSink, 'write'>, parts: readonly Buffer[]): void {
  const scratch = Buffer.alloc(Math.max(...parts.map((p) => p.length)));
  for (const p of parts) {
    p.copy(scratch);
    s.write(scratch.subarray(0, p.length));
    scratch.fill(0xee);
  }
}

describe('FileSink', () => {
  it('a 100 KB instance is written only at its end, and whole', async () => {
    const { s, path } = sink();
    const parts = fragments(100 * 1024, 4096);
    feed(s, parts);
    expect(existsSync(path)).toBe(false);
    s.end();
    const r = await s.done;
    expect(r.error).toBeUndefined();
    expect(r.bytes).toBe(100 * 1024);
    expect(readFileSync(path).equals(Buffer.concat([prefix, ...parts]))).toBe(true);
  });

  it('a 1 MB instance is written while it arrives (the file exists before the end), and whole', async () => {
    const { s, path } = sink();
    const parts = fragments(1024 * 1024, 16 * 1024);
    feed(s, parts.slice(0, 40));
    expect(existsSync(path)).toBe(true);
    feed(s, parts.slice(40));
    s.end();
    const r = await s.done;
    expect(r.error).toBeUndefined();
    expect(readFileSync(path).equals(Buffer.concat([prefix, ...parts]))).toBe(true);
    expect(r.head.equals(Buffer.concat(parts).subarray(0, 64 * 1024))).toBe(true);
  });

  it('writes large fragments inline as they come, straight from the read buffer: all on disk before the end', async () => {
    const { s, path, pauses } = sink(undefined, new InlineIo(60_000, 0));
    const parts = fragments(9 * 1024 * 1024 + 123, 128 * 1024);
    feed(s, parts);
    // Nothing waits for the thread pool: every large fragment is on disk as it is handed over (the
    // 123-byte tail is gathered, for the end).
    expect(statSync(path).size).toBe(prefix.length + 9 * 1024 * 1024);
    s.end();
    const r = await s.done;
    expect(r.error).toBeUndefined();
    expect(r.bytes).toBe(9 * 1024 * 1024 + 123);
    expect(readFileSync(path).equals(Buffer.concat([prefix, ...parts]))).toBe(true);
    expect(pauses).toEqual([]);
  });

  it('after a slow write, streams the rest into the same file through the thread pool (input paused while the queue is long), whole', async () => {
    const { s, path, pauses } = sink(undefined, streaming());
    const parts = fragments(9 * 1024 * 1024 + 123, 128 * 1024);
    feed(s, parts);
    // The first fragment was written inline; of the rest, only the first block can have been written
    // (by a pool thread) before this turn ends; the queue is over the high-water mark.
    expect(statSync(path).size).toBeGreaterThanOrEqual(prefix.length + 128 * 1024);
    expect(statSync(path).size).toBeLessThanOrEqual(prefix.length + 3 * 128 * 1024);
    expect(pauses).toEqual([1]);
    s.end();
    const r = await s.done;
    expect(r.error).toBeUndefined();
    expect(r.bytes).toBe(9 * 1024 * 1024 + 123);
    expect(readFileSync(path).equals(Buffer.concat([prefix, ...parts]))).toBe(true);
    expect(pauses).toEqual([1, 0]);
  });

  it('a slow write holds inline writing off for the next instances too', async () => {
    const policy = new InlineIo(-1, 60_000, 0);
    const first = sink(undefined, policy);
    feed(first.s, fragments(128 * 1024, 128 * 1024));
    first.s.end();
    await first.s.done;
    expect(policy.allowed).toBe(false);
    const second = sink(undefined, policy);
    const parts = fragments(1024 * 1024, 128 * 1024);
    feed(second.s, parts);
    // Streamed from its first fragment: the file is opened by the thread pool, and written only after
    // this turn (open's callback starts the writes).
    expect(existsSync(second.path) ? statSync(second.path).size : 0).toBe(0);
    second.s.end();
    expect((await second.s.done).error).toBeUndefined();
    expect(readFileSync(second.path).equals(Buffer.concat([prefix, ...parts]))).toBe(true);
  });

  it.each([
    ['inline, not yet written', 100 * 1024, undefined],
    ['inline, partly written', 600 * 1024, undefined],
    ['inline, large', 6 * 1024 * 1024, undefined],
    ['streaming', 6 * 1024 * 1024, streaming],
  ])('an abort (%s) leaves no file and reports the abort', async (_what, before, policy) => {
    const { s, path } = sink(undefined, policy?.());
    for (const p of fragments(before, 64 * 1024)) s.write(p);
    s.abort('the peer aborted');
    const r = await s.done;
    expect(r.error?.code).toBe('EABORTED');
    // An async write or open may still be finishing: bounded wait for the unlink.
    for (let i = 0; i < 100 && existsSync(path); i++) await new Promise((res) => setTimeout(res, 10));
    expect(existsSync(path)).toBe(false);
  });

  it.each([
    ['an inline', 300 * 1024, undefined],
    ['a large inline', 6 * 1024 * 1024, undefined],
    ['a streamed', 6 * 1024 * 1024, () => new InlineIo(-1, 60_000, 0)],
  ])('%s instance whose file cannot be made reports the error and leaves nothing', async (_what, total, policy) => {
    const policyNow = policy?.();
    // Held off from the start: the first open is the thread pool's.
    if (policyNow) policyNow.slow(1);
    const { s, path } = sink(join(dir, 'no-such-folder', '.t.part'), policyNow);
    for (const p of fragments(total, 64 * 1024)) s.write(p);
    s.end();
    const r = await s.done;
    expect(r.error?.code).toBe('ENOENT');
    expect(r.bytes).toBe(total);
    expect(existsSync(path)).toBe(false);
  });
});

describe('DiscardSink', () => {
  it('keeps the head in pooled memory: released, it is the next instance head\'s memory', () => {
    const first = new DiscardSink();
    feed(first, fragments(100 * 1024, 16 * 1024));
    first.end();
    const head1 = first.result.head;
    expect(head1.equals(Buffer.concat(fragments(100 * 1024, 16 * 1024)).subarray(0, 64 * 1024))).toBe(true);
    const memory = head1.buffer;
    first.releaseHead();
    const second = new DiscardSink();
    feed(second, fragments(1000, 1000));
    expect(second.result.head.buffer).toBe(memory);
    expect(second.result.head.equals(Buffer.concat(fragments(1000, 1000)))).toBe(true);
    expect(second.result.bytes).toBe(1000);
  });
});
