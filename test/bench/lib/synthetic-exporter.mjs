// A synthetic scrape target for bench:scale: ONE node:http server whose /metrics holds the prediction
// service's metric contract (docs/service/shadow-and-metrics.md) for N services, told apart by a `service` label. Counters
// grow with wall time at a steady, healthy rate (50–90 rps, 0.5–1.5% errors by service, ~20 ms latency),
// so every policy query has data and none breaches: the benchmark measures the cost of evaluating, not of
// acting. Services differ in rate and error share so a test can tell their answers apart. Runs as its own
// process so its CPU is not counted as the controller's.
//   node synthetic-exporter.mjs <services> <port> [services-without-5xx, comma-separated, e.g. svc-2]
import http from 'node:http';

const services = Number(process.argv[2] ?? 10);
const port = Number(process.argv[3] ?? 0);
const without5xx = new Set((process.argv[4] ?? '').split(',').filter((s) => s !== ''));
const RPS = 50;
const ERROR_SHARE = 0.005;
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// Share of requests at or under each bucket bound: a latency distribution centred near 20 ms.
const CUMULATIVE = [0.02, 0.2, 0.6, 0.9, 0.97, 0.99, 0.995, 0.999, 1, 1, 1];
const started = Date.now();

function render() {
  const elapsed = (Date.now() - started) / 1000;
  const lines = [];
  const push = (name, labels, value) => lines.push(`${name}{${labels}} ${value}`);
  lines.push('# TYPE http_requests_total counter', '# TYPE http_request_duration_seconds histogram');
  lines.push('# TYPE prediction_invalid_input_total counter', '# TYPE model_info gauge', '# TYPE model_predictions_total counter');
  for (let i = 0; i < services; i++) {
    const s = `service="svc-${i}"`;
    const route = `${s},method="POST",route="/predict"`;
    const total = (RPS + 10 * (i % 5)) * elapsed;
    const errorShare = without5xx.has(`svc-${i}`) ? 0 : ERROR_SHARE * (1 + (i % 3));
    push('http_requests_total', `${route},status_code="200"`, total * (1 - errorShare));
    if (errorShare > 0) push('http_requests_total', `${route},status_code="500"`, total * errorShare);
    BUCKETS.forEach((le, b) => push('http_request_duration_seconds_bucket', `${route},status_code="200",le="${le}"`, total * (CUMULATIVE[b] ?? 1)));
    push('http_request_duration_seconds_bucket', `${route},status_code="200",le="+Inf"`, total);
    push('http_request_duration_seconds_sum', `${route},status_code="200"`, total * 0.02);
    push('http_request_duration_seconds_count', `${route},status_code="200"`, total);
    push('prediction_invalid_input_total', `${s},reason="wrong_type"`, total * 0.001);
    push('model_info', `${s},variant="ml",version="v1"`, 1);
    push('model_predictions_total', `${s},variant="ml",prediction="1"`, total * 0.1);
    push('model_predictions_total', `${s},variant="ml",prediction="0"`, total * 0.9);
  }
  return `${lines.join('\n')}\n`;
}

const server = http.createServer((req, res) => {
  if (req.url !== '/metrics') {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
  res.end(render());
});
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : port, services }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
