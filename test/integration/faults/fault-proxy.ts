import { createServer } from 'node:http';
import { close, listen } from '../../helpers/http-recorder.js';

// A real HTTP proxy in front of a real Prometheus that injects the faults the controller must survive:
// answers of a chosen status (500, 503 ...) and answers slower than the controller's timeout. In `pass`
// mode it forwards every request unchanged. Each mode change applies to the next request.

export type ProxyMode =
  | { readonly kind: 'pass' }
  /** Answer every request with this status (and body) without asking Prometheus. */
  | { readonly kind: 'status'; readonly status: number; readonly body?: string }
  /** Wait this long, then forward (nothing is sent if the client gave up first). */
  | { readonly kind: 'delay'; readonly ms: number };

export interface FaultProxy {
  readonly url: string;
  /** Requests received so far (all modes). */
  readonly requests: number;
  set(mode: ProxyMode): void;
  stop(): Promise<void>;
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  let mode: ProxyMode = { kind: 'pass' };
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const current = mode;
      if (current.kind === 'status') {
        res.writeHead(current.status, { 'content-type': 'text/plain' }).end(current.body ?? `injected fault: HTTP ${current.status}\n`);
        return;
      }
      const forward = (): void => {
        if (res.destroyed || req.socket.destroyed) return;
        const body = chunks.length === 0 ? undefined : Buffer.concat(chunks);
        const headers: Record<string, string> = {};
        if (typeof req.headers['content-type'] === 'string') headers['content-type'] = req.headers['content-type'];
        fetch(`${upstream}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) })
          .then(async (answer) => {
            const text = await answer.text();
            if (!res.destroyed) res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(text);
          })
          .catch((error: unknown) => {
            if (!res.destroyed) res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${String(error)}\n`);
          });
      };
      if (current.kind === 'delay') setTimeout(forward, current.ms);
      else forward();
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    set(next) {
      mode = next;
    },
    stop: () => close(server),
  };
}
