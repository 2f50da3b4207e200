// One test per cell of PS3.8 Table 9-10 (13 states x 19 events), against a literal copy of the
// standard's table written out here independently of src-main/dicomnet/ul/table.ts, so a typo in
// either one fails. Then the effects of each action and whole walk-throughs, all without sockets.

import { describe, expect, it } from 'vitest';
import { actions, type ActionId } from '../../../src-main/dicomnet/ul/actions';
import { ArtimTimer, type Scheduler } from '../../../src-main/dicomnet/ul/artim';
import { UlEvents, type UlEvent } from '../../../src-main/dicomnet/ul/events';
import { step } from '../../../src-main/dicomnet/ul/machine';
import { States, type State } from '../../../src-main/dicomnet/ul/states';

// PS3.8 Table 9-10; columns Sta1..Sta13; '-' = empty cell.
const STANDARD = `
Evt1  AE-1 -    -    -    -    -    -    -    -    -     -     -     -
Evt2  -    -    -    AE-2 -    -    -    -    -    -     -     -     -
Evt3  -    AA-1 AA-8 -    AE-3 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-6
Evt4  -    AA-1 AA-8 -    AE-4 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-6
Evt5  AE-5 -    -    -    -    -    -    -    -    -     -     -     -
Evt6  -    AE-6 AA-8 -    AA-8 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-7
Evt7  -    -    AE-7 -    -    -    -    -    -    -     -     -     -
Evt8  -    -    AE-8 -    -    -    -    -    -    -     -     -     -
Evt9  -    -    -    -    -    DT-1 -    AR-7 -    -     -     -     -
Evt10 -    AA-1 AA-8 -    AA-8 DT-2 AR-6 AA-8 AA-8 AA-8  AA-8  AA-8  AA-6
Evt11 -    -    -    -    -    AR-1 -    -    -    -     -     -     -
Evt12 -    AA-1 AA-8 -    AA-8 AR-2 AR-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-6
Evt13 -    AA-1 AA-8 -    AA-8 AA-8 AR-3 AA-8 AA-8 AR-10 AR-3  AA-8  AA-6
Evt14 -    -    -    -    -    -    -    AR-4 AR-9 -     -     AR-4  -
Evt15 -    -    AA-1 AA-2 AA-1 AA-1 AA-1 AA-1 AA-1 AA-1  AA-1  AA-1  -
Evt16 -    AA-2 AA-3 -    AA-3 AA-3 AA-3 AA-3 AA-3 AA-3  AA-3  AA-3  AA-2
Evt17 -    AA-5 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4  AA-4  AA-4  AR-5
Evt18 -    AA-2 -    -    -    -    -    -    -    -     -     -     AA-2
Evt19 -    AA-1 AA-8 -    AA-8 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-7
`;

// PS3.8 Tables 9-6..9-9: the state each action leads to.
const NEXT: Record<string, State> = {
  'AE-1': 'Sta4', 'AE-2': 'Sta5', 'AE-3': 'Sta6', 'AE-4': 'Sta1', 'AE-5': 'Sta2', 'AE-6': 'Sta3', 'AE-7': 'Sta6', 'AE-8': 'Sta13',
  'DT-1': 'Sta6', 'DT-2': 'Sta6',
  'AR-1': 'Sta7', 'AR-2': 'Sta8', 'AR-3': 'Sta1', 'AR-4': 'Sta13', 'AR-5': 'Sta1', 'AR-6': 'Sta7', 'AR-7': 'Sta8', 'AR-9': 'Sta11', 'AR-10': 'Sta12',
  'AA-1': 'Sta13', 'AA-2': 'Sta1', 'AA-3': 'Sta1', 'AA-4': 'Sta1', 'AA-5': 'Sta1', 'AA-6': 'Sta13', 'AA-7': 'Sta13', 'AA-8': 'Sta13',
};

const rows = STANDARD.trim().split('\n').map((line) => line.trim().split(/\s+/));
const cells: [UlEvent, State, string][] = [];
for (const [event, ...byState] of rows) {
  byState.forEach((cell, i) => cells.push([event as UlEvent, States[i]!, cell]));
}

