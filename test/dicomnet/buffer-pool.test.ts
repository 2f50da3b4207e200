import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src-main/dicomnet/buffer-pool';

describe('BufferPool', () => {
  it('gives out buffers of its size, each with memory of its own', () => {
    const pool = new BufferPool(4096, 2);
    const a = pool.take();
    const b = pool.take();
    expect([a.length, b.length]).toEqual([4096, 4096]);
    expect(a.buffer).not.toBe(b.buffer);
    expect(a.buffer.byteLength).toBe(4096);
  });

  it('a buffer given back (or a view of it) is the next one taken, once', () => {
    const pool = new BufferPool(4096, 2);
    const a = pool.take();
    pool.give(a.subarray(100, 200));
    pool.give(a); // already free: not twice
    const again = pool.take();
    expect(again.buffer).toBe(a.buffer);
    expect(again.length).toBe(4096);
    expect(pool.take().buffer).not.toBe(a.buffer);
  });

  it('keeps at most `keep` free buffers and ignores buffers it did not give out', () => {
    const pool = new BufferPool(4096, 1);
    const a = pool.take();
    const b = pool.take();
    pool.give(a);
    pool.give(b); // over the limit: left to the GC
    pool.give(Buffer.alloc(100)); // not of its size
    expect(pool.take().buffer).toBe(a.buffer);
    const fresh = pool.take();
    expect(fresh.buffer).not.toBe(a.buffer);
    expect(fresh.buffer).not.toBe(b.buffer);
  });
});
