// Storage over loopback, our SCU against our SCP: every transfer syntax family stored byte for byte,
// many instances on one association, a 200 MB instance streamed, TLS, duplicates, an abort in the
// middle (no file left), conversion between implicit and explicit VR, and bad data sets.

import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import dcmjs from 'dcmjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendFiles, type FileOutcome } from '../../src-main/app/send';
import { DicomAssociate } from '../../src-main/dicomnet/association';
import { DicomNet } from '../../src-main/dicomnet/dicom-net';
import { CommandField } from '../../src-main/dicomnet/dimse/command-fields';
import { echoHandlers } from '../../src-main/dicomnet/services/echo';
import { DicomScp } from '../../src-main/dicomnet/services/scp';
import { StorageService, storageContexts, type DuplicatePolicy, type ReceivedInstance, type StoreFailure } from '../../src-main/dicomnet/services/storage/store-scp';
import { readPart10Header } from '../../src-main/dicomnet/part10/file-meta';
import { bufferSource } from '../../src-main/dicomnet/part10/byte-source';
import { TransferSyntax } from '../../src-main/dicomnet/part10/transfer-syntax';
import { makeTestPki, type TestPki } from '../helpers/certs';
import { scriptedServer } from '../helpers/scripted-peer';
import { encodePdu } from '../../src-main/dicomnet/pdu/encode';
import type { AAssociateRq } from '../../src-main/dicomnet/pdu/types';
import { CT_IMAGE, makeInstance, newUid, SECONDARY_CAPTURE, type MadeInstance } from '../helpers/dicom-files';

const work = mkdtempSync(join(tmpdir(), 'dicomnet-store-'));
const scps: DicomScp[] = [];

afterAll(async () => {
  await Promise.all(scps.splice(0).map((s) => s.stop(0)));
  rmSync(work, { recursive: true, force: true });
});

let dirCount = 0;
function freshDir(name: string): string {
  const d = join(work, `${name}-${++dirCount}`);
  mkdirSync(d, { recursive: true });
  return d;
}

interface Node {
  readonly port: number;
  readonly tlsPort?: number;
  readonly folder: string;
  readonly instances: ReceivedInstance[];
  readonly failures: StoreFailure[];
  readonly scp: DicomScp;
}

async function startNode(opts: { duplicates?: DuplicatePolicy; contexts?: Map<string, readonly string[]>; pki?: TestPki; window?: number } = {}): Promise<Node> {
  const folder = freshDir('scp');
  const storage = new StorageService({ folder, duplicates: opts.duplicates });
  const handlers = new Map(echoHandlers);
  handlers.set(CommandField.CStoreRq, storage.handler);
  const listeners: { host: string; port: number; tls?: { cert: string; key: string; ca: string[] } }[] = [{ host: '127.0.0.1', port: 0 }];
  if (opts.pki) listeners.push({ host: '127.0.0.1', port: 0, tls: { cert: opts.pki.server.certPem, key: opts.pki.server.keyPem, ca: [opts.pki.ca.certPem] } });
  const scp = new DicomScp({
    aeTitle: 'STORE-SCP',
    listeners,
    supportedContexts: opts.contexts ?? storageContexts(),
    handlers,
    dataSinks: storage.sinks,
    preferProposedTransferSyntax: true,
    asynchronousOperationsWindow: opts.window ? { maxOperationsInvoked: 1, maxOperationsPerformed: opts.window } : undefined,
  });
  scps.push(scp);
  const instances: ReceivedInstance[] = [];
  const failures: StoreFailure[] = [];
  storage.on('instance', (i) => instances.push(i));
  storage.on('failure', (f) => failures.push(f));
  const addresses = await scp.start();
  return { port: addresses[0]!.port, tlsPort: addresses[1]?.port, folder, instances, failures, scp };
}

function send(port: number, paths: string[], extra: Partial<Parameters<typeof sendFiles>[0]> = {}) {
  const files: FileOutcome[] = [];
  return sendFiles({
    host: '127.0.0.1', port, callingAeTitle: 'SENDER', calledAeTitle: 'STORE-SCP', timeoutMs: 20_000, paths,
    onFile: (r) => files.push(r), ...extra,
  }).then((summary) => ({ summary, files }));
}

