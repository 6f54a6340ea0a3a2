// The demo supervisor's control endpoint (loopback only): `npm run demo:incident` asks it to restart
// the service with an ML fault in its environment. Faults act on the ML variant only, so a rollback to
// the baseline really cures the incident; `POST /clear` removes the fault (for the next roll-forward).
import { createServer, type Server } from 'node:http';
import type { ManagedProcessActuator } from '../controller/wiring/process-actuator.js';

export interface DemoInfo {
  readonly serviceUrl: string;
  readonly controllerUrl: string;
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  readonly target: string;
  readonly startedAtMs: number;
}

type FaultEnv = Readonly<Record<string, string | null>>;

/** Sets the env for the next start (null removes a variable) and restarts the running child with its current variant. */
export async function restartWithEnv(managed: ManagedProcessActuator, change: FaultEnv): Promise<{ variant: string | null }> {
  const service = managed.services[0];
  if (service === undefined) throw new Error('no service configured');
  const env = managed.envs.get(service.name);
  if (env === undefined) throw new Error(`no environment for ${service.name}`);
  for (const [key, value] of Object.entries(change)) {
    if (value === null) delete env[key];
    else env[key] = value;
  }
  const before = (await managed.actuator.inspect(service)).instances[0];
  if (before === undefined || !before.running) throw new Error('the service is not running (a switch may be in progress); try again');
  process.kill(Number(before.id), 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while ((await managed.actuator.inspect(service)).instances[0]?.running === true) {
    if (Date.now() > deadline) throw new Error('the service did not stop within 10 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  // Nothing runs now: reconcile starts the same variant again, with the changed environment.
  await managed.actuator.reconcile(service, { rollbackId: 'demo-restart', value: before.value });
  return { variant: before.value };
}

export function startControlServer(port: number, managed: ManagedProcessActuator, info: DemoInfo, say: (line: string) => void): Promise<Server> {
  const server = createServer((req, res) => {
    const answer = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
    };
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/info') return answer(200, info);
    if (req.method !== 'POST' || (url.pathname !== '/incident' && url.pathname !== '/clear')) return answer(404, { error: 'POST /incident, POST /clear, GET /info' });
    const rate = url.searchParams.get('errorRate') ?? '0.5';
    if (url.pathname === '/incident' && !(Number(rate) > 0 && Number(rate) <= 1)) return answer(400, { error: 'errorRate must be in (0, 1]' });
    const change: FaultEnv = url.pathname === '/incident' ? { FAULT_ML_ERROR_RATE: rate } : { FAULT_ML_ERROR_RATE: null, FAULT_ML_LATENCY_MS: null };
    say(url.pathname === '/incident' ? `incident: restarting the service with FAULT_ML_ERROR_RATE=${rate} (ML variant only)` : 'clear: restarting the service without faults');
    restartWithEnv(managed, change).then(
      (result) => answer(200, { ok: true, restartedAtMs: Date.now(), variant: result.variant, fault: change }),
      (error: unknown) => answer(409, { error: error instanceof Error ? error.message : String(error) }),
    );
    return undefined;
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
