// Cancelling a send while its paths are still being read: the walk and the scan are synchronous,
// and from a slow share they take minutes; they hand the event loop back every few milliseconds,
// so that Ctrl-C or the GUI's Cancel is heard and the desktop app's own node keeps serving. Before,
// the cancel was seen only after every file had been scanned.

import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sendFiles, type FileOutcome } from '../../src-main/app/send';
import { makeInstance } from '../helpers/dicom-files';

const root = mkdtempSync(join(tmpdir(), 'dicomnet-send-cancel-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a send cancelled during the scan', () => {
  it('stops reading the paths, sends nothing and reports the files it had found as cancelled', async () => {
    const total = 6000;
    const dir = join(root, 'many');
    mkdirSync(dir);
    const first = join(dir, 'f00000.dcm');
    makeInstance(first, { pixelBytes: 64 });
    for (let i = 1; i < total; i++) copyFileSync(first, join(dir, `f${String(i).padStart(5, '0')}.dcm`));

    const controller = new AbortController();
    // Runs at the scan's first pause: never, before, until every file had been read.
    setImmediate(() => controller.abort('SIGINT'));
    let planned: number | undefined;
    const outcomes: FileOutcome[] = [];
    const summary = await sendFiles({
      host: '127.0.0.1', port: 9, callingAeTitle: 'A', calledAeTitle: 'B', timeoutMs: 5000,
      paths: [dir], signal: controller.signal,
      onPlan: (p) => { planned = p.files; },
      onFile: (r) => outcomes.push(r),
    });
    expect(planned).toBeGreaterThan(0);
    expect(planned).toBeLessThan(total);
    expect(summary).toMatchObject({ ok: false, stored: 0, associations: 0, files: planned, failed: planned });
    expect(outcomes.length).toBe(planned);
    expect(outcomes.every((r) => r.outcome === 'failed' && r.detail === 'cancelled')).toBe(true);
  });
});