/** The data set part of a Part 10 file (after its meta group). */
function dataSetOf(path: string): Buffer {
  const bytes = readFileSync(path);
  return bytes.subarray(readPart10Header(bufferSource(bytes)).dataSetOffset);
}

function storedPath(folder: string, m: MadeInstance): string {
  return join(folder, m.studyInstanceUid, m.seriesInstanceUid, `${m.sopInstanceUid}.dcm`);
}

/** Every file under `dir`, relative. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) visit(p);
      else out.push(relative(dir, p));
    }
  };
  visit(dir);
  return out.sort();
}

function sha256File(path: string, skip = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path, { start: skip }).on('data', (c) => h.update(c)).on('end', () => resolve(h.digest('hex'))).on('error', reject);
  });
}

describe('storage: our SCU to our SCP', () => {
  let node: Node;
  beforeAll(async () => { node = await startNode(); });

  it('stores native, deflated and encapsulated instances byte for byte, with a correct meta group', async () => {
    const src = freshDir('src');
    const made = [
      makeInstance(join(src, 'a.dcm'), { transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian, pixelBytes: 10_000, seed: 1 }),
      makeInstance(join(src, 'b.dcm'), { transferSyntaxUid: TransferSyntax.ImplicitVRLittleEndian, pixelBytes: 7_000, seed: 2 }),
      makeInstance(join(src, 'c.dcm'), { transferSyntaxUid: TransferSyntax.DeflatedExplicitVRLittleEndian, pixelBytes: 5_000, seed: 3 }),
      makeInstance(join(src, 'd.dcm'), { transferSyntaxUid: TransferSyntax.JPEGBaseline8Bit, pixelBytes: 3_001, seed: 4, sopClassUid: CT_IMAGE }),
      makeInstance(join(src, 'e.dcm'), { transferSyntaxUid: TransferSyntax.JPEG2000Lossless, pixelBytes: 9_000, seed: 5 }),
    ];
    const { summary, files } = await send(node.port, [src]);
    expect(files.map((f) => f.outcome)).toEqual(['stored', 'stored', 'stored', 'stored', 'stored']);
    expect(summary).toMatchObject({ ok: true, stored: 5, failed: 0, skipped: 0, associations: 1 });
    for (const m of made) {
      const path = storedPath(node.folder, m);
      expect(existsSync(path), path).toBe(true);
      expect(dataSetOf(path).equals(dataSetOf(m.path))).toBe(true);
      const meta = readPart10Header(bufferSource(readFileSync(path)));
      expect(meta).toMatchObject({
        transferSyntaxUid: m.transferSyntaxUid,
        mediaStorageSopClassUid: m.sopClassUid,
        mediaStorageSopInstanceUid: m.sopInstanceUid,
        sourceApplicationEntityTitle: 'SENDER',
        implementationVersionName: 'DICOMNET_010',
      });
    }
    const received = node.instances.filter((i) => made.some((m) => m.sopInstanceUid === i.sopInstanceUid));
    expect(received).toHaveLength(5);
    expect(received[0]).toMatchObject({ callingAeTitle: 'SENDER', patientName: 'TEST^PATIENT', patientId: 'ID0001', modality: 'OT' });
    expect(received.every((i) => i.path !== undefined && i.bytes > 0)).toBe(true);
    // No temporary files remain.
    expect(listFiles(node.folder).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('sends 150 instances over one association and reports non-DICOM files as skipped', async () => {
    const src = freshDir('many');
    const study = newUid();
    const series = newUid();
    for (let i = 0; i < 150; i++) makeInstance(join(src, `f${String(i).padStart(3, '0')}.dcm`), { studyInstanceUid: study, seriesInstanceUid: series, pixelBytes: 2000, seed: i });
    writeFileSync(join(src, 'readme.txt'), 'not dicom');
    const { summary, files } = await send(node.port, [src]);
    expect(summary).toMatchObject({ ok: true, stored: 150, skipped: 1, failed: 0, associations: 1 });
    expect(files.find((f) => f.outcome === 'skipped')?.detail).toMatch(/not a DICOM file/);
    expect(readdirSync(join(node.folder, study, series))).toHaveLength(150);
  });

  it('outcomes are reported in order; a throwing onFile neither stops the send nor loses the other outcomes', async () => {
    const src = freshDir('listener');
    const made = Array.from({ length: 6 }, (_, i) => makeInstance(join(src, `o${i}.dcm`), { pixelBytes: 1000, seed: i }));
    const seen: string[] = [];
    const sent = send(node.port, [src], {
      onFile: (r) => {
        seen.push(r.path);
        if (r.path.endsWith('o2.dcm')) throw new Error('progress listener bug');
      },
    });
    await expect(sent).rejects.toThrow('progress listener bug');
    expect(seen).toEqual(made.map((m) => m.path));
    for (const m of made) expect(existsSync(storedPath(node.folder, m)), m.path).toBe(true);
  });

  it('with an asynchronous operations window, several C-STOREs are under way at once and all are stored', async () => {
    const windowed = await startNode({ window: 4 });
    const src = freshDir('window');
    const made = Array.from({ length: 40 }, (_, i) => makeInstance(join(src, `w${String(i).padStart(2, '0')}.dcm`), { pixelBytes: 20_000 + i * 1000, seed: i }));
    // Operations under way at the SCP when each request arrives: received, not yet answered.
    let requests = 0;
    let most = 0;
    windowed.scp.on('request', (_a, m) => {
      if (m.command.commandField !== CommandField.CStoreRq) return;
      requests++;
      most = Math.max(most, requests - (windowed.instances.length + windowed.failures.length));
    });
    const { summary } = await send(windowed.port, [src]);
    expect(summary).toMatchObject({ ok: true, stored: 40, associations: 1 });
    for (const m of made) expect(dataSetOf(storedPath(windowed.folder, m)).equals(dataSetOf(m.path))).toBe(true);
    // With a window of 1 this is 1: the next request only comes after the previous response.
    expect(most).toBeGreaterThanOrEqual(2);
    expect(most).toBeLessThanOrEqual(5);
  });

  it('streams a 200 MB instance: the stored file equals the sent one', async () => {
    const src = freshDir('big');
    const m = makeInstance(join(src, 'big.dcm'), { pixelBytes: 200 * 1024 * 1024, seed: 9 });
    const { summary } = await send(node.port, [m.path]);
    expect(summary).toMatchObject({ ok: true, stored: 1 });
    const path = storedPath(node.folder, m);
    const srcOffset = readPart10Header(bufferSource(readFileSync(m.path).subarray(0, 4096))).dataSetOffset;
    const dstOffset = readPart10Header(bufferSource(readFileSync(path).subarray(0, 4096))).dataSetOffset;
    expect(statSync(path).size - dstOffset).toBe(statSync(m.path).size - srcOffset);
    expect(await sha256File(path, dstOffset)).toBe(await sha256File(m.path, srcOffset));
    rmSync(src, { recursive: true });
    rmSync(path);
  }, 120_000);
});

describe('storage: duplicates, aborts, conversion', () => {
  it.each<[DuplicatePolicy, number, string]>([
    ['overwrite', 1, 'stored'],
    ['keep', 2, 'stored'],
    ['reject', 1, 'failed'],
  ])('duplicates=%s: %d file(s) after sending the same instance twice, second %s', async (policy, count, second) => {
    const node = await startNode({ duplicates: policy });
    const src = freshDir('dup');
    const uid = newUid();
    const study = newUid();
    const series = newUid();
    const first = makeInstance(join(src, '1.dcm'), { sopInstanceUid: uid, studyInstanceUid: study, seriesInstanceUid: series, seed: 1 });
    makeInstance(join(src, '2.dcm'), { sopInstanceUid: uid, studyInstanceUid: study, seriesInstanceUid: series, seed: 2 });
    const r1 = await send(node.port, [join(src, '1.dcm')]);
    const r2 = await send(node.port, [join(src, '2.dcm')]);
    expect(r1.files[0]!.outcome).toBe('stored');
    expect(r2.files[0]!.outcome).toBe(second);
    const stored = readdirSync(join(node.folder, study, series)).sort();
    expect(stored).toHaveLength(count);
    const kept = dataSetOf(storedPath(node.folder, first));
    // overwrite: the second one's bytes; keep/reject: the first one's.
    expect(kept.equals(dataSetOf(join(src, policy === 'overwrite' ? '2.dcm' : '1.dcm')))).toBe(true);
    if (policy === 'reject') expect(r2.files[0]).toMatchObject({ status: 0x0111, detail: '0x0111 Duplicate SOP instance (already stored, and duplicates are refused)' });
    if (policy === 'keep') expect(stored).toEqual([`${uid}.dcm`, `${uid}_2.dcm`]);
  });

  it('an association aborted in the middle of a transfer leaves no file behind', async () => {
    const node = await startNode();
    const src = freshDir('abort');
    const m = makeInstance(join(src, 'big.dcm'), { pixelBytes: 120 * 1024 * 1024, seed: 3 });
    const controller = new AbortController();
    // Abort as soon as the SCP has started writing the temporary file (bounded polling).
    const watcher = (async () => {
      for (let i = 0; i < 2000; i++) {
        if (readdirSync(node.folder).some((f) => f.endsWith('.part'))) {
          controller.abort();
          return true;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      return false;
    })();
    const { summary, files } = await send(node.port, [m.path], { signal: controller.signal });
    expect(await watcher).toBe(true);
    expect(summary.ok).toBe(false);
    expect(files[0]).toMatchObject({ outcome: 'failed', detail: 'cancelled' });
    // The SCP learns of the abort and deletes the temporary file; nothing at the final name.
    let left: string[] = ['?'];
    for (let i = 0; i < 200 && left.length > 0; i++) {
      left = listFiles(node.folder);
      if (left.length > 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(left).toEqual([]);
    expect(existsSync(storedPath(node.folder, m))).toBe(false);
    expect(node.instances).toHaveLength(0);
  }, 60_000);

  it('converts explicit VR little endian to implicit when the peer accepts only implicit', async () => {
    const node = await startNode({ contexts: new Map([[SECONDARY_CAPTURE, [TransferSyntax.ImplicitVRLittleEndian]]]) });
    const src = freshDir('conv');
    const m = makeInstance(join(src, 'x.dcm'), { transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian, pixelBytes: 3 * 1024 * 1024, seed: 7 });
    const { summary, files } = await send(node.port, [m.path]);
    expect(summary.ok).toBe(true);
    expect(files[0]).toMatchObject({ transcoded: true, transferSyntaxUid: TransferSyntax.ImplicitVRLittleEndian });
    const stored = storedPath(node.folder, m);
    expect(readPart10Header(bufferSource(readFileSync(stored))).transferSyntaxUid).toBe(TransferSyntax.ImplicitVRLittleEndian);
    const read = (p: string) => {
      const b = readFileSync(p);
      const dict = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
      return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict) as Record<string, unknown>;
    };
    const a = read(m.path);
    const b = read(stored);
    expect(b.SOPInstanceUID).toBe(m.sopInstanceUid);
    expect(b.PatientName).toEqual(a.PatientName);
    expect(b.ProcedureCodeSequence).toEqual(a.ProcedureCodeSequence);
    expect(Buffer.from((b.PixelData as ArrayBuffer[])[0]!).equals(Buffer.from((a.PixelData as ArrayBuffer[])[0]!))).toBe(true);
  });

  it('a file that cannot be converted breaks its association only: the files after and beside it go on a new one', async () => {
    // Found by fuzzing sendFiles: the conversion of a corrupt file fails once its command is out,
    // so that association must be aborted; every file after it failed 'not sent' with it.
    const node = await startNode({ contexts: new Map([[SECONDARY_CAPTURE, [TransferSyntax.ImplicitVRLittleEndian]]]), window: 8 });
    const src = freshDir('conv-bad');
    // File 2 is 3 MB, so that its first pieces are on the wire when its conversion fails (one that
    // fails before any of it is written fails alone, the association going on: the next test).
    const size = (i: number) => (i === 2 ? 3_000_000 : 200_000);
    const made = [1, 2, 3, 4, 5, 6].map((i) => makeInstance(join(src, `${i}.dcm`), { transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian, pixelBytes: size(i), seed: i }));
    // After file 2's pixel data comes an element (Data Set Trailing Padding, OB) that claims more
    // bytes than the file holds: its conversion fails with 3 MB of it converted and partly sent.
    // (Its pixel data claiming too much, as found, failed before any of it was written.)
    const trailer = Buffer.alloc(12 + 4);
    trailer.writeUInt16LE(0xfffc, 0);
    trailer.writeUInt16LE(0xfffc, 2);
    trailer.write('OB', 4, 'latin1');
    trailer.writeUInt32LE(0x00ffffff, 8);
    writeFileSync(made[1]!.path, Buffer.concat([readFileSync(made[1]!.path), trailer]));
    const { summary, files } = await send(node.port, [src]);
    expect(summary).toMatchObject({ ok: false, files: 6, stored: 5, failed: 1, associations: 2 });
    expect(files.filter((f) => f.outcome === 'failed')).toEqual([expect.objectContaining({ path: made[1]!.path, detail: expect.stringMatching(/^Reading the data set to send failed: .*The association was aborted\.$/) })]);
    // A file under way beside it may have been stored before the abort and come again (at least
    // once: its response was lost with the association; C-STORE of the same instance overwrites).
    expect([...new Set(node.instances.map((i) => i.sopInstanceUid))].sort()).toEqual(made.filter((_, i) => i !== 1).map((m) => m.sopInstanceUid).sort());
  });

  it('a file removed after the scan fails alone: nothing of it was sent, so the association goes on', async () => {
    // It used to abort the association (as if part of its message were out) and send the rest on
    // a second one: a peer's log showed an A-ABORT for every file moved away from a watch folder.
    const node = await startNode();
    const src = freshDir('removed');
    const made = [1, 2, 3].map((i) => makeInstance(join(src, `${i}.dcm`), { seed: 40 + i }));
    const { summary, files } = await send(node.port, [src], { onPlan: () => rmSync(made[1]!.path) });
    expect(summary).toMatchObject({ ok: false, files: 3, stored: 2, failed: 1, associations: 1 });
    expect(files.find((f) => f.outcome === 'failed')).toMatchObject({ path: made[1]!.path, detail: expect.stringMatching(/ENOENT.*Nothing of it was sent; the association goes on\.$/) });
    expect(node.instances.map((i) => i.sopInstanceUid).sort()).toEqual([made[0]!.sopInstanceUid, made[2]!.sopInstanceUid].sort());
  });

  it('a file whose meta group names a transfer syntax that is not a UID is skipped, and does not sink the others', async () => {
    // Found by fuzzing the scan: the file was taken, its syntax proposed, the A-ASSOCIATE-RQ could
    // not be encoded, and every file of the send failed with it.
    const node = await startNode();
    const src = freshDir('bad-meta');
    const good = [1, 2].map((i) => makeInstance(join(src, `${i}.dcm`), { seed: i }));
    const bad = makeInstance(join(src, '3.dcm'), { seed: 3 });
    const bytes = readFileSync(bad.path);
    const at = bytes.indexOf(TransferSyntax.ExplicitVRLittleEndian, 132, 'latin1');
    expect(at).toBeGreaterThan(0);
    bytes.write('\x01\x02', at + 6, 'latin1');
    writeFileSync(bad.path, bytes);
    const { summary, files } = await send(node.port, [src]);
    expect(summary).toMatchObject({ ok: true, stored: 2, skipped: 1, associations: 1 });
    expect(files.find((f) => f.path === bad.path)).toMatchObject({ outcome: 'skipped', detail: expect.stringMatching(/Transfer Syntax UID .* is not a UID/) });
    expect(node.instances.map((i) => i.sopInstanceUid).sort()).toEqual(good.map((m) => m.sopInstanceUid).sort());
  });

  it('a SOP class the peer does not accept fails that file only, with the reason', async () => {
    const node = await startNode({ contexts: new Map([[SECONDARY_CAPTURE, [TransferSyntax.ExplicitVRLittleEndian]]]) });
    const src = freshDir('noctx');
    makeInstance(join(src, '1.dcm'), { seed: 1 });
    makeInstance(join(src, '2.dcm'), { sopClassUid: CT_IMAGE, seed: 2 });
    const { summary, files } = await send(node.port, [src]);
    expect(summary).toMatchObject({ ok: false, stored: 1, failed: 1 });
    expect(files.find((f) => f.outcome === 'failed')?.detail).toBe(`The peer does not store CTImageStorage (${CT_IMAGE}) objects (it answered 'abstract syntax not supported'): it is not set up for this kind of object; ask its administrator to enable the SOP class.`);
    expect(node.instances).toHaveLength(1);
  });

  it('a bare data set (no preamble, no meta group), implicit or explicit VR, is sent as it is', async () => {
    // Before: skipped as not DICOM ("perhaps a bare data set"); storescu sends such files.
    const node = await startNode();
    const src = freshDir('bare');
    const made = [TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.ExplicitVRLittleEndian].map((ts, i) => {
      const m = makeInstance(join(work, `full-${i}-${dirCount}.dcm`), { transferSyntaxUid: ts, seed: 20 + i });
      writeFileSync(join(src, `bare-${i}`), dataSetOf(m.path));
      return { m, ts };
    });
    const { summary, files } = await send(node.port, [src]);
    expect(summary).toMatchObject({ ok: true, stored: 2, skipped: 0 });
    expect(files.map((f) => f.transferSyntaxUid).sort()).toEqual(made.map((x) => x.ts).sort());
    for (const { m } of made) expect(dataSetOf(storedPath(node.folder, m)).equals(dataSetOf(m.path))).toBe(true);
  });

  it('a DICOMDIR among the files (a CD\'s folder) is skipped with the reason, and the send succeeds', async () => {
    // Before, it was proposed and sent: every peer refused it, and the disc's send ended with exit 1.
    const node = await startNode();
    const disc = freshDir('cd');
    const image = makeInstance(join(disc, 'IM1'), { seed: 11 });
    makeInstance(join(disc, 'DICOMDIR'), { sopClassUid: '1.2.840.10008.1.3.10', seed: 12 });
    const { summary, files } = await send(node.port, [disc]);
    expect(summary).toMatchObject({ ok: true, stored: 1, skipped: 1, failed: 0 });
    expect(files.find((f) => f.path.endsWith('DICOMDIR'))).toMatchObject({ outcome: 'skipped', detail: expect.stringMatching(/^a DICOMDIR \(the index of a CD or DVD, PS3\.10 §8\), not an instance: not sent/) });
    expect(node.instances.map((i) => i.sopInstanceUid)).toEqual([image.sopInstanceUid]);
  });

  it('a compressed file the peer takes only uncompressed fails with what to do (we never decompress)', async () => {
    const node = await startNode({ contexts: new Map([[SECONDARY_CAPTURE, [TransferSyntax.ExplicitVRLittleEndian]]]) });
    const alone = freshDir('jpeg-alone');
    makeInstance(join(alone, 'j.dcm'), { seed: 1, transferSyntaxUid: TransferSyntax.JPEGLosslessSV1 });
    const one = await send(node.port, [alone]);
    expect(one.files[0]?.detail).toBe(`The peer does not accept SecondaryCaptureImageStorage (${SECONDARY_CAPTURE}) in JPEGLosslessSV1 (${TransferSyntax.JPEGLosslessSV1}) ('transfer syntaxes not supported'): decompress the file first (e.g. dcmdjpeg, dcmdjpls, dcmdrle) or have the peer accept its syntax.`);
    // Beside an uncompressed file of the same class, the peer's accepted syntax is named.
    const mixed = freshDir('jpeg-mixed');
    makeInstance(join(mixed, 'a.dcm'), { seed: 2 });
    makeInstance(join(mixed, 'j.dcm'), { seed: 3, transferSyntaxUid: TransferSyntax.JPEGLosslessSV1 });
    const two = await send(node.port, [mixed]);
    expect(two.summary).toMatchObject({ stored: 1, failed: 1 });
    expect(two.files.find((f) => f.outcome === 'failed')?.detail).toMatch(/^The peer stores SecondaryCaptureImageStorage \(.*\) only as Explicit VR Little Endian, and this file is JPEGLosslessSV1 \(.*\), which we cannot convert to those: decompress the file first/);
  });
});

describe('storage: a peer that stops reading in the middle of a data set', () => {
  it('the send fails within its timeout with the reason, the association aborted (it waited for ever)', async () => {
    const src = freshDir('stall');
    makeInstance(join(src, 'big.dcm'), { pixelBytes: 40 * 1024 * 1024, seed: 5 });
    const peer = await scriptedServer((p) => {
      void p.next(0x01).then((rq) => {
        const a = DicomAssociate.fromRq(rq as AAssociateRq);
        a.resetToAccept({ aeTitle: 'STORE-SCP', supportedContexts: storageContexts(), maxPduLength: 16384, implementationClassUid: '1.2.3' }, { activeAssociations: 0 });
        p.send(encodePdu(a.toAc()));
        p.socket.pause(); // hung: it takes nothing more
      });
    });
    try {
      const started = performance.now();
      const { summary, files } = await send(peer.port, [src], { timeoutMs: 1000 });
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(summary).toMatchObject({ ok: false, stored: 0, failed: 1 });
      expect(files[0]?.detail).toBe('The peer took none of the data set for 1 s while we sent it: it stopped reading (hung or overloaded, or its disk is full). The association was aborted.');
    } finally {
      await peer.close();
    }
  });
});

describe('storage: bad data sets get the right status and leave nothing', () => {
  let node: Node;
  beforeAll(async () => { node = await startNode(); });

  it('a data set that does not parse: C000', async () => {
    const src = freshDir('garbage');
    const m = makeInstance(join(src, 'g.dcm'), { pixelBytes: 100 });
    // Keep the meta group, replace the data set with bytes that claim a length beyond the end.
    const bytes = readFileSync(m.path);
    const offset = readPart10Header(bufferSource(bytes)).dataSetOffset;
    const garbage = Buffer.alloc(64, 0xff);
    writeFileSync(m.path, Buffer.concat([bytes.subarray(0, offset), garbage]));
    const { files } = await send(node.port, [m.path]);
    expect(files[0]).toMatchObject({ outcome: 'failed', status: 0xc000 });
    // The status's words once, then the reason (the error comment has 64 characters for it).
    expect(files[0]!.detail).toMatch(/^0xC000 Error: cannot understand \(the data set does not parse \(/);
    expect(listFiles(node.folder)).toEqual([]);
  });

  it('a command that lies about the SOP class: A900', async () => {
    const src = freshDir('lie');
    makeInstance(join(src, 'l.dcm'), { sopClassUid: SECONDARY_CAPTURE, metaSopClassUid: CT_IMAGE });
    const { files } = await send(node.port, [src]);
    expect(files[0]).toMatchObject({ outcome: 'failed', status: 0xa900 });
    expect(files[0]!.detail).toMatch(/SOP Class UID in the data set/);
    expect(listFiles(node.folder)).toEqual([]);
  });

  /** Makes an instance, then replaces valid UIDs with same-length paths everywhere in the file. */
  function evilInstance(dir: string, replace: readonly (readonly [string, string])[]): string {
    const m = makeInstance(join(dir, 'p.dcm'), { sopInstanceUid: '1.2.3.4.5.6.7.8.9.10', studyInstanceUid: '1.2.3', seriesInstanceUid: '1.23' });
    let bytes = readFileSync(m.path);
    for (const [good, evil] of replace) {
      for (let at = bytes.indexOf(good); at >= 0; at = bytes.indexOf(good, at + 1)) {
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(evil), bytes.subarray(at + good.length)]);
      }
    }
    writeFileSync(m.path, bytes);
    return m.path;
  }

  it('study and series UIDs that are paths: A900, and nothing outside the folder', async () => {
    const path = evilInstance(freshDir('path'), [['1.2.3\0', '../..\0'], ['1.23', '../x']]);
    const { files } = await send(node.port, [path]);
    expect(files[0]).toMatchObject({ outcome: 'failed', status: 0xa900 });
    expect(files[0]!.detail).toMatch(/Study\/Series Instance UID missing or invalid/);
    expect(listFiles(node.folder)).toEqual([]);
    expect(existsSync(join(node.folder, '..', 'x'))).toBe(false);
  });

  it('a SOP instance UID that is a path, in the command too: the malformed command is aborted, nothing written', async () => {
    const path = evilInstance(freshDir('path'), [['1.2.3.4.5.6.7.8.9.10', '../../../escaped.dcm']]);
    // Our SCU does not send such a file (its scan refuses the meta group's UID)...
    const { files } = await send(node.port, [path]);
    expect(files[0]).toMatchObject({ outcome: 'skipped', detail: expect.stringMatching(/SOP Instance UID '\.\.\/\.\.\/\.\.\/escaped\.dcm' is not a UID/) });
    // ...so the command goes out through an association of our own, as another sender would send it.
    const bytes = readFileSync(path);
    const offset = readPart10Header(bufferSource(bytes)).dataSetOffset;
    const net = DicomNet.startup({ timeouts: { acseMs: 5000, dimseMs: 5000 } });
    try {
      const { association } = await net.connect({ host: '127.0.0.1', port: node.port, associate: new DicomAssociate({
        callingAeTitle: 'SENDER', calledAeTitle: 'STORE-SCP', presentationContexts: [{ abstractSyntax: SECONDARY_CAPTURE, transferSyntaxes: [TransferSyntax.ExplicitVRLittleEndian] }],
      }) });
      const err = await association.request(1, {
        commandField: CommandField.CStoreRq, affectedSopClassUid: SECONDARY_CAPTURE, affectedSopInstanceUid: '../../../escaped.dcm', priority: 0, commandDataSetType: 0x0000,
      }, bytes.subarray(offset)).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/aborted the association \(invalid-PDU-parameter-value\)/);
    } finally {
      await net.close(0);
    }
    expect(listFiles(node.folder)).toEqual([]);
    expect(existsSync(join(node.folder, '..', '..', 'escaped.dcm'))).toBe(false);
  });
});

