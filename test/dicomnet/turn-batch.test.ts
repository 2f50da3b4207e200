import { describe, expect, it } from 'vitest';
import { TurnBatch } from '../../src-main/dicomnet/turn-batch';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TurnBatch', () => {
  it('delivers nothing synchronously, then everything added in the turn at once, in order', async () => {
    const deliveries: number[][] = [];
    const batch = new TurnBatch<number>((items) => deliveries.push([...items]));
    batch.add(1);
    batch.add(2);
    await Promise.resolve(); // microtasks run before the batch: a listener comes after them
    batch.add(3);
    expect(deliveries).toEqual([]);
    await nextTurn();
    expect(deliveries).toEqual([[1, 2, 3]]);
  });

  it('items added while delivering, or in a later turn, come in a later delivery', async () => {
    const deliveries: string[][] = [];
    const batch: TurnBatch<string> = new TurnBatch<string>((items) => {
      deliveries.push([...items]);
      if (items.includes('a')) batch.add('b');
    });
    batch.add('a');
    await nextTurn();
    await nextTurn();
    batch.add('c');
    await nextTurn();
    expect(deliveries).toEqual([['a'], ['b'], ['c']]);
  });

  it('flush() delivers what waits at once, and the scheduled turn then delivers nothing again', async () => {
    const deliveries: number[][] = [];
    const batch = new TurnBatch<number>((items) => deliveries.push([...items]));
    batch.flush(); // nothing waits: no empty delivery
    batch.add(7);
    batch.flush();
    expect(deliveries).toEqual([[7]]);
    await nextTurn();
    await nextTurn();
    expect(deliveries).toEqual([[7]]);
  });
});
