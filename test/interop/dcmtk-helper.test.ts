// The DCMTK peer helper itself: a storescp it starts is really on the port it returns. A port from
// freePort() can be taken by another test worker before storescp binds it; the helper then must
// not hand back the port of somebody else's listener (once seen as a TLS test talking to a plain SCP).

import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { killAllDcmtk, requireDcmtk, startStorescp } from '../helpers/dcmtk';
import { listensOn } from '../helpers/ports';

const haveDcmtk = requireDcmtk('DCMTK helper');
const onLinux = listensOn(process.pid, 1) !== undefined;

describe.runIf(haveDcmtk && onLinux)('test helper: startStorescp and listensOn', () => {
  afterAll(() => killAllDcmtk());

  it('listensOn tells whose listener a port is', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      expect(listensOn(process.pid, port)).toBe(true);
      const storescp = await startStorescp(['-aet', 'STORESCP']);
      try {
        expect(listensOn(storescp.child.pid!, port)).toBe(false);
        expect(listensOn(process.pid, storescp.port)).toBe(false);
        expect(listensOn(storescp.child.pid!, storescp.port)).toBe(true);
      } finally {
        await storescp.stop();
      }
    } finally {
      server.close();
    }
  });
});
