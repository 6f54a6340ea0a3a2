// The alert inbox: where the stack's Alertmanager delivers the `operators` receiver out of the box
// (docker/alertmanager/alertmanager.yml), so an alert reaches a person on a machine with no Slack, no
// pager and no mail relay. Every notification is printed as one line to this container's log
// (`docker compose logs -f alert-inbox`) and listed, newest first, at http://127.0.0.1:9095 (the page
// refreshes itself) and as JSON at /api/notifications. It keeps the last MAX_KEPT alerts in memory; the
// log keeps the rest. Add real receivers next to it: docs/alerting.md. No dependencies: Node's stdlib only.
import http from 'node:http';

const PORT = Number(process.env.PORT ?? 9095);
const MAX_KEPT = 500;
const MAX_BODY_BYTES = 1 << 20;

/** Newest last. */
const kept = [];

function record(payload, receivedAt) {
  const alerts = Array.isArray(payload?.alerts) ? payload.alerts : [];
  for (const a of alerts) {
    const labels = a?.labels ?? {};
    const annotations = a?.annotations ?? {};
    const entry = {
      receivedAt,
      receiver: String(payload.receiver ?? ''),
      status: String(a?.status ?? payload.status ?? 'unknown'),
      alertname: String(labels.alertname ?? '(no alertname)'),
      severity: String(labels.severity ?? ''),
      summary: String(annotations.summary ?? ''),
      description: String(annotations.description ?? ''),
      labels,
      startsAt: String(a?.startsAt ?? ''),
      endsAt: String(a?.endsAt ?? ''),
    };
    kept.push(entry);
    const where = Object.entries(labels)
      .filter(([k]) => !['alertname', 'severity'].includes(k))
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    console.log(`${receivedAt} ${entry.status.toUpperCase()} ${entry.severity || '-'} ${entry.alertname} ${where} :: ${entry.summary}`);
  }
  if (kept.length > MAX_KEPT) kept.splice(0, kept.length - MAX_KEPT);
  return alerts.length;
}

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function page() {
  const rows = [...kept]
    .reverse()
    .map(
      (e) =>
        `<tr class="${escape(e.status)} ${escape(e.severity)}"><td>${escape(e.receivedAt)}</td><td>${escape(e.status)}</td><td>${escape(e.severity)}</td>` +
        `<td><b>${escape(e.alertname)}</b><br><small>${escape(Object.entries(e.labels).map(([k, v]) => `${k}=${v}`).join(' '))}</small></td>` +
        `<td>${escape(e.summary)}<br><small>${escape(e.description).replace(/\n/g, '<br>')}</small></td></tr>`,
    )
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="10"><title>Alert inbox</title>
<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px;vertical-align:top;text-align:left}
.firing.critical td:nth-child(2){color:#b00;font-weight:bold}.firing.warning td:nth-child(2){color:#b60}.resolved td{color:#777}</style></head>
<body><h1>Alert inbox</h1><p>${kept.length} notification(s) from Alertmanager's <code>operators</code> receiver, newest first (the last ${MAX_KEPT}; all of them are in <code>docker compose logs alert-inbox</code>). Refreshes every 10 s.</p>
<table><tr><th>received</th><th>status</th><th>severity</th><th>alert</th><th>summary</th></tr>
${rows || '<tr><td colspan="5">nothing yet</td></tr>'}</table></body></html>`;
}

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/-/healthy') return send(res, 200, 'text/plain', 'ok\n');
  if (req.method === 'GET' && path === '/api/notifications') return send(res, 200, 'application/json', JSON.stringify([...kept].reverse()));
  if (req.method === 'GET' && path === '/') return send(res, 200, 'text/html; charset=utf-8', page());
  if (req.method !== 'POST') return send(res, 404, 'text/plain', 'not found\n');
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) req.destroy();
    else chunks.push(chunk);
  });
  req.on('end', () => {
    let payload;
    try {
      payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, 'text/plain', 'not JSON\n');
    }
    const n = record(payload, new Date().toISOString());
    send(res, 200, 'application/json', JSON.stringify({ recorded: n }));
  });
});

server.listen(PORT, '0.0.0.0', () => console.log(`alert-inbox: listening on :${PORT}; open http://127.0.0.1:${PORT} (or the published port)`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
