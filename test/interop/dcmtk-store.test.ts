// Interop with DCMTK for storage: storescu sends to our `dicomnet scp --storage`, our `dicomnet store`
// sends to storescp; plain and TLS. storescu runs with -R (propose each file's own transfer syntax) and
// -xs (it proposes JPEG only when told; -xs is JPEG Lossless SV1); storescp with +xa (accept all).
// The test files use explicit-length sequences: DCMTK re-encodes undefined-length ones (its choice,
// on both its sides), which would make byte-for-byte comparison meaningless. The received data sets must equal the sent ones byte for byte
// (pixel data included) and element by element as dcmdump reads them.

import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferSource } from '../../src-main/dicomnet/part10/byte-source';
import { readPart10Header } from '../../src-main/dicomnet/part10/file-meta';
import { TransferSyntax } from '../../src-main/dicomnet/part10/transfer-syntax';
import { cliBuilt, runCli, startCliScp, type RunningScp } from '../cli/run-cli';
import { makeTestPki, type TestPki } from '../helpers/certs';
import { killAllDcmtk, requireDcmtk, runDcmtk, startStorescp } from '../helpers/dcmtk';
import { CT_IMAGE, makeInstance, type MadeInstance } from '../helpers/dicom-files';

const haveDcmtk = requireDcmtk('DCMTK storage interop');
const work = mkdtempSync(join(tmpdir(), 'dicomnet-interop-store-'));

afterAll(() => {
  killAllDcmtk();
  rmSync(work, { recursive: true, force: true });
});

function dataSet(path: string): Buffer {
  const bytes = readFileSync(path);
  return bytes.subarray(readPart10Header(bufferSource(bytes)).dataSetOffset);
}

let dumps = 0;

/**
 * dcmdump of the data set (no meta group), one line per element as DCMTK reads it, and the pixel
 * data as DCMTK decodes it to bytes (+W writes it to a file; the dump then names that file).
 */
