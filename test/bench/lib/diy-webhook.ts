import { createServer, type Server } from 'node:http';

// The do-it-yourself chain's last link: a small webhook receiver for Alertmanager that, on the first
// firing notification, runs the rollback command (the seed's `MODEL_VARIANT=baseline docker compose up -d
// api`). It answers Alertmanager at once and runs the command after, as such scripts usually do.

export interface DiyTimes {
  receivedAt?: number;
  /** The alert names in the first firing notification (which rule fired). */
  alertnames?: string[];
  commandDoneAt?: number;
  commandError?: string;
}

export interface DiyReceiver {
  readonly url: string;
  readonly times: DiyTimes;
  close(): Promise<void>;
}

export async function startDiyReceiver(rollback: () => Promise<unknown>): Promise<DiyReceiver> {
  const times: DiyTimes = {};
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.writeHead(200).end();
      let payload: { status?: unknown; alerts?: { labels?: Record<string, string> }[] };
      try {
        payload = JSON.parse(body) as typeof payload;
      } catch {
        return;
      }
      if (payload.status !== 'firing' || times.receivedAt !== undefined) return;
      times.receivedAt = Date.now();
      times.alertnames = (payload.alerts ?? []).map((a) => a.labels?.['alertname'] ?? '?');
      rollback().then(
        () => (times.commandDoneAt = Date.now()),
        (err: unknown) => (times.commandError = err instanceof Error ? err.message : String(err)),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}/alert`,
    times,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
