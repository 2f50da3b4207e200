import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    setupFiles: ['test/setup.ts'],
    // electron-store imports electron: inlined, so that the tests' mock of electron (the only mock
    // allowed) reaches it instead of Electron's missing binary.
    server: { deps: { inline: ['electron-store'] } },
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Network tests bind ephemeral loopback ports; files run in parallel on the 2 cores.
    pool: 'forks',
  },
});