describe('the literal table covers the whole machine', () => {
  it('has 19 events x 13 states', () => {
    expect(rows.map((r) => r[0])).toEqual([...UlEvents]);
    expect(rows.every((r) => r.length === 14)).toBe(true);
    expect(cells).toHaveLength(247);
  });
});

describe.each(['requestor', 'acceptor'] as const)('PS3.8 Table 9-10, every cell (%s)', (role) => {
  const isRequestor = role === 'requestor';
  it.each(cells)('%s in %s -> %s', (event, state, expected) => {
    const t = step(state, event, { isRequestor });
    if (expected === '-') {
      expect(t).toBeUndefined();
      return;
    }
    expect(t?.action).toBe(expected);
    const next = expected === 'AR-8' ? (isRequestor ? 'Sta9' : 'Sta10') : NEXT[expected];
    expect(t?.next).toBe(next);
    expect(t?.effects).toEqual(actions[expected as ActionId].effects);
  });
});

describe('actions do what the standard says', () => {
  const effectsOf = (id: ActionId) => actions[id].effects;
  it.each([
    ['AE-1', ['openTransport']],
    ['AE-2', ['sendAssociateRq']],
    ['AE-3', ['indicateAssociateAc']],
    ['AE-4', ['indicateAssociateRj', 'closeTransport']],
    ['AE-5', ['startArtim']],
    ['AE-6', ['stopArtim', 'indicateAssociateRq']],
    ['AE-7', ['sendAssociateAc']],
    ['AE-8', ['sendAssociateRj', 'startArtim']],
    ['DT-1', ['sendPData']],
    ['DT-2', ['indicatePData']],
    ['AR-1', ['sendReleaseRq']],
    ['AR-2', ['indicateReleaseRq']],
    ['AR-3', ['indicateReleaseRp', 'closeTransport']],
    ['AR-4', ['sendReleaseRp', 'startArtim']],
    ['AR-5', ['stopArtim']],
    ['AR-6', ['indicatePData']],
    ['AR-7', ['sendPData']],
    ['AR-8', ['indicateReleaseCollision']],
    ['AR-9', ['sendReleaseRp']],
    ['AR-10', ['indicateReleaseRp']],
    ['AA-1', ['sendAbortUser', 'startArtim']],
    ['AA-2', ['stopArtim', 'closeTransport']],
    ['AA-3', ['indicateAbort', 'closeTransport']],
    ['AA-4', ['indicateProviderAbort']],
    ['AA-5', ['stopArtim']],
    ['AA-6', ['ignore']],
    ['AA-7', ['sendAbortProvider']],
    ['AA-8', ['sendAbortProvider', 'indicateProviderAbort', 'startArtim']],
  ] as const)('%s', (id, effects) => {
    expect(effectsOf(id)).toEqual(effects);
  });

  it('AE-6 rejects when the request is not acceptable to the provider: RJ, ARTIM, Sta13', () => {
    const t = step('Sta2', 'Evt6', { isRequestor: false, associateRqAcceptable: false });
    expect(t).toEqual({ action: 'AE-6', next: 'Sta13', effects: ['stopArtim', 'sendAssociateRj', 'startArtim'] });
  });
});

function walk(start: State, events: UlEvent[], isRequestor: boolean): string[] {
  const seen: string[] = [start];
  let state = start;
  for (const e of events) {
    const t = step(state, e, { isRequestor });
    if (!t) throw new Error(`${e} invalid in ${state}`);
    state = t.next;
    seen.push(`${t.action}->${state}`);
  }
  return seen;
}

