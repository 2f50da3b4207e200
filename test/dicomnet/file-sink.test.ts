// The temporary file of a received C-STORE data set (FileSink), on its own: small instances written
// synchronously while they arrive, large ones streamed through the thread pool, and an abort or a
// failed write at any point leaves no file.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiscardSink, FileSink } from '../../src-main/dicomnet/services/storage/file-sink';

const dir = mkdtempSync(join(tmpdir(), 'dicomnet-file-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const prefix = Buffer.from('PREFIX-'.repeat(20));

function sink(path = join(dir, `.t${++n}.part`)): { s: FileSink; path: string; pauses: number[] } {
  const pauses: number[] = [];
  const s = new FileSink(path, prefix, { pause: () => pauses.push(1), resume: () => pauses.push(0) });
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

  it('an instance that grows past the small size goes on streaming into the same file, whole', async () => {
    const { s, path } = sink();
    const parts = fragments(9 * 1024 * 1024 + 123, 128 * 1024);
    feed(s, parts);
    s.end();
    const r = await s.done;
    expect(r.error).toBeUndefined();
    expect(r.bytes).toBe(9 * 1024 * 1024 + 123);
    expect(readFileSync(path).equals(Buffer.concat([prefix, ...parts]))).toBe(true);
  });

  it.each([
    ['small, not yet written', 100 * 1024],
    ['small, partly written', 600 * 1024],
    ['large, streaming', 6 * 1024 * 1024],
  ])('an abort (%s) leaves no file and reports the abort', async (_what, before) => {
    const { s, path } = sink();
    for (const p of fragments(before, 64 * 1024)) s.write(p);
    s.abort('the peer aborted');
    const r = await s.done;
    expect(r.error?.code).toBe('EABORTED');
    // An async write or open may still be finishing: bounded wait for the unlink.
    for (let i = 0; i < 100 && existsSync(path); i++) await new Promise((res) => setTimeout(res, 10));
    expect(existsSync(path)).toBe(false);
  });

  it.each([['small', 300 * 1024], ['large', 6 * 1024 * 1024]])('a %s instance whose file cannot be made reports the error and leaves nothing', async (_what, total) => {
    const { s, path } = sink(join(dir, 'no-such-folder', '.t.part'));
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
