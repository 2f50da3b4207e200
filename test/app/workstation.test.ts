// The app services on plain Node, driven through the IPC contract as the GUI drives them: the local
// node, peers, verify (one and all), sending to a peer, the activity log and the received list. Real
// associations over loopback; our own node is the peer.

import { createServer } from 'node:net';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROGRESS_MS } from '../../src-main/app/progress-throttle';
import { Workstation } from '../../src-main/app/workstation';
import { EVENT_CHANNELS, INVOKE_CHANNELS, type EventChannel } from '../../src-shared/ipc';
import type { SendProgress } from '../../src-shared/models';
import type { Peer } from '../../src-shared/settings-schema';
import { makeInstance, newUid } from '../helpers/dicom-files';
import { freePort } from '../helpers/ports';

const work = mkdtempSync(join(tmpdir(), 'dicomnet-ws-'));
const events: { channel: EventChannel; payload: unknown }[] = [];
let ws: Workstation;
let port: number;

async function until(what: string, f: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(f(), what).toBe(true);
}

beforeAll(async () => {
  ws = new Workstation({ dataFolder: join(work, 'data'), onEvent: (channel, payload) => events.push({ channel, payload }) });
  port = await freePort();
  const r = await ws.invoke('node:configure', { ...ws.settings.settings.localNode, aeTitle: 'WS1', port, bindAddress: '127.0.0.1' });
  expect(r.ok).toBe(true);
});

afterAll(async () => {
  await ws.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the IPC contract', () => {
  it('main handles exactly the invoke channels of the contract', () => {
    expect(Object.keys(ws.handlers).sort()).toEqual([...INVOKE_CHANNELS].sort());
  });

  it('an unknown channel and a bad payload get an error in plain words, naming the field', async () => {
    expect(await ws.invoke('node:explode', {})).toEqual({ ok: false, error: "Unknown channel 'node:explode'." });
    expect(await ws.invoke('toString', {})).toMatchObject({ ok: false });
    expect(await ws.invoke('peers:add', { name: 'X', aeTitle: 'BAD\\AE', host: 'pacs', port: 104 })).toMatchObject({ ok: false, error: expect.stringMatching(/peer\.aeTitle/) });
    expect(await ws.invoke('peers:remove', 'x')).toMatchObject({ ok: false, error: expect.stringMatching(/must be an object/) });
    expect(await ws.invoke('node:configure', { port: 0 })).toMatchObject({ ok: false, error: expect.stringMatching(/localNode\.port/) });
    expect(await ws.invoke('activity:list', { direction: 'sideways' })).toMatchObject({ ok: false, error: expect.stringMatching(/direction/) });
    // Without the desktop app's dialog (browser mode), choosing files says what to do instead.
    expect(await ws.invoke('paths:choose', { folders: true })).toEqual({ ok: false, error: 'Choosing files needs the desktop app: type the paths instead.' });
    expect(await ws.invoke('paths:choose', {})).toMatchObject({ ok: false, error: expect.stringMatching(/'folders'/) });
  });

  it('every event channel the app emits is in the contract', () => {
    for (const e of events) expect(EVENT_CHANNELS).toContain(e.channel);
  });
});

