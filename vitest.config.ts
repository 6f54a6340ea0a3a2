import { defineConfig } from 'vitest/config';

// Three projects: `unit` is fast and self-contained (pure core, inject() routes, fixtures);
// `integration` starts real parts (Prometheus, Alertmanager, Docker, Redis) and runs files one at a time
// because they share loopback ports and the Docker daemon; `swarm` runs on a single-node Docker Swarm
// (initialised by its global set-up if none is active, and left again at its end), after `integration` in
// `npm test` so that neither disturbs the other (docs/testing.md).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Unit tests are fast when the machine is idle; the 5 s default failed a 2000-request inject()
          // test while other suites loaded both cores. Speed is measured by test/bench, not by timeouts.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'swarm',
          include: ['test/swarm/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/swarm/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
