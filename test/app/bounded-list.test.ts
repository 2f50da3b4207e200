// The app's bounded lists (activity log, received instances): the newest `capacity` items, oldest
// first, whatever the number of adds (the oldest are dropped in batches: bounded-list.ts).

import { describe, expect, it } from 'vitest';
import { BoundedList } from '../../src-main/app/bounded-list';
import { ActivityLog } from '../../src-main/app/activity-log';

describe('BoundedList', () => {
  it.each([1, 3, 1000, 5000])('capacity %i: keeps the newest, oldest first, across batch drops', (capacity) => {
    const l = new BoundedList<number>(capacity);
    for (let i = 0; i < 12_345; i++) {
      l.push(i);
      if (i % 997 === 0 || i === 12_344) {
        const want = Array.from({ length: Math.min(i + 1, capacity) }, (_, k) => i + 1 - Math.min(i + 1, capacity) + k);
        expect(l.length).toBe(want.length);
        expect(l.toArray()).toEqual(want);
        expect([...l]).toEqual(want);
      }
    }
  });

  it('the activity log keeps its newest 5 entries and numbers every entry', () => {
    const log = new ActivityLog(5);
    for (let i = 0; i < 3000; i++) log.add({ at: i, direction: 'in', kind: 'accepted', remoteAddress: '127.0.0.1', detail: `n${i}` });
    expect(log.size).toBe(5);
    expect(log.list().map((e) => e.detail)).toEqual(['n2995', 'n2996', 'n2997', 'n2998', 'n2999']);
    expect(log.list().at(-1)?.id).toBe(3000);
  });
});
