// Which files `dicomnet store` and the Send page take from the given paths: every regular file under
// them, folders walked recursively in name order, links followed, and what cannot be read reported.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { walk } from '../../src-main/app/send';

const root = mkdtempSync(join(tmpdir(), 'dicomnet-walk-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('walk', () => {
  it('lists files under folders in name order, follows links to files and folders, reports broken links', () => {
    const study = join(root, 'study');
    mkdirSync(join(study, 'series-b'), { recursive: true });
    mkdirSync(join(study, 'series-a'));
    for (const f of ['series-b/2.dcm', 'series-b/10.dcm', 'series-a/x.dcm', 'README']) writeFileSync(join(study, f), f);
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'linked.dcm'), 'l');
    symlinkSync(join(elsewhere, 'linked.dcm'), join(study, 'series-a', 'y-link.dcm'));
    symlinkSync(elsewhere, join(study, 'z-folder-link'));
    symlinkSync(join(root, 'missing'), join(study, 'series-a', 'broken.dcm'));

    const problems: [string, string][] = [];
    const files = [...walk([study, join(root, 'no-such-path')], (p, why) => problems.push([p, why]))];
    expect(files).toEqual([
      join(study, 'README'),
      join(study, 'series-a', 'x.dcm'),
      join(study, 'series-a', 'y-link.dcm'),
      join(study, 'series-b', '10.dcm'),
      join(study, 'series-b', '2.dcm'),
      join(study, 'z-folder-link', 'linked.dcm'),
    ]);
    expect(problems).toEqual([
      [join(study, 'series-a', 'broken.dcm'), 'cannot read (ENOENT)'],
      [join(root, 'no-such-path'), 'cannot read (ENOENT)'],
    ]);
  });

  it('walks each folder once: a link back up the tree, or a second link to a folder, is reported, not followed', () => {
    const top = join(root, 'looped');
    mkdirSync(join(top, 'series'), { recursive: true });
    for (const f of ['series/1.dcm', 'series/2.dcm']) writeFileSync(join(top, f), f);
    symlinkSync('..', join(top, 'series', 'up')); // back to `top`
    symlinkSync(join(top, 'series'), join(top, 'series-again'));
    const problems: [string, string][] = [];
    const files = [...walk([top, join(top, 'series')], (p, why) => problems.push([p, why]))];
    expect(files).toEqual([join(top, 'series', '1.dcm'), join(top, 'series', '2.dcm')]);
    expect(problems.map(([p]) => p)).toEqual([join(top, 'series', 'up'), join(top, 'series-again'), join(top, 'series')]);
    for (const [, why] of problems) expect(why).toMatch(/already walked/);
  });

  it('reports what is not a regular file (a device, a named pipe) instead of passing over it in silence', () => {
    const dir = join(root, 'odd');
    mkdirSync(dir);
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    const problems: [string, string][] = [];
    expect([...walk(['/dev/null', dir], (p, why) => problems.push([p, why]))]).toEqual([]);
    expect(problems).toEqual([['/dev/null', 'not a regular file (a device)'], [join(dir, 'pipe'), 'not a regular file (a named pipe)']]);
  });

  it('a file given directly is taken as it is', () => {
    const f = join(root, 'single.dcm');
    writeFileSync(f, 's');
    expect([...walk([f], () => undefined)]).toEqual([f]);
  });
});
