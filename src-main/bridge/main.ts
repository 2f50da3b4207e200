// `npm run browser`: the workstation GUI in a browser, on the real app services, without Electron.
// Prints the address to open (with its token). Data folder: --data DIR (default ./.dicomnet-data).

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Workstation } from '../app/workstation';
import { startBridge, type Bridge } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string' }, port: { type: 'string' }, static: { type: 'string' } } });
  // The workstation reports events from its start on; the bridge exists a moment later.
  const late: { bridge?: Bridge } = {};
  const workstation = new Workstation({
    dataFolder: resolve(values.data ?? '.dicomnet-data'),
    onEvent: (channel, payload) => late.bridge?.broadcast(channel, payload),
  });
  const bridge = await startBridge({ workstation, staticDir: resolve(values.static ?? 'dist/renderer'), port: values.port ? Number(values.port) : 0 });
  if (workstation.settings.problem) process.stderr.write(`${workstation.settings.problem}\n`);
  late.bridge = bridge;
  await workstation.start();
  process.stdout.write(`open ${bridge.url}\n`);
  const stop = () => void Promise.all([bridge.close(), workstation.close()]).then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: Error) => {
  process.stderr.write(`dicomnet bridge: ${err.message}\n`);
  process.exit(1);
});
