// A webhook sink on the host that the controller *container* can reach: an HTTP server that records the
// JSON alerts POSTed to it. It listens on the default bridge's gateway address (docker0, e.g. 172.17.0.1),
// which is what `host.docker.internal:host-gateway` resolves to inside a container, and not on 0.0.0.0:
// nothing outside this host's bridges can talk to it.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { networkInterfaces } from 'node:os';

export interface SinkAlert {
  readonly name: string;
  readonly severity: string;
  readonly status: string;
  readonly dedupKey: string;
  readonly target: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly receivedAtMs: number;
}

export interface WebhookSink {
  /** The URL as the controller container must use it. */
  readonly urlFromContainers: string;
  readonly alerts: readonly SinkAlert[];
  stop(): Promise<void>;
}

/** docker0's IPv4 address (host-gateway resolves to it; the IPAM config often lists only the subnet). */
function bridgeGateway(): string {
  const docker0 = networkInterfaces()['docker0']?.find((address) => address.family === 'IPv4');
  if (docker0 !== undefined) return docker0.address;
  // Node lists only interfaces that are up; docker0 is down while no container uses the default bridge.
  try {
    const line = execFileSync('ip', ['-4', '-o', 'addr', 'show', 'docker0'], { encoding: 'utf8' });
    const match = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(line);
    if (match?.[1] !== undefined) return match[1];
  } catch {
    // no `ip` tool or no docker0: ask Docker
  }
  const out = execFileSync('docker', ['network', 'inspect', 'bridge', '-f', '{{range .IPAM.Config}}{{.Gateway}} {{end}}'], { encoding: 'utf8' });
  const gateway = out.trim().split(/\s+/).find((address) => /^\d+\.\d+\.\d+\.\d+$/.test(address));
  if (gateway === undefined) throw new Error(`no docker0 address and the default bridge network has no IPv4 gateway: ${out}`);
  return gateway;
}

function isSinkAlert(value: unknown): value is Omit<SinkAlert, 'receivedAtMs'> {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record['name'] === 'string' && typeof record['severity'] === 'string' && typeof record['dedupKey'] === 'string';
}

export async function startWebhookSink(): Promise<WebhookSink> {
  const alerts: SinkAlert[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (isSinkAlert(body)) alerts.push({ ...body, receivedAtMs: Date.now() });
      } catch {
        // not JSON: not an alert, ignored
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  const host = bridgeGateway();
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('sink has no TCP address'));
      else resolve(address.port);
    });
  });
  return {
    urlFromContainers: `http://host.docker.internal:${port}/alerts`,
    alerts,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