async function dump(path: string): Promise<{ lines: string[]; pixels: Buffer[] }> {
  const dir = join(work, `dump-${++dumps}`);
  mkdirSync(dir);
  const r = await runDcmtk('dcmdump', ['-q', '+W', dir, path]);
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.split('\n').filter((l) => /^\s*\(/.test(l) && !/^\(0002,/.test(l))
    .map((l) => l.replace(/\s+#.*$/, '').replace(/^(\s*\((7fe0,0010|fffe,e000)\) (O[BW]|pi)) =.*$/, '$1 =<raw file>'));
  const pixels = readdirSync(dir).sort().map((f) => readFileSync(join(dir, f)));
  rmSync(dir, { recursive: true });
  return { lines, pixels };
}

/** Every Part 10 file under dir, by SOP instance UID. */
function receivedBySop(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (!e.name.endsWith('.part')) out.set(readPart10Header(bufferSource(readFileSync(p))).mediaStorageSopInstanceUid, p);
    }
  };
  visit(dir);
  return out;
}

/**
 * Every sent instance arrived: element by element as dcmdump reads it, pixel data byte for byte as
 * DCMTK decodes it, and, when it arrived in the file's own transfer syntax (`sameSyntax`: the sender
 * did not convert it), the whole data set byte for byte.
 */
async function expectSame(sent: readonly { sopInstanceUid: string; path: string }[], received: Map<string, string>, sameSyntax: boolean): Promise<void> {
  expect([...received.keys()].sort()).toEqual(sent.map((m) => m.sopInstanceUid).sort());
  for (const m of sent) {
    const path = received.get(m.sopInstanceUid)!;
    const [got, want] = [await dump(path), await dump(m.path)];
    expect(got.lines).toEqual(want.lines);
    expect(got.pixels.length).toBe(want.pixels.length);
    got.pixels.forEach((p, i) => expect(p.equals(want.pixels[i]!), `pixel data of ${m.sopInstanceUid}`).toBe(true));
    if (sameSyntax) {
      expect(readPart10Header(bufferSource(readFileSync(path))).transferSyntaxUid).toBe(readPart10Header(bufferSource(readFileSync(m.path))).transferSyntaxUid);
      expect(dataSet(path).equals(dataSet(m.path)), `data set bytes of ${m.sopInstanceUid}`).toBe(true);
    }
  }
}

describe.runIf(haveDcmtk && cliBuilt())('interop with DCMTK: C-STORE', () => {
  let pki: TestPki;
  let scp: RunningScp;
  let storage: string;
  const sent: MadeInstance[] = [];
  const src = join(work, 'src');

  beforeAll(async () => {
    pki = await makeTestPki();
    storage = join(work, 'scp-storage');
    mkdirSync(src, { recursive: true });
    sent.push(
      makeInstance(join(src, 'explicit.dcm'), { transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian, pixelBytes: 300_000, seed: 1, sequenceLength: 'explicit' }),
      makeInstance(join(src, 'implicit.dcm'), { transferSyntaxUid: TransferSyntax.ImplicitVRLittleEndian, pixelBytes: 100_000, seed: 2, sopClassUid: CT_IMAGE, sequenceLength: 'explicit' }),
      makeInstance(join(src, 'jpeg.dcm'), { transferSyntaxUid: TransferSyntax.JPEGLosslessSV1, pixelBytes: 50_001, seed: 3, sequenceLength: 'explicit' }),
      makeInstance(join(src, 'big.dcm'), { transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian, pixelBytes: 20 * 1024 * 1024, seed: 4, sequenceLength: 'explicit' }),
    );
    scp = await startCliScp(['--aet', 'DICOMNET', '--host', '127.0.0.1', '--port', '0', '--storage', storage,
      '--tls-port', '0', '--cert', pki.server.certFile, '--key', pki.server.keyFile, '--ca', pki.ca.certFile], 2);
  }, 60_000);

  afterAll(async () => {
    await scp?.stop();
  });

  it('storescu -> dicomnet scp --storage: the same elements and pixels arrive, byte for byte where storescu kept the syntax', async () => {
    const r = await runDcmtk('storescu', ['-aet', 'STORESCU', '-aec', 'DICOMNET', '-xs', '-R', '+sd', '127.0.0.1', String(scp.ports.plain), src], 30_000);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    // storescu proposes explicit VR first and converts the implicit file itself: not byte-comparable.
    await expectSame(sent, receivedBySop(storage), false);
    const received = receivedBySop(storage);
    for (const m of [sent[0]!, sent[2]!, sent[3]!]) expect(dataSet(received.get(m.sopInstanceUid)!).equals(dataSet(m.path))).toBe(true);
    expect(scp.stderr()).toMatch(/STORESCU -> DICOMNET accepted/);
    expect(scp.stderr()).toMatch(/stored .* -> .*\.dcm/);
  }, 60_000);

  it('storescu --abort (an A-ABORT instead of a release after its files): stored, and the log says how far it got', async () => {
    const r = await runDcmtk('storescu', ['--abort', '-aet', 'ABORTER', '-aec', 'DICOMNET', '127.0.0.1', String(scp.ports.plain), sent[0]!.path, sent[1]!.path], 30_000);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    await expect.poll(() => scp.stderr(), { timeout: 5000 }).toMatch(/ABORTER -> DICOMNET aborted: peer: .* \(after 2 request\(s\) served\) \(\d+ ms\)/);
    expect(receivedBySop(storage).has(sent[1]!.sopInstanceUid)).toBe(true);
  }, 60_000);

  it('storescu +tls -> dicomnet scp (TLS port): stored unchanged', async () => {
    rmSync(storage, { recursive: true, force: true });
    mkdirSync(storage, { recursive: true });
    const r = await runDcmtk('storescu', ['+tls', pki.client.keyFile, pki.client.certFile, '+cf', pki.ca.certFile,
      '-aet', 'STORESCU', '-aec', 'DICOMNET', '-xs', '-R', '+sd', '127.0.0.1', String(scp.ports.tls), src], 30_000);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    await expectSame(sent, receivedBySop(storage), false);
  }, 60_000);

  it('dicomnet store -> storescp: every data set arrives unchanged; exit 0 and a summary', async () => {
    const out = join(work, 'storescp-out');
    mkdirSync(out, { recursive: true });
    const storescp = await startStorescp(['-aet', 'STORESCP', '+xa', '-od', out]);
    try {
      const r = await runCli(['store', '127.0.0.1', String(storescp.port), src, '--aec', 'STORESCP', '--aet', 'DICOMNET'], 30_000);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/C-STORE -> STORESCP@127\.0\.0\.1:\d+: 4 stored, 0 failed, 0 skipped/);
      await expectSame(sent, receivedBySop(out), true);
    } finally {
      await storescp.stop();
    }
  }, 60_000);

  it('dicomnet store --tls -> storescp +tls (mutual): stored unchanged', async () => {
    const out = join(work, 'storescp-tls-out');
    mkdirSync(out, { recursive: true });
    const storescp = await startStorescp(['-aet', 'STORESCP', '+xa', '-od', out, '+tls', pki.server.keyFile, pki.server.certFile, '+cf', pki.ca.certFile], { tls: true });
    try {
      const r = await runCli(['store', '127.0.0.1', String(storescp.port), src, '--aec', 'STORESCP', '--json',
        '--tls', '--ca', pki.ca.certFile, '--cert', pki.client.certFile, '--key', pki.client.keyFile], 30_000);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; outcome?: string; stored?: number });
      expect(lines.filter((l) => l.type === 'file').map((l) => l.outcome)).toEqual(['stored', 'stored', 'stored', 'stored']);
      expect(lines.at(-1)).toMatchObject({ type: 'summary', ok: true, stored: 4 });
      await expectSame(sent, receivedBySop(out), true);
    } finally {
      await storescp.stop();
    }
  }, 60_000);

  it('dicomnet store of bare data sets written by dcmconv -F (implicit and explicit VR) -> storescp: the same elements and pixels arrive', async () => {
    const bare = join(work, 'bare');
    mkdirSync(bare, { recursive: true });
    for (const [ts, name] of [['+ti', 'implicit'], ['+te', 'explicit']] as const) {
      const c = await runDcmtk('dcmconv', ['-F', ts, sent[0]!.path, join(bare, name)], 30_000);
      expect(c.code, c.stderr).toBe(0);
      expect(readFileSync(join(bare, name)).readUInt16LE(0)).toBe(0x0008);
    }
    const out = join(work, 'storescp-bare');
    mkdirSync(out, { recursive: true });
    const storescp = await startStorescp(['-aet', 'STORESCP', '-od', out]);
    try {
      const r = await runCli(['store', '127.0.0.1', String(storescp.port), join(bare, 'implicit'), '--aec', 'STORESCP'], 30_000);
      expect(r.code, r.stderr).toBe(0);
      await expectSame([sent[0]!], receivedBySop(out), false);
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out, { recursive: true });
      const e = await runCli(['store', '127.0.0.1', String(storescp.port), join(bare, 'explicit'), '--aec', 'STORESCP'], 30_000);
      expect(e.code, e.stderr).toBe(0);
      await expectSame([sent[0]!], receivedBySop(out), false);
    } finally {
      await storescp.stop();
    }
  }, 60_000);

  it('dicomnet store of a disc folder with a DICOMDIR made by dcmmkdir: the DICOMDIR skipped with the reason, the image stored, exit 0', async () => {
    const disc = join(work, 'disc');
    mkdirSync(join(disc, 'IMG'), { recursive: true });
    copyFileSync(sent[0]!.path, join(disc, 'IMG', 'IM1'));
    const mk = await runDcmtk('dcmmkdir', ['+id', disc, '+D', join(disc, 'DICOMDIR'), '+I', '+r', 'IMG'], 30_000);
    expect(mk.code, mk.stderr).toBe(0);
    const out = join(work, 'storescp-disc');
    mkdirSync(out, { recursive: true });
    const storescp = await startStorescp(['-aet', 'STORESCP', '-od', out]);
    try {
      const r = await runCli(['store', '127.0.0.1', String(storescp.port), disc, '--aec', 'STORESCP'], 30_000);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/: 1 stored, 0 failed, 1 skipped/);
      expect(r.stdout + r.stderr).toMatch(/skipped .*DICOMDIR: a DICOMDIR \(the index of a CD or DVD/);
      expect([...receivedBySop(out).keys()]).toEqual([sent[0]!.sopInstanceUid]);
    } finally {
      await storescp.stop();
    }
  }, 60_000);

  it('dicomnet store -> storescp +xi (implicit VR only): the explicit VR file is converted on the fly, the same elements and pixels arrive', async () => {
    const out = join(work, 'storescp-implicit');
    mkdirSync(out, { recursive: true });
    const storescp = await startStorescp(['-aet', 'STORESCP', '+xi', '-od', out]);
    try {
      const r = await runCli(['store', '127.0.0.1', String(storescp.port), sent[0]!.path, '--aec', 'STORESCP', '--json'], 30_000);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.split('\n')[0]!)).toMatchObject({ outcome: 'stored', transcoded: true, transferSyntaxUid: TransferSyntax.ImplicitVRLittleEndian });
      const received = receivedBySop(out);
      expect(readPart10Header(bufferSource(readFileSync(received.get(sent[0]!.sopInstanceUid)!))).transferSyntaxUid).toBe(TransferSyntax.ImplicitVRLittleEndian);
      await expectSame([sent[0]!], received, false);
    } finally {
      await storescp.stop();
    }
  }, 60_000);

  it('storescu sends a big endian file and a deflated one (made by dcmconv): the same elements and pixels arrive', async () => {
    const odd = join(work, 'odd');
    mkdirSync(odd, { recursive: true });
    const be = join(odd, 'be.dcm');
    const df = join(odd, 'deflated.dcm');
    expect((await runDcmtk('dcmconv', ['+tb', sent[0]!.path, be])).code).toBe(0);
    expect((await runDcmtk('dcmconv', ['+td', sent[1]!.path, df])).code).toBe(0);
    rmSync(storage, { recursive: true, force: true });
    mkdirSync(storage, { recursive: true });
    const r = await runDcmtk('storescu', ['-aec', 'DICOMNET', '-R', '127.0.0.1', String(scp.ports.plain), be, df], 30_000);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    // storescu converts both to what it proposes first: compared element by element and pixel by pixel.
    await expectSame([{ sopInstanceUid: sent[0]!.sopInstanceUid, path: be }, { sopInstanceUid: sent[1]!.sopInstanceUid, path: df }], receivedBySop(storage), false);
  }, 60_000);
});
