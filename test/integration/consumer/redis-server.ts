// A throwaway redis-server for one test file: a free loopback port, a temp dir, no persistence. Redis comes
// from Debian's redis-server (scripts/ensure-test-prereqs.sh installs it).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { findBinary, lostPortRace, sleep, spawnDaemon, type Daemon } from '../../helpers/daemon.js';
import { freePort } from '../../helpers/free-port.js';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** A client for the test's own reads and writes. */
  readonly client: Redis;
  readonly daemon: Daemon;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const binary = findBinary(['redis-server', '/usr/bin/redis-server']);
  const dir = await mkdtemp(join(tmpdir(), 'guardrail-redis-'));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const daemon = spawnDaemon(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]);
    const ready = await waitForPing(port, daemon);
    if (ready !== undefined) {
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        client: ready,
        daemon,
        async stop() {
          ready.disconnect();
          await daemon.terminate(2_000);
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    await daemon.kill();
    if (!lostPortRace(daemon) || attempt >= 3) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not start:\n${daemon.output()}`);
    }
  }
}

async function waitForPing(port: number, daemon: Daemon): Promise<Redis | undefined> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline && daemon.child.exitCode === null) {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return client;
    } catch {
      client.disconnect();
    }
    await sleep(50);
  }
  return undefined;
}
