import { describe, expect, it } from 'vitest';
import { TurnBatch } from '../../src-main/dicomnet/turn-batch';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function recorder<T>() {
  const delivered: T[] = [];
  const errors: string[] = [];
  return { delivered, errors, onError: (e: Error) => errors.push(e.message) };
}

describe('TurnBatch', () => {
  it('delivers nothing synchronously, then everything added in the turn, in order', async () => {
    const r = recorder<number>();
    const batch = new TurnBatch<number>((n) => r.delivered.push(n), r.onError);
    batch.add(1);
    batch.add(2);
    await Promise.resolve(); // microtasks run before the batch: a listener comes after them
    batch.add(3);
    expect(r.delivered).toEqual([]);
    await nextTurn();
    expect(r.delivered).toEqual([1, 2, 3]);
  });

  it('items added while delivering, or in a later turn, come in a later turn', async () => {
    const r = recorder<string>();
    const batch: TurnBatch<string> = new TurnBatch<string>((s) => {
      r.delivered.push(s);
      if (s === 'a') batch.add('b');
    }, r.onError);
    batch.add('a');
    await nextTurn();
    expect(r.delivered).toEqual(['a']);
    await nextTurn();
    batch.add('c');
    await nextTurn();
    expect(r.delivered).toEqual(['a', 'b', 'c']);
  });

  it('flush() delivers what waits at once, and nothing twice', async () => {
    const r = recorder<number>();
    const batch = new TurnBatch<number>((n) => r.delivered.push(n), r.onError);
    batch.add(7);
    batch.flush();
    expect(r.delivered).toEqual([7]);
    await nextTurn();
    await nextTurn();
    expect(r.delivered).toEqual([7]);
  });

  it('a throwing listener goes to onError, and the items after it are still delivered', async () => {
    const r = recorder<number>();
    const batch = new TurnBatch<number>((n) => {
      if (n === 2) throw new Error('listener bug');
      r.delivered.push(n);
    }, r.onError);
    for (const n of [1, 2, 3]) batch.add(n);
    await nextTurn();
    expect(r.delivered).toEqual([1, 3]);
    expect(r.errors).toEqual(['listener bug']);
  });
});
