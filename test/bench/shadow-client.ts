// Benchmark (not a test) behind the shadow mirror's choice of HTTP client (service/shadow/candidate-client.ts):
// CPU per mirrored request of the client the service uses (node:http, one keep-alive Agent) side by side
// with Node's built-in fetch (undici, its default keep-alive pool), in one run, alternating rounds. Both
// post the bench body to the same small node:http server in this process, which answers like /predict, so
// the figure is client + that server; the server's share is the same for both. `npx tsx test/bench/shadow-client.ts`
// Env: BENCH_SHADOW_CLIENT_REQUESTS (per round, default 4000), BENCH_SHADOW_CLIENT_ROUNDS (default 5),
//      BENCH_SHADOW_CLIENT_CONCURRENCY (default 4).
import { createServer } from 'node:http';
import { candidateClient } from '../../service/shadow/candidate-client.js';
import { close, listen } from '../helpers/http-recorder.js';
import { BenchLoad, machineLine } from './lib/machine.js';

const REQUESTS = Number(process.env['BENCH_SHADOW_CLIENT_REQUESTS'] ?? 4000);
const ROUNDS = Number(process.env['BENCH_SHADOW_CLIENT_ROUNDS'] ?? 5);
const CONCURRENCY = Number(process.env['BENCH_SHADOW_CLIENT_CONCURRENCY'] ?? 4);
const BODY = JSON.stringify({ price: 50_000, midprice: 50_001.5, return_1s: 0.0004, return_5s: -0.0011, volatility: 0.00031 });
const ANSWER = '{"prediction":1,"probability":0.3995,"model_version":"xgb-dbc5b1673f8c","model_variant":"ml","timestamp":1795771280.43}';

type Send = (done: () => void) => void;

/** CPU µs per request for `n` requests, `CONCURRENCY` outstanding at a time. */
async function round(send: Send, n: number): Promise<number> {
  let inFlight = 0;
  let sent = 0;
  let finished = 0;
  const before = process.cpuUsage();
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (inFlight < CONCURRENCY && sent < n) {
        inFlight++;
        sent++;
        send(() => {
          inFlight--;
          if (++finished === n) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const load = new BenchLoad();
  console.log(`machine: ${machineLine(load)}`);
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER));
  });
  const url = `http://127.0.0.1:${await listen(server)}`;
  const client = candidateClient({ baseUrl: url, timeoutMs: 1000, maxSockets: 64 });
  const clients: Record<string, Send> = {
    'node:http Agent (the service)': (done) => client.post('/predict', BODY, () => done()),
    'fetch (undici)': (done) => {
      const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY, signal: AbortSignal.timeout(1000) };
      void fetch(`${url}/predict`, init).then((r) => r.text()).then(() => done(), () => done());
    },
  };
  const figures: Record<string, number[]> = Object.fromEntries(Object.keys(clients).map((k) => [k, []]));
  for (const send of Object.values(clients)) await round(send, 1000); // warm-up
  for (let r = 0; r < ROUNDS; r++) for (const [name, send] of Object.entries(clients)) figures[name]?.push(await round(send, REQUESTS));
  client.close();
  await close(server);
  console.log(`\n${ROUNDS} alternating rounds of ${REQUESTS} requests, ${CONCURRENCY} outstanding; CPU µs per request (client + the in-process server):`);
  console.log('| client | median | rounds |\n|---|---:|---|');
  for (const [name, xs] of Object.entries(figures)) console.log(`| ${name} | ${median(xs).toFixed(1)} | ${xs.map((x) => x.toFixed(0)).join(' ')} |`);
  console.log(`\n${load.endLine()}`);
}

await main();
