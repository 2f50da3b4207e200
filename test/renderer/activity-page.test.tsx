// @vitest-environment jsdom
// The Activity page under a busy node: association events arrive one IPC message at a time, and a
// render per event fell behind hundreds a second and froze the window. The page renders per batch.
// Only the preload's transport (window.api) is stubbed, by ./fake-api.

import { emit, reply, resetApi } from './fake-api';
import { act, cleanup, render, screen } from '@testing-library/react';
import { Profiler } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { ActivityPage } from '../../src-renderer/pages/ActivityPage';
import type { ActivityEntry } from '../../src-shared/models';

afterEach(() => { cleanup(); resetApi(); });

const entry = (id: number, extra: Partial<ActivityEntry> = {}): ActivityEntry => ({
  id, direction: 'in', kind: 'released', at: 1_700_000_000_000 + id, remoteAddress: '10.0.0.5', remotePort: 40000 + id, callingAeTitle: `CT${id}`, calledAeTitle: 'DICOMNET', durationMs: 3, ...extra,
});

describe('ActivityPage', () => {
  it('renders per batch of events, not per event', async () => {
    reply('activity:list', () => []);
    let commits = 0;
    render(<Profiler id="activity" onRender={() => { commits++; }}><ActivityPage /></Profiler>);
    await act(async () => { await new Promise((r) => setTimeout(r, 10)); });
    const before = commits;
    // 200 events, two per task, as IPC messages arrive (bounded: 100 tasks). Outside act(), which
    // would hold every render to its end: React schedules them as it does in the window.
    const g = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean };
    g.IS_REACT_ACT_ENVIRONMENT = false;
    const started = Date.now();
    try {
      for (let i = 1; i <= 200; i++) {
        emit('association', entry(i));
        if (i % 2 === 0) await new Promise((r) => setTimeout(r, 1));
      }
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      g.IS_REACT_ACT_ENVIRONMENT = true;
    }
    const batches = Math.ceil((Date.now() - started) / 250) + 1;
    expect(commits - before).toBeGreaterThan(0);
    expect(commits - before).toBeLessThanOrEqual(batches);
    expect(commits - before).toBeLessThan(100);
    expect(screen.getAllByRole('row')[1]!.textContent).toContain('CT200 -> DICOMNET');
  });

  it('keeps the newest 500 entries, newest first', async () => {
    reply('activity:list', () => []);
    render(<ActivityPage />);
    await act(async () => {
      await new Promise((r) => setTimeout(r, 10));
      for (let i = 1; i <= 600; i++) emit('association', entry(i));
      await new Promise((r) => setTimeout(r, 300));
    });
    const rows = screen.getAllByRole('row');
    expect(rows).toHaveLength(501);
    expect(rows[1]!.textContent).toContain('CT600 -> DICOMNET');
    expect(rows[500]!.textContent).toContain('CT101 -> DICOMNET');
  });

  it('an association accepted with every context refused is marked, with the SOP class named', async () => {
    reply('activity:list', () => [entry(1, { kind: 'accepted', contexts: [{ id: 1, abstractSyntax: '1.2.840.10008.5.1.4.1.2.1.1', abstractSyntaxName: 'PatientRootQueryRetrieveInformationModelFind', result: 'abstract-syntax-not-supported (provider rejection)' }] })]);
    render(<ActivityPage />);
    expect(await screen.findByText('accepted, no context')).toBeTruthy();
  });
});