describe('walk-throughs', () => {
  it('requestor: connect, associate, data, release', () => {
    expect(walk('Sta1', ['Evt1', 'Evt2', 'Evt3', 'Evt9', 'Evt10', 'Evt11', 'Evt13'], true)).toEqual([
      'Sta1', 'AE-1->Sta4', 'AE-2->Sta5', 'AE-3->Sta6', 'DT-1->Sta6', 'DT-2->Sta6', 'AR-1->Sta7', 'AR-3->Sta1',
    ]);
  });
  it('acceptor: accept, associate, data, peer releases, transport closes', () => {
    expect(walk('Sta1', ['Evt5', 'Evt6', 'Evt7', 'Evt10', 'Evt9', 'Evt12', 'Evt14', 'Evt17'], false)).toEqual([
      'Sta1', 'AE-5->Sta2', 'AE-6->Sta3', 'AE-7->Sta6', 'DT-2->Sta6', 'DT-1->Sta6', 'AR-2->Sta8', 'AR-4->Sta13', 'AR-5->Sta1',
    ]);
  });
  it('release collision, requestor side (PS3.8 §9.2.3 / reference §4.6)', () => {
    expect(walk('Sta6', ['Evt11', 'Evt12', 'Evt14', 'Evt13'], true)).toEqual(['Sta6', 'AR-1->Sta7', 'AR-8->Sta9', 'AR-9->Sta11', 'AR-3->Sta1']);
  });
  it('release collision, acceptor side', () => {
    expect(walk('Sta6', ['Evt11', 'Evt12', 'Evt13', 'Evt14', 'Evt17'], false)).toEqual(['Sta6', 'AR-1->Sta7', 'AR-8->Sta10', 'AR-10->Sta12', 'AR-4->Sta13', 'AR-5->Sta1']);
  });
  it('rejection, both sides', () => {
    expect(walk('Sta1', ['Evt1', 'Evt2', 'Evt4'], true)).toEqual(['Sta1', 'AE-1->Sta4', 'AE-2->Sta5', 'AE-4->Sta1']);
    expect(walk('Sta1', ['Evt5', 'Evt6', 'Evt8', 'Evt17'], false)).toEqual(['Sta1', 'AE-5->Sta2', 'AE-6->Sta3', 'AE-8->Sta13', 'AR-5->Sta1']);
  });
  it('aborts: local user, peer, provider (invalid PDU), ARTIM expiry', () => {
    expect(walk('Sta6', ['Evt15', 'Evt17'], true)).toEqual(['Sta6', 'AA-1->Sta13', 'AR-5->Sta1']);
    expect(walk('Sta6', ['Evt16'], false)).toEqual(['Sta6', 'AA-3->Sta1']);
    expect(walk('Sta6', ['Evt19', 'Evt18'], false)).toEqual(['Sta6', 'AA-8->Sta13', 'AA-2->Sta1']);
    expect(walk('Sta1', ['Evt5', 'Evt18'], false)).toEqual(['Sta1', 'AE-5->Sta2', 'AA-2->Sta1']);
  });
});

describe('ArtimTimer', () => {
  function fakeScheduler() {
    let now = 0;
    const timers = new Map<number, { at: number; fn: () => void }>();
    let nextId = 1;
    const scheduler: Scheduler = {
      setTimeout: (fn, ms) => { const id = nextId++; timers.set(id, { at: now + ms, fn }); return id; },
      clearTimeout: (h) => { timers.delete(h as number); },
    };
    const advance = (ms: number) => {
      now += ms;
      for (const [id, t] of [...timers]) if (t.at <= now) { timers.delete(id); t.fn(); }
    };
    return { scheduler, advance, pending: () => timers.size };
  }

  it('fires once after its duration', () => {
    const f = fakeScheduler();
    let fired = 0;
    const t = new ArtimTimer(1000, () => fired++, f.scheduler);
    t.start();
    expect(t.running).toBe(true);
    f.advance(999);
    expect(fired).toBe(0);
    f.advance(1);
    expect(fired).toBe(1);
    expect(t.running).toBe(false);
    f.advance(5000);
    expect(fired).toBe(1);
  });

  it('restarts on start() while running (AA-1), and stop() cancels', () => {
    const f = fakeScheduler();
    let fired = 0;
    const t = new ArtimTimer(1000, () => fired++, f.scheduler);
    t.start();
    f.advance(800);
    t.start();
    expect(f.pending()).toBe(1);
    f.advance(800);
    expect(fired).toBe(0);
    f.advance(200);
    expect(fired).toBe(1);
    t.start();
    t.stop();
    f.advance(2000);
    expect(fired).toBe(1);
    expect(t.running).toBe(false);
  });
});
