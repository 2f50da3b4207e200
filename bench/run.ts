// `npm run bench`: our stack against DCMTK 3.6.7 on this machine, in one run. Prints a table and
// writes bench/results/latest.json. DCMTK always runs with TCP_NODELAY=1 (Debian's build leaves
// Nagle on otherwise). Loopback only; every loop is bounded; every child is killed at the end.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { DicomAssociate } from '../src-main/dicomnet/association';
import { DicomNet } from '../src-main/dicomnet/dicom-net';
import { echo } from '../src-main/dicomnet/services/echo';
import { CLI, ENV_NOTE, killAll, requireTools, startDicomnetScp, startStorescp, timeProcess, type Peer } from './processes';
import { median, ratio, type Row, printTable } from './measure';
import { floorBenchmark } from './floor';
import { storageBenchmark } from './storage';

const VERIFICATION = '1.2.840.10008.1.1';
const TS = ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'];
const WARM_UP = 2500;
/** Rounds of `--repeat 2000`, each tool once a round. */
const ECHO_ROUNDS = 10;

function runs(n: number, f: () => number): number[] {
  return Array.from({ length: n }, f);
}

/**
 * `rounds` runs of each, taking turns so that both meet the same moments of this VM, the order
 * swapped each round (a b, b a, a b, ...; use an even count): the first of a pair measured slower
 * (in-process association loops against two identical SCPs, and against storescp: 3-8 % for the
 * first), and a fixed order gave that to the same side every time.
 */
/**
 * Runs each of `fs` once per round, rotating the order (two: swapped each round), so that none is
 * always first: the first of a pair measured 3-8 % slower here.
 */
async function takingTurns(rounds: number, ...fs: (() => number | Promise<number>)[]): Promise<number[][]> {
  const out: number[][] = fs.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < fs.length; k++) {
      const i = (k + round) % fs.length;
      out[i]!.push(await fs[i]!());
    }
  }
  return out;
}

const ourEcho = (port: number, repeat: number) => () => timeProcess(process.execPath, [CLI, 'echo', '127.0.0.1', String(port), '--aec', 'ANY-SCP', '--repeat', String(repeat)]);
const dcmtkEcho = (port: number, repeat: number) => () => timeProcess('echoscu', ['-aec', 'ANY-SCP', '--repeat', String(repeat), '127.0.0.1', String(port)]);

/** Associations per second with our in-process client: connect, associate, one C-ECHO, release. */
async function associationsPerSecond(port: number, clients: number, cyclesEach: number): Promise<number> {
  const net = DicomNet.startup({ timeouts: { acseMs: 10_000, dimseMs: 10_000, releaseMs: 10_000, artimMs: 10_000 } });
  const cycle = async () => {
    const associate = new DicomAssociate({ callingAeTitle: 'BENCH', calledAeTitle: 'ANY-SCP', presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: TS }] });
    const { association } = await net.connect({ host: '127.0.0.1', port, associate, connectTimeoutMs: 10_000 });
    const r = await echo(association);
    if (r.status !== 0) throw new Error(`C-ECHO status ${r.status}`);
    await association.release();
  };
  const started = performance.now();
  const deadline = started + 60_000;
  await Promise.all(Array.from({ length: clients }, async () => {
    for (let i = 0; i < cyclesEach && performance.now() < deadline; i++) await cycle();
  }));
  const seconds = (performance.now() - started) / 1000;
  await net.close(0);
  return (clients * cyclesEach) / seconds;
}

