// The stack's front door (docker/front-door/haproxy.cfg, docs/front-door.md) checked against
// compose.yaml and the stack's policy: it alone publishes the API's and the consumer's host ports, it sends to
// the compose aliases the policy switches, re-resolves them quickly and retries a failed request on another
// address; the policy's start-first switch relies on exactly that, so its strategy and standbys are checked
// with it. Behaviour under load on real Docker: test/integration/docker/front-door.test.ts.
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readRepoFile } from './stack-files.js';

type Yaml = Record<string, unknown>;
const services = (parseYaml(readRepoFile('docker/compose.yaml')) as { services: Record<string, Yaml> }).services;
const cfg = readRepoFile('docker/front-door/haproxy.cfg');
const stackPolicy = parseYaml(readRepoFile('docker/controller/policies/prediction-service.yaml')) as {
  target: { compose: { services: string[] }; strategy: string; warmStandby?: unknown; stopSignal?: string };
};

/** A section's lines (up to the next section), comments dropped; `name` '' for `defaults`/`global`. */
function section(kind: string, name: string): string[] {
  const lines = cfg.split('\n').map((l) => l.replace(/#.*$/, '').trimEnd());
  const start = lines.findIndex((l) => l === (name === '' ? kind : `${kind} ${name}`));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && /^\S/.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).map((l) => l.trim()).filter((l) => l !== '');
}

describe('the front door in docker/compose.yaml', () => {
  it('alone publishes the API (API_PORT -> 8000) and the consumer (CONSUMER_PORT -> 8001); the model services publish nothing', () => {
    expect(services['front-door']?.['ports']).toEqual(['${BIND_ADDRESS:-127.0.0.1}:${API_PORT:-8000}:8000', '${BIND_ADDRESS:-127.0.0.1}:${CONSUMER_PORT:-8001}:8001']);
    expect(services['api']?.['ports']).toBeUndefined();
    expect(services['prediction-consumer']?.['ports']).toBeUndefined();
  });

  it('runs the offline HAProxy image with the stack config, read-only and without capabilities', () => {
    const door = services['front-door'] ?? {};
    expect(door['image']).toBe('haproxy:2.6-bookworm');
    // The same stand-in as the Docker API proxy's, built offline from Debian's haproxy.
    expect(services['docker-proxy']?.['image']).toBe(door['image']);
    expect(/^ALL_TAGS="([^"]*)"/m.exec(readRepoFile('docker/offline/build-base-images.sh'))?.[1]?.split(' ')).toContain(door['image']);
    expect(door['volumes']).toEqual(['./front-door/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro']);
    expect(door['read_only']).toBe(true);
    expect(door['cap_drop']).toEqual(['ALL']);
    // It needs no service to start: the addresses come from DNS when the containers exist.
    expect(door['depends_on']).toBeUndefined();
  });
});

describe('docker/front-door/haproxy.cfg', () => {
  it('sends :8000 to the alias api and :8001 to the alias prediction-consumer, resolved through Docker DNS', () => {
    expect(section('frontend', 'api')).toEqual(['bind :8000', 'default_backend api']);
    expect(section('frontend', 'consumer')).toEqual(['bind :8001', 'default_backend consumer']);
    expect(section('backend', 'api')).toContain('server-template api 1-8 api:8000');
    expect(section('backend', 'consumer')).toContain('server-template consumer 1-8 prediction-consumer:8000');
    for (const backend of ['api', 'consumer']) {
      expect(section('backend', backend).join('\n'), backend).toMatch(/default-server init-addr none resolvers docker /);
    }
    expect(section('resolvers', 'docker')).toContain('nameserver docker 127.0.0.11:53');
  });

  it('re-resolves every 100 ms, drops a departed address at once, and retries a failed request on another address', () => {
    const resolvers = section('resolvers', 'docker');
    expect(resolvers).toContain('timeout resolve 100ms');
    expect(resolvers).toContain('hold obsolete 0s');
    const defaults = section('defaults', '');
    expect(defaults).toContain('retry-on conn-failure empty-response 503');
    expect(defaults).toContain('option redispatch 1');
    expect(defaults).toContain('retries 2');
  });

  it('exports its own metrics on :8405, which Prometheus scrapes as job front-door', () => {
    expect(section('frontend', 'metrics')).toEqual(expect.arrayContaining(['bind :8405', 'http-request use-service prometheus-exporter if { path /metrics }']));
    const prometheus = parseYaml(readRepoFile('docker/prometheus/prometheus.yml')) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
    const job = prometheus.scrape_configs.find((j) => j.job_name === 'front-door');
    expect(job?.static_configs.flatMap((c) => c.targets)).toEqual(['front-door:8405']);
  });

  it('fronts every service the stack policy switches with start-first, and that policy keeps a standby for the api only', () => {
    expect(stackPolicy.target.strategy).toBe('start-first');
    expect(stackPolicy.target.warmStandby).toEqual(['api']);
    const fronted = [...cfg.matchAll(/server-template \S+ \S+ ([\w-]+):8000/g)].map((m) => m[1]);
    expect(fronted.sort()).toEqual([...stackPolicy.target.compose.services].sort());
  });
});
