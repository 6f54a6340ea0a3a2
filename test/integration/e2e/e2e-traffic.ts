// Prediction traffic for the e2e scenarios. From the host, through the api's published port
// (`startHostTraffic`), or from a container on the stack's network through the compose alias
// `http://api:8000` (`runNetworkLoad`), which is how clients must reach a `start-first` service.
import { execFile } from 'node:child_process';

export const PREDICT_BODY = JSON.stringify({ price: 50000, midprice: 50000, return_1s: 0.001, return_5s: 0.002, volatility: 0.02 });

export interface TrafficCounts {
  /** HTTP status → count; `error` = no answer (refused, reset, timeout). */
  readonly byStatus: Readonly<Record<string, number>>;
  readonly total: number;
}

export interface HostTraffic {
  counts(): TrafficCounts;
  stop(): Promise<TrafficCounts>;
}

/** One POST /predict every `everyMs` (not waiting for answers) until stopped. */
export function startHostTraffic(apiBase: string, everyMs: number): HostTraffic {
  const byStatus: Record<string, number> = {};
  const pending = new Set<Promise<void>>();
  const count = (key: string): void => {
    byStatus[key] = (byStatus[key] ?? 0) + 1;
  };
  const fire = (): void => {
    const request = fetch(`${apiBase}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: PREDICT_BODY, signal: AbortSignal.timeout(5_000) })
      .then(async (response) => {
        await response.arrayBuffer();
        count(String(response.status));
      })
      .catch(() => count('error'))
      .finally(() => pending.delete(request));
    pending.add(request);
  };
  const timer = setInterval(fire, everyMs);
  fire();
  const snapshot = (): TrafficCounts => ({ byStatus: { ...byStatus }, total: Object.values(byStatus).reduce((a, b) => a + b, 0) });
  return {
    counts: snapshot,
    async stop() {
      clearInterval(timer);
      await Promise.all([...pending]);
      return snapshot();
    },
  };
}

// Runs inside the service image (it has node): `rps` requests per second to http://api:8000/predict for
// `seconds`, then prints the counts as one JSON line. Each request opens its own connection (`agent:
// false`) and so resolves the alias again, as the start-first claim assumes (docs/actuators.md); a pooled
// keep-alive connection to the old container can be reset when it shuts down. 3 s deadline per request.
const LOAD_SCRIPT = `
const http = require('node:http');
const [rps, seconds] = process.argv.slice(1).map(Number);
const body = ${JSON.stringify(PREDICT_BODY)};
const byStatus = {}; const errors = {}; let inFlight = 0;
const count = (k) => { byStatus[k] = (byStatus[k] ?? 0) + 1; };
const fail = (code) => { count('error'); errors[code] = (errors[code] ?? 0) + 1; };
const fire = () => {
  inFlight++;
  let settled = false;
  const settle = (fn) => { if (!settled) { settled = true; inFlight--; fn(); } };
  const req = http.request({ host: 'api', port: 8000, path: '/predict', method: 'POST', agent: false, timeout: 3000,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
    res.resume();
    res.on('end', () => settle(() => count(String(res.statusCode))));
    res.on('error', (e) => settle(() => fail(e.code ?? e.name)));
  });
  req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
  req.on('error', (e) => settle(() => fail(e.code ?? e.name)));
  req.end(body);
};
const timer = setInterval(fire, 1000 / rps);
setTimeout(() => { clearInterval(timer); const end = () => inFlight === 0 ? console.log(JSON.stringify({ byStatus, errors })) : setTimeout(end, 50); end(); }, seconds * 1000);
`;

export interface NetworkLoadResult {
  readonly byStatus: Readonly<Record<string, number>>;
  readonly errors: Readonly<Record<string, number>>;
}

/** Starts the load container on `network`; resolves when it has printed its counts. */
export function runNetworkLoad(network: string, image: string, rps: number, seconds: number): Promise<NetworkLoadResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'docker',
      ['run', '--rm', '--network', network, '--entrypoint', 'node', image, '-e', LOAD_SCRIPT, String(rps), String(seconds)],
      { timeout: (seconds + 60) * 1000, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`load container failed: ${error.message}\n${stderr}`));
          return;
        }
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(line) as NetworkLoadResult);
        } catch {
          reject(new Error(`load container printed no counts: ${stdout}\n${stderr}`));
        }
      },
    );
  });
}