async function main(): Promise<void> {
  // `npm run bench [-- echo|floor|storage [--cold]]` (builds, then `node dist/bench/run.cjs ...`): one
  // part, or all (default); --cold measures the storage receivers right after their start, without
  // the warm-up pass.
  const args = process.argv.slice(2);
  const cold = args.includes('--cold');
  const only = args.find((a) => a !== '--cold');
  if (only !== undefined && !['echo', 'floor', 'storage'].includes(only)) throw new Error(`unknown part '${only}': echo, floor or storage (and --cold)`);
  requireTools(['echoscu', 'storescu', 'storescp']);
  // The children (our CLI, the floor clients) run on this Node: the project's figures are Node 22's.
  if (Number(process.versions.node.split('.')[0]) < 22) {
    console.log(`note: this is Node ${process.version}; the project measures on Node 22 (npm run bench [-- echo|floor|storage]).`);
  }
  if (ENV_NOTE) console.log(`note: ${ENV_NOTE}`);
  // A run of one part keeps the other part's figures of an earlier run (each part says when it ran).
  const file = 'bench/results/latest.json';
  let result: Record<string, unknown> = {};
  try {
    if (existsSync(file)) result = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    result = {};
  }
  const now = { when: new Date().toISOString(), node: process.version };
  Object.assign(result, now);
  if (only === undefined || only === 'echo') Object.assign(result, await echoBenchmark(), { echoRun: now });
  if (only === undefined || only === 'floor') Object.assign(result, await floorBenchmark(), { floorRun: now });
  if (only === undefined || only === 'storage') Object.assign(result, { storage: await storageBenchmark({ cold }), storageRun: { ...now, receivers: cold ? 'cold' : 'warmed up' } });
  // The storage rows (long) last, whichever part ran.
  const { storage, storageRun, ...rest } = result;
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...rest, storageRun, storage }, null, 2)}\n`);
  console.log(`\nwritten: ${file}`);
}

async function echoBenchmark(): Promise<Record<string, unknown>> {
  const peers: Peer[] = [];
  try {
    console.log('DICOM network benchmark (loopback; DCMTK 3.6.7 run with TCP_NODELAY=1; our sockets set TCP_NODELAY)');
    console.log(`node ${process.version}, ${new Date().toISOString()}\n`);
    const storescp = await startStorescp(['--ignore', '-aet', 'ANY-SCP']);
    const storescpFork = await startStorescp(['--ignore', '--fork', '-aet', 'ANY-SCP']);
    const ours = await startDicomnetScp(['--aet', 'ANY-SCP']);
    // The control: a second storescp, measured in the same turns as the first. Its ratio to the first
    // is what a peer exactly as fast as storescp scores here (this VM's spread).
    const storescp2 = await startStorescp(['--ignore', '-aet', 'ANY-SCP']);
    peers.push(storescp, storescpFork, ours, storescp2);

    // Warm the page cache and the compile cache once, not measured.
    ourEcho(storescp.port, 1)();
    dcmtkEcho(storescp.port, 1)();

    // 1. Echoes per second inside one association, whole process. The two tools take turns, and the
    // median counts, not the best: on this 2-vCPU VM a run's time depends on where the scheduler puts
    // the client. When our main thread shares storescp's CPU, each message is handed over without
    // waking the other CPU and 2 000 echoes take ~0.12 s; across CPUs ~0.32 s (echoscu ~0.21 s, which
    // rarely gets the shared CPU). The best of a few runs then reports luck (1.73 once), not the tool.
    const N = 2000;
    // echoscu runs twice a round: the second is the control (echoscu against itself).
    const [our2000, dcmtk2000, control2000] = await takingTurns(ECHO_ROUNDS, ourEcho(storescp.port, N), dcmtkEcho(storescp.port, N), dcmtkEcho(storescp.port, N)) as [number[], number[], number[]];
    // 3. One process, start to exit (median of 15).
    const our1 = runs(15, ourEcho(storescp.port, 1));
    const dcmtk1 = runs(15, dcmtkEcho(storescp.port, 1));
    const ourRate = N / (median(our2000) / 1000);
    const dcmtkRate = N / (median(dcmtk2000) / 1000);
    const controlRate = N / (median(control2000) / 1000);
    // The same with each side's own process start taken off: the rate inside the association.
    const ourInAssoc = N / ((median(our2000) - median(our1)) / 1000);
    const dcmtkInAssoc = N / ((median(dcmtk2000) - median(dcmtk1)) / 1000);
    // Steady state: 20 000 echoes, process start taken off (V8 has optimised the path by then);
    // 4 rounds taking turns, the median.
    const LONG = 20_000;
    const [ourLong, dcmtkLong] = await takingTurns(4, ourEcho(storescp.port, LONG), dcmtkEcho(storescp.port, LONG)) as [number[], number[]];
    const ourSteady = LONG / ((median(ourLong) - median(our1)) / 1000);
    const dcmtkSteady = LONG / ((median(dcmtkLong) - median(dcmtk1)) / 1000);

    // 2. Associations per second, in-process client. A DICOM node runs for days: measure it warm.
    // Unmeasured cycles against each peer first warm both our client and our SCP (V8 optimises
    // after a few thousand calls); DCMTK is native and gets the same cycles. The measured runs then
    // alternate between the peers (the median of 4 each), so that neither is measured with a client
    // that is warmer than the other one's, or in a quieter moment of this shared machine.
    for (let round = 0; round < 2; round++) {
      await associationsPerSecond(ours.port, 1, WARM_UP);
      await associationsPerSecond(storescp.port, 1, WARM_UP);
    }
    await associationsPerSecond(storescp2.port, 1, WARM_UP);
    const alternating = async (clients: number, cycles: number) => {
      const [o, d, c] = await takingTurns(4, () => associationsPerSecond(ours.port, clients, cycles), () => associationsPerSecond(storescp.port, clients, cycles), () => associationsPerSecond(storescp2.port, clients, cycles)) as [number[], number[], number[]];
      return { ours: median(o), dcmtk: median(d), control: median(c) };
    };
    const seq = { ...await alternating(1, 1500), dcmtkFork: await associationsPerSecond(storescpFork.port, 1, 100) };
    const conc = { ...await alternating(16, 100), dcmtkFork: await associationsPerSecond(storescpFork.port, 16, 10) };

    const rows: Row[] = [
      [`echoes/s in one association, whole process (--repeat 2000, median of ${ECHO_ROUNDS})`, ourRate, dcmtkRate, ratio(ourRate, dcmtkRate), '>= 1.0'],
      ['  control: echoscu again, in the same turns (echoscu / echoscu)', controlRate, dcmtkRate, ratio(controlRate, dcmtkRate), ''],
      ['  same, each side\'s process start subtracted', ourInAssoc, dcmtkInAssoc, ratio(ourInAssoc, dcmtkInAssoc), ''],
      ['  steady state (--repeat 20000, median of 4, process start subtracted)', ourSteady, dcmtkSteady, ratio(ourSteady, dcmtkSteady), ''],
      ['associations/s sequential vs storescp', seq.ours, seq.dcmtk, ratio(seq.ours, seq.dcmtk), '>= 1.0'],
      ['  control: a second storescp, in the same turns (storescp / storescp)', seq.control, seq.dcmtk, ratio(seq.control, seq.dcmtk), ''],
      ['associations/s sequential vs storescp --fork', seq.ours, seq.dcmtkFork, ratio(seq.ours, seq.dcmtkFork), ''],
      ['associations/s 16 concurrent clients vs storescp', conc.ours, conc.dcmtk, ratio(conc.ours, conc.dcmtk), '>= 1.0'],
      ['  control: a second storescp, in the same turns (storescp / storescp)', conc.control, conc.dcmtk, ratio(conc.control, conc.dcmtk), ''],
      ['associations/s 16 concurrent clients vs storescp --fork', conc.ours, conc.dcmtkFork, ratio(conc.ours, conc.dcmtkFork), ''],
      ['one echo process, start to exit, ms (median of 15)', median(our1), median(dcmtk1), ratio(median(dcmtk1), median(our1)), '< 100 ms'],
    ];
    printTable(['measurement', 'dicomnet', 'DCMTK', 'ratio', 'target'], rows);
    console.log('\nratio = ours / DCMTK for rates; DCMTK / ours for times (so > 1 is better for us everywhere).');
    console.log(`associations/s: our in-process client against our \`dicomnet scp\` process and against DCMTK storescp (which serves one association at a time without --fork), after 2 x ${WARM_UP} unmeasured cycles each; the median of 4 runs each, taking turns, the order swapped each round.`);
    console.log('echoes/s whole process includes each process start and, for us, V8 warm-up; the floor part below shows Node\'s own share.');
    console.log('control rows: DCMTK measured against itself in the same turns, in the dicomnet column: what a tool exactly as fast as DCMTK scores on this VM (its spread, run to run).');
    const spread = (xs: number[]) => `${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))} ms`;
    console.log(`--repeat 2000 runs, taking turns: ours ${spread(our2000)}, echoscu ${spread(dcmtk2000)} (the median counts: which CPU the scheduler gives the client moves a run by 2-3 times).`);

    return {
      echoesPerSecond: { ours: ourRate, dcmtk: dcmtkRate, control: controlRate, controlRunsMs: control2000, oursInAssociation: ourInAssoc, dcmtkInAssociation: dcmtkInAssoc, oursSteady: ourSteady, dcmtkSteady, runsMs: { ours: our2000, dcmtk: dcmtk2000 }, steadyRunsMs: { ours: ourLong, dcmtk: dcmtkLong } },
      associationsPerSecond: { sequential: seq, concurrent16: conc },
      singleEchoProcessMs: { ours: median(our1), dcmtk: median(dcmtk1), runsMs: { ours: our1, dcmtk: dcmtk1 } },
    };
  } finally {
    await killAll(peers);
  }
}

// Exiting runs the 'exit' handlers, which kill the children still running.
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