describe('storage: a storage folder that changed under the SCP', () => {
  it('a file where the study folder goes, and a folder removed: A700 naming the cause; nothing made in its place', async () => {
    const node = await startNode();
    const src = freshDir('changed');
    const a = makeInstance(join(src, 'a.dcm'), { seed: 7 });
    writeFileSync(join(node.folder, a.studyInstanceUid), 'in the way');
    const first = await send(node.port, [a.path]);
    expect(first.files[0]).toMatchObject({ outcome: 'failed', status: 0xa700 });
    expect(first.files[0]!.detail).toMatch(/a file stands where a study or series folder should be/);
    expect(node.failures.at(-1)?.reason).toContain(join(node.folder, a.studyInstanceUid));

    rmSync(node.folder, { recursive: true });
    const second = await send(node.port, [a.path]);
    expect(second.files[0]).toMatchObject({ outcome: 'failed', status: 0xa700 });
    expect(second.files[0]!.detail).toMatch(/the storage folder is gone \(removed or unmounted\?\)/);
    expect(node.failures.at(-1)?.reason).toContain(node.folder);
    expect(existsSync(node.folder)).toBe(false);
  });
});

describe('storage over TLS', () => {
  let pki: TestPki;
  beforeAll(async () => { pki = await makeTestPki(); }, 60_000);

  it('stores over a mutually authenticated TLS association', async () => {
    const node = await startNode({ pki });
    const src = freshDir('tls');
    const m = makeInstance(join(src, 't.dcm'), { pixelBytes: 2 * 1024 * 1024, seed: 11 });
    const { summary } = await send(node.tlsPort!, [m.path], { tls: { ca: [pki.ca.certPem], cert: pki.client.certPem, key: pki.client.keyPem } });
    expect(summary).toMatchObject({ ok: true, stored: 1 });
    expect(dataSetOf(storedPath(node.folder, m)).equals(dataSetOf(m.path))).toBe(true);
  });
});