describe('local node, peers, verify, send', () => {
  let self: Peer;

  it('starts the node on the configured port and reports its state', async () => {
    const r = await ws.invoke('node:start', undefined);
    expect(r).toMatchObject({ ok: true, value: { running: true, aeTitle: 'WS1', listening: [{ host: '127.0.0.1', port }] } });
    expect(events.some((e) => e.channel === 'node:state')).toBe(true);
  });

  it('adds, updates and removes peers; settings change events follow', async () => {
    const added = await ws.invoke('peers:add', { name: 'Myself', aeTitle: 'WS1', host: '127.0.0.1', port, tls: 'off' });
    expect(added.ok).toBe(true);
    self = (added as { value: Peer }).value;
    const other = await ws.invoke('peers:add', { name: 'Nobody', aeTitle: 'NOBODY', host: '127.0.0.1', port: 1, tls: 'off' });
    const renamed = await ws.invoke('peers:update', { id: (other as { value: Peer }).value.id, peer: { name: 'Nobody home', aeTitle: 'NOBODY', host: '127.0.0.1', port: 1, tls: 'off' } });
    expect(renamed).toMatchObject({ ok: true, value: { name: 'Nobody home' } });
    expect((await ws.invoke('peers:list', undefined) as { value: Peer[] }).value.map((p) => p.name)).toEqual(['Myself', 'Nobody home']);
    expect(events.filter((e) => e.channel === 'settings:changed').length).toBeGreaterThanOrEqual(3);
  });

  it('verify all: each peer concurrently, success for ours, the plain-words failure for the other', async () => {
    const r = await ws.invoke('verify:all', undefined);
    expect(r.ok).toBe(true);
    const results = (r as { value: Record<string, { ok: boolean; failure?: { plain: string } }> }).value;
    expect(results[self.id]?.ok).toBe(true);
    const failed = Object.entries(results).find(([id]) => id !== self.id)![1];
    expect(failed.failure?.plain).toMatch(/Nothing is listening on 127\.0\.0\.1:1/);
    expect(events.filter((e) => e.channel === 'verify:progress')).toHaveLength(2);
    await until('the association reached the activity log', () => ws.activity.list({ direction: 'in' }).some((a) => a.kind === 'released'));
    const accepted = ws.activity.list({ outcome: 'accepted' });
    expect(accepted[0]).toMatchObject({ direction: 'in', callingAeTitle: 'WS1', calledAeTitle: 'WS1' });
    expect(accepted[0]?.contexts?.[0]).toMatchObject({ abstractSyntax: '1.2.840.10008.1.1', abstractSyntaxName: 'Verification', result: 'acceptance' });
    expect(accepted[0]?.contexts?.[0]?.transferSyntaxName).toMatch(/^(Explicit|Implicit) VR Little Endian$/);
  });

  it('sends a folder to a peer with progress events; the received list groups it by study', async () => {
    const src = join(work, 'to-send');
    mkdirSync(src, { recursive: true });
    const study = newUid();
    for (let i = 0; i < 5; i++) makeInstance(join(src, `${i}.dcm`), { studyInstanceUid: study, patientName: 'DOE^JANE', modality: 'CT', seed: i });
    const r = await ws.invoke('send:start', { peerId: self.id, paths: [src] });
    expect(r.ok).toBe(true);
    const sendId = (r as { value: { sendId: string } }).value.sendId;
    const finished = () => events.find((e) => e.channel === 'send:progress' && (e.payload as { sendId: string; finished?: unknown }).sendId === sendId && (e.payload as { finished?: unknown }).finished);
    await until('the send finished', () => finished() !== undefined);
    expect((finished()!.payload as { finished: unknown }).finished).toMatchObject({ ok: true, stored: 5, failed: 0 });
    await until('five instances received', () => ws.received.studies().some((s) => s.studyInstanceUid === study && s.instances === 5));
    const studies = (await ws.invoke('received:studies', undefined) as { value: { studyInstanceUid: string; patientName?: string; modalities: string[]; instances: number; folder?: string }[] }).value;
    expect(studies.find((s) => s.studyInstanceUid === study)).toMatchObject({ patientName: 'DOE^JANE', modalities: ['CT'], instances: 5, folder: join(work, 'data', 'received', study) });
    expect(events.filter((e) => e.channel === 'instance:received').length).toBeGreaterThanOrEqual(5);
    // Opening a study's folder names the study, never a path; browser mode says where it is instead.
    expect(await ws.invoke('folder:open', { studyInstanceUid: study })).toEqual({ ok: false, error: `Opening folders needs the desktop app; the study is in ${join(work, 'data', 'received', study)}` });
    expect(await ws.invoke('folder:open', { studyInstanceUid: '1.2.3' })).toMatchObject({ ok: false, error: expect.stringMatching(/No received study 1\.2\.3/) });
  });

  it('the activity log keeps one copy of the contexts that associations negotiated alike', async () => {
    // storescu proposes ~128 contexts each time: 5 000 entries with a copy each held ~100 MB.
    const from = ws.activity.list({ outcome: 'accepted' }).length;
    for (let i = 0; i < 2; i++) expect((await ws.invoke('verify:peer', { id: self.id })).ok).toBe(true);
    await until('both associations logged', () => ws.activity.list({ outcome: 'accepted' }).length >= from + 2);
    const [a, b] = ws.activity.list({ outcome: 'accepted' }).slice(-2);
    expect(a!.contexts).toBeDefined();
    expect(b!.contexts).toBe(a!.contexts);
    expect(a!.id).not.toBe(b!.id);
    expect(a!.contexts?.[0]).toMatchObject({ abstractSyntaxName: 'Verification', result: 'acceptance' });
  });

  it('a send of many files: progress at most every 100 ms, every file not stored reported once', async () => {
    // It was one event per file: thousands a second for small files, each an IPC message and a render.
    const src = join(work, 'many');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, '000-notes.txt'), 'not DICOM');
    const first = join(src, 'f000.dcm');
    makeInstance(first, { pixelBytes: 64, seed: 9 });
    for (let i = 1; i < 400; i++) copyFileSync(first, join(src, `f${String(i).padStart(3, '0')}.dcm`));
    const from = events.length;
    const started = performance.now();
    const r = await ws.invoke('send:start', { peerId: self.id, paths: [src] });
    const sendId = (r as { value: { sendId: string } }).value.sendId;
    const mine = () => events.slice(from).filter((e) => e.channel === 'send:progress' && (e.payload as SendProgress).sendId === sendId).map((e) => e.payload as SendProgress);
    await until('the send finished', () => mine().some((p) => p.finished));
    const elapsed = performance.now() - started;
    const progress = mine();
    expect(progress.at(-1)?.finished).toMatchObject({ ok: true, stored: 400, skipped: 1 });
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(elapsed / PROGRESS_MS) + 2);
    expect(progress.length).toBeLessThan(400);
    expect(progress.flatMap((p) => p.problems ?? [])).toEqual([{ path: join(src, '000-notes.txt'), outcome: 'skipped', detail: expect.stringMatching(/DICM|not a DICOM/) }]);
  });

  it('a port in use: the node does not run and says why in plain words', async () => {
    const blocker = createServer();
    const busy = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    try {
      const r = await ws.invoke('node:configure', { ...ws.settings.settings.localNode, port: busy });
      expect(r).toMatchObject({ ok: true, value: { running: false, error: expect.stringMatching(new RegExp(`Port ${busy} is already in use`)) } });
    } finally {
      blocker.close();
    }
    const back = await ws.invoke('node:configure', { ...ws.settings.settings.localNode, port });
    expect(back).toMatchObject({ ok: true, value: { running: false } });
    expect(await ws.invoke('node:start', undefined)).toMatchObject({ ok: true, value: { running: true } });
  });
});
