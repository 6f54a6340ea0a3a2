import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { sleep } from './daemon.js';

// A tiny real HTTP server that records what is POSTed to it: the receiving end for webhook sinks and for
// Alertmanager's webhook receiver. It answers 200 by default; `respondWith` makes it fail on purpose.

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
  readonly receivedAtMs: number;
}

export interface HttpRecorder {
  /** e.g. `http://127.0.0.1:40123`; any path is accepted. */
  readonly url: string;
  readonly port: number;
  readonly requests: readonly RecordedRequest[];
  /** Status (and optional body) for the following requests. */
  respondWith(status: number, body?: string): void;
  /** Resolves with the first recorded request matching `predicate`, waiting up to `timeoutMs`. */
  waitFor(predicate: (request: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  clear(): void;
  stop(): Promise<void>;
}

export async function startHttpRecorder(): Promise<HttpRecorder> {
  const requests: RecordedRequest[] = [];
  let status = 200;
  let responseBody = '{"ok":true}';

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawBody,
        json: parseJson(rawBody),
        receivedAtMs: Date.now(),
      });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(responseBody);
    });
  });
  const port = await listen(server);

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    respondWith(nextStatus, body = '') {
      status = nextStatus;
      responseBody = body;
    },
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = requests.find(predicate);
        if (found !== undefined) return found;
        if (Date.now() > deadline) {
          throw new Error(`http recorder: no matching request within ${timeoutMs} ms; got ${requests.length}: ${requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
        }
        await sleep(25);
      }
    },
    clear() {
      requests.length = 0;
    },
    stop: () => close(server),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Listens on a kernel-chosen loopback port and returns it. */
export function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('server has no TCP address'));
      else resolve(address.port);
    });
  });
}

/** Closes the server and drops keep-alive or hung connections so close() cannot wait forever. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
