// A bounded, open-loop HTTP load generator for the benchmarks. Plain JavaScript so the same file runs on
// the host (node test/bench/lib/load-client.mjs) and inside a container on a Docker network (bind-mounted,
// run by the image's own node), where a network alias resolves.
//
//   node load-client.mjs <url> <rps> <maxDurationMs> [jsonBody]
//
// Requests are sent on a fixed schedule (not "when the previous one finished"), each on a NEW connection
// that resolves the host name again, like a client without keep-alive: a closed port or a vanished
// container IP shows up as a failed request instead of being hidden by a pooled socket.
// Stops at maxDurationMs or on SIGTERM/SIGINT, waits for requests in flight, prints ONE JSON line.
// A failure is any non-2xx answer, connection error or 2 s timeout; its time is when the request was SENT.
import http from 'node:http';

const [url = 'http://127.0.0.1:8000/predict', rpsArg = '100', maxArg = '30000', body] = process.argv.slice(2);
const rps = Number(rpsArg);
const maxDurationMs = Number(maxArg);
if (!(rps > 0 && rps <= 5000) || !(maxDurationMs > 0 && maxDurationMs <= 600_000)) {
  console.error('load-client: rps must be in (0, 5000] and maxDurationMs in (0, 600000]');
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: false });
const counts = { sent: 0, ok: 0, failed: 0, errors: {}, variants: {} };
/** Send time of the first request that failed with each error kind / succeeded with each variant. */
const firstErrorAt = {};
const lastErrorAt = {};
const firstVariantAt = {};
/** When the first answer from each variant ARRIVED (a request can wait in Docker's proxy during a switch). */
const firstVariantAnsweredAt = {};
/** Send times (epoch ms) of failed requests, for windows and for "error rate per second" timelines. */
const failedAt = [];
/** Send-to-last-byte time (ms, fractional) of every 2xx answer, for latency percentiles. */
const okLatencyMs = [];
/** Send times of every request, bucketed per 100 ms: [bucketStartMs, sent, failed]. */
const buckets = new Map();
const startedAt = Date.now();
let stopping = false;

function bucketOf(at) {
  const key = Math.floor(at / 100) * 100;
  let b = buckets.get(key);
  if (b === undefined) {
    b = [key, 0, 0];
    buckets.set(key, b);
  }
  return b;
}

function once() {
  const sentAt = Date.now();
  const sentHr = process.hrtime.bigint();
  counts.sent += 1;
  bucketOf(sentAt)[1] += 1;
  return new Promise((resolve) => {
    let settled = false;
    const fail = (why) => {
      if (settled) return;
      settled = true;
      counts.failed += 1;
      counts.errors[why] = (counts.errors[why] ?? 0) + 1;
      firstErrorAt[why] = Math.min(firstErrorAt[why] ?? sentAt, sentAt);
      lastErrorAt[why] = Math.max(lastErrorAt[why] ?? sentAt, sentAt);
      failedAt.push(sentAt);
      bucketOf(sentAt)[2] += 1;
      resolve();
    };
    const req = http.request(
      url,
      {
        agent,
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        timeout: 2000,
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('error', (e) => fail(e.code ?? e.message));
        res.on('end', () => {
          if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode > 299) return fail(`http_${res.statusCode}`);
          if (settled) return;
          settled = true;
          counts.ok += 1;
          okLatencyMs.push(Number(process.hrtime.bigint() - sentHr) / 1e6);
          try {
            const parsed = JSON.parse(text);
            const v = parsed.model_variant ?? parsed.variant ?? 'unknown';
            counts.variants[v] = (counts.variants[v] ?? 0) + 1;
            firstVariantAt[v] = Math.min(firstVariantAt[v] ?? sentAt, sentAt);
            firstVariantAnsweredAt[v] ??= Date.now();
          } catch {
            /* a 2xx we cannot parse still counts as served */
          }
          resolve();
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => fail(e.code ?? e.message));
    req.end(body);
  });
}

/** P50/P95/P99 of the 2xx answers' latencies, ms with 0.01 precision (null without answers). */
function latencyPercentiles(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] * 100) / 100;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

const stop = () => (stopping = true);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

const inflight = new Set();
const interval = 1000 / rps;
while (!stopping && Date.now() - startedAt < maxDurationMs) {
  const p = once();
  inflight.add(p);
  void p.then(() => inflight.delete(p));
  const next = startedAt + counts.sent * interval;
  await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
}
const endedAt = Date.now();
await Promise.all([...inflight]);
console.log(
  JSON.stringify({
    ...counts,
    firstErrorAt,
    lastErrorAt,
    firstVariantAt,
    firstVariantAnsweredAt,
    startedAt,
    endedAt,
    firstFailureAt: failedAt.length === 0 ? null : failedAt.reduce((a, b) => Math.min(a, b)),
    lastFailureAt: failedAt.length === 0 ? null : failedAt.reduce((a, b) => Math.max(a, b)),
    buckets: [...buckets.values()].sort((a, b) => a[0] - b[0]),
    latencyMs: latencyPercentiles(okLatencyMs),
  }),
);
