import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { close, listen } from './http-recorder.js';

// A real HTTP server whose behaviour the test scripts per request: garbage bodies, 503s, answers that
// never come. For testing clients' failure handling against real sockets rather than mocks.

export type ScriptedHandler = (req: IncomingMessage, res: ServerResponse, requestNumber: number) => void;

export interface ScriptedServer {
  readonly url: string;
  readonly port: number;
  /** Requests received so far. */
  readonly count: () => number;
  /** Highest number of requests that were open at the same time. */
  readonly maxInFlight: () => number;
  setHandler(handler: ScriptedHandler): void;
  reset(): void;
  stop(): Promise<void>;
}

export async function startScriptedServer(initial: ScriptedHandler): Promise<ScriptedServer> {
  let handler = initial;
  let count = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    count++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let settled = false;
    const settle = (): void => {
      if (!settled) {
        settled = true;
        inFlight--;
      }
    };
    res.on('finish', settle);
    res.on('close', settle);
    handler(req, res, count);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    count: () => count,
    maxInFlight: () => maxInFlight,
    setHandler(next) {
      handler = next;
    },
    reset() {
      count = 0;
      maxInFlight = 0;
    },
    stop: () => close(server),
  };
}
