import type Docker from 'dockerode';

// The fault matrix's containers (harness.ts): fixture containers with a published port, and what each
// running one serves. Names carry the stack's prefix, so cleanup(prefix) removes them.

/** Starts a fixture container (variant-server.mjs; MODEL_VARIANT absent = ml) publishing 8000 on a free loopback port. */
export async function createFixture(client: Docker, image: string, name: string, env: Readonly<Record<string, string>>): Promise<void> {
  const container = await client.createContainer({
    name,
    Image: image,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    ExposedPorts: { '8000/tcp': {} },
    HostConfig: { PortBindings: { '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  });
  await container.start();
}

/** Running containers named with the prefix → their published port for 8000. */
export async function publishedPorts(client: Docker, prefix: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const info of await client.listContainers({ filters: { name: [prefix] } })) {
    const port = info.Ports.find((p) => p.PrivatePort === 8000 && p.PublicPort !== undefined)?.PublicPort;
    if (port !== undefined) out.set((info.Names[0] ?? '').replace(/^\//, ''), port);
  }
  return out;
}

export async function servedVariants(client: Docker, prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, port] of await publishedPorts(client, prefix)) {
    const body = await fetch(`http://127.0.0.1:${port}/version`, { signal: AbortSignal.timeout(2_000) })
      .then(async (r) => (await r.json()) as { model_variant?: string })
      .catch((error: unknown) => ({ model_variant: `unreachable (${String(error)})` }));
    out[name] = body.model_variant ?? 'no model_variant';
  }
  return out;
}
