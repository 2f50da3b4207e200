// Settings on disk: defaults when there is no file, atomic saves, and a broken file kept aside with
// a message that says why, never overwritten.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SettingsError, SettingsStore } from '../../src-main/app/settings-store';
import { DEFAULT_SETTINGS } from '../../src-shared/settings-schema';

const work = mkdtempSync(join(tmpdir(), 'dicomnet-settings-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const dir = join(work, `d${++n}`);
  return { dir, path: join(dir, 'settings.json') };
};

describe('SettingsStore', () => {
  it('no file: the defaults, and nothing written until a save', () => {
    const { path } = fresh();
    const s = new SettingsStore(path);
    expect(s.settings).toEqual(DEFAULT_SETTINGS);
    expect(s.problem).toBeUndefined();
    expect(existsSync(path)).toBe(false);
  });

  it('saves validated settings, reads them back, and tells listeners', () => {
    const { path } = fresh();
    const s = new SettingsStore(path);
    const seen: unknown[] = [];
    s.on('changed', (x) => seen.push(x));
    s.update((x) => ({ ...x, localNode: { ...x.localNode, aeTitle: 'WS1', port: 4242 } }));
    expect(new SettingsStore(path).settings.localNode).toMatchObject({ aeTitle: 'WS1', port: 4242 });
    expect(seen).toHaveLength(1);
    expect(readdirSync(join(path, '..'))).toEqual(['settings.json']); // no temporary file left
  });

  it('refuses to save invalid settings, naming the field, and keeps the file as it was', () => {
    const { path } = fresh();
    const s = new SettingsStore(path);
    s.save(DEFAULT_SETTINGS);
    const before = readFileSync(path, 'utf8');
    expect(() => s.update((x) => ({ ...x, localNode: { ...x.localNode, port: 0 } }))).toThrow(SettingsError);
    expect(() => s.update((x) => ({ ...x, localNode: { ...x.localNode, port: 0 } }))).toThrow(/localNode\.port: must be a whole number/);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it.each([
    ['not JSON', '{ "localNode": ', /is not valid JSON/],
    ['not valid', JSON.stringify({ localNode: { port: 'eleven' } }), /does not validate: localNode\.port: must be a whole number/],
  ])('a file that is %s is kept aside, with a message; the defaults are used', (_what, content, why) => {
    const { dir, path } = fresh();
    new SettingsStore(path).save(DEFAULT_SETTINGS);
    writeFileSync(path, content);
    const s = new SettingsStore(path);
    expect(s.settings).toEqual(DEFAULT_SETTINGS);
    expect(s.problem).toMatch(why);
    const aside = readdirSync(dir).filter((f) => f.startsWith('settings.json.broken-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!), 'utf8')).toBe(content);
    expect(s.problem).toContain(aside[0]);
    expect(existsSync(path)).toBe(false);
  });
});
