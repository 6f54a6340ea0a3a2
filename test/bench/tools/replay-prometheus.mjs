// A stand-in for Prometheus's /api/v1/query that answers from recorded bodies, so the controller's own
// CPU per tick can be compared between two versions without Prometheus's evaluation (seconds per tick at
// 1000 targets on a shared machine, and the largest source of noise) in the same machine's load:
//   node replay-prometheus.mjs record <prometheusUrl> <file>   # proxies to Prometheus, saves each query's body
//   node replay-prometheus.mjs replay <file>                   # answers the saved body for the same query text
// Prints `URL http://127.0.0.1:<port>` once listening. Point bench:scale's worker at it
// (test/bench/lib/scale-worker.ts <mode> <targets> <url> <ticks> <spacingMs>): record with one tick against
// the real Prometheus of `npx tsx test/bench/tools/scale-ab.ts`-style setup, then replay for every run.
// The time= parameter is ignored: every tick reads the same answers (nothing breaches, as recorded).
// Answers are gzipped for a client that accepts it, as Prometheus's are.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { gzipSync } from 'node:zlib';

const [mode, first, second] = process.argv.slice(2);
if ((mode !== 'record' || second === undefined) && (mode !== 'replay' || first === undefined)) {
  console.error('usage: replay-prometheus.mjs record <prometheusUrl> <file> | replay <file>');
  process.exit(2);
}
const file = mode === 'record' ? second : first;
const saved = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};

async function queryOf(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  const params = new URLSearchParams(req.method === 'POST' ? body : new URL(req.url ?? '/', 'http://x').search);
  return params.get('query') ?? '';
}

const server = http.createServer((req, res) => {
  void queryOf(req).then(async (query) => {
    if (mode === 'record') {
      const answer = await fetch(`${first}/api/v1/query?${new URLSearchParams({ query })}`);
      const text = await answer.text();
      saved[query] = text;
      writeFileSync(file, JSON.stringify(saved));
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(text);
      return;
    }
    const text = saved[query];
    if (text === undefined) res.writeHead(400, { 'content-type': 'application/json' }).end('{"status":"error","errorType":"bad_data","error":"not recorded"}');
    // Gzipped when the client accepts it, as Prometheus does (the controller's CPU then includes inflating it).
    else if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync(text));
    else res.writeHead(200, { 'content-type': 'application/json' }).end(text);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`URL http://127.0.0.1:${server.address().port}`));
