// `npm run bench`, floor part: how far a minimal Node client (bench/floor/) gets against the same
// DCMTK storescp as `dicomnet echo`/`dicomnet store` and echoscu/storescu, whole process, in turns.
// It answers "is this target out of Node's reach, or is it our stack's cost?" with a figure each
// run: for C-ECHO, and for C-STORE plain and over TLS.

import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeTestPki, removeTestPki } from '../test/helpers/certs';
import { median, ratio, type Row, printTable } from './measure';
import { CLI, killAll, startStorescp, timeProcess, type Peer } from './processes';
import { makeBenchFiles, SIZES } from './storage';

const ROUNDS = 6;
const ECHOES = 2000;
const FLOOR_ECHO = resolve('dist/bench/floor-echo.cjs');
const FLOOR_STORE = resolve('dist/bench/floor-store.cjs');

/** Reads every file once, so that each sender finds them in the page cache (this VM lets go of it). */
function warmPageCache(dir: string): void {
  for (const f of readdirSync(dir)) readFileSync(join(dir, f));
}

export async function floorBenchmark(): Promise<Record<string, unknown>> {
  const size = SIZES[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'dicomnet-bench-floor-'));
  const peers: Peer[] = [];
  try {
    makeBenchFiles(dir, size);
    const pki = await makeTestPki();
    const storescp = await startStorescp(['--ignore', '-pdu', '131072', '-aet', 'ANY-SCP']);
    peers.push(storescp);
    const tlsStorescp = await startStorescp(['--ignore', '-pdu', '131072', '-aet', 'ANY-SCP', '+tls', pki.server.keyFile, pki.server.certFile, '+cf', pki.ca.certFile]);
    peers.push(tlsStorescp);
    const port = String(storescp.port);
    const tlsPort = String(tlsStorescp.port);
    const echo = { ours: [] as number[], floor: [] as number[], dcmtk: [] as number[] };
    const store = { ours: [] as number[], floor: [] as number[], dcmtk: [] as number[] };
    const tlsStore = { ours: [] as number[], floor: [] as number[], dcmtk: [] as number[] };
    const storeRun = (cmd: string, args: string[]) => {
      warmPageCache(dir);
      return timeProcess(cmd, args);
    };
    for (let round = 0; round < ROUNDS; round++) {
      echo.floor.push(timeProcess(process.execPath, [FLOOR_ECHO, '127.0.0.1', port, String(ECHOES)]));
      echo.ours.push(timeProcess(process.execPath, [CLI, 'echo', '127.0.0.1', port, '--aec', 'ANY-SCP', '--repeat', String(ECHOES)]));
      echo.dcmtk.push(timeProcess('echoscu', ['-aec', 'ANY-SCP', '--repeat', String(ECHOES), '127.0.0.1', port]));
      store.floor.push(storeRun(process.execPath, [FLOOR_STORE, '127.0.0.1', port, dir]));
      store.ours.push(storeRun(process.execPath, [CLI, 'store', '127.0.0.1', port, dir, '--aec', 'ANY-SCP', '--json']));
      store.dcmtk.push(storeRun('storescu', ['-pdu', '131072', '-aec', 'ANY-SCP', '+sd', '127.0.0.1', port, dir]));
      tlsStore.floor.push(storeRun(process.execPath, [FLOOR_STORE, '127.0.0.1', tlsPort, dir, '--tls', pki.ca.certFile, pki.client.certFile, pki.client.keyFile]));
      tlsStore.ours.push(storeRun(process.execPath, [CLI, 'store', '127.0.0.1', tlsPort, dir, '--aec', 'ANY-SCP', '--json',
        '--tls', '--ca', pki.ca.certFile, '--cert', pki.client.certFile, '--key', pki.client.keyFile]));
      tlsStore.dcmtk.push(storeRun('storescu', ['-pdu', '131072', '-aec', 'ANY-SCP', '+tls', pki.client.keyFile, pki.client.certFile, '+cf', pki.ca.certFile,
        '+sd', '127.0.0.1', tlsPort, dir]));
    }
    const m = (xs: number[]) => median(xs) / 1000;
    const rows: Row[] = [
      [`${ECHOES} C-ECHOs in one association, s: dicomnet echo vs echoscu`, m(echo.ours), m(echo.dcmtk), ratio(m(echo.dcmtk), m(echo.ours)), ''],
      ['  minimal Node client (floor) vs echoscu', m(echo.floor), m(echo.dcmtk), ratio(m(echo.dcmtk), m(echo.floor)), ''],
      [`${size.label} C-STORE, s: dicomnet store vs storescu`, m(store.ours), m(store.dcmtk), ratio(m(store.dcmtk), m(store.ours)), ''],
      ['  minimal Node client (floor) vs storescu', m(store.floor), m(store.dcmtk), ratio(m(store.dcmtk), m(store.floor)), ''],
      [`${size.label} C-STORE over TLS, s: dicomnet store --tls vs storescu +tls`, m(tlsStore.ours), m(tlsStore.dcmtk), ratio(m(tlsStore.dcmtk), m(tlsStore.ours)), ''],
      ['  minimal Node client over node:tls (floor) vs storescu +tls', m(tlsStore.floor), m(tlsStore.dcmtk), ratio(m(tlsStore.dcmtk), m(tlsStore.floor)), ''],
    ];
    console.log(`\nNode floor: a minimal Node client (bench/floor/: canned PDUs, no state machine, no checks) against the same storescp`);
    console.log(`--ignore (and one with +tls, client certificates), whole process, start to exit; ${ROUNDS} rounds taking turns, the median`);
    console.log('counts; ratio = DCMTK time / this time.');
    printTable(['measurement', 'this', 'DCMTK', 'ratio', ''], rows);
    return { floor: { echoRunsMs: echo, storeRunsMs: store, tlsStoreRunsMs: tlsStore, rounds: ROUNDS } };
  } finally {
    await killAll(peers);
    rmSync(dir, { recursive: true, force: true });
    removeTestPki();
  }
}
