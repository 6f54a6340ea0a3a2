// docker/make-secrets.sh, run on a scratch copy of docker/: every secret 0600 and owned by the one
// container user that reads it, Alertmanager's web config holding a bcrypt hash of each password, and a
// second run that keeps every token and repairs a file an older version wrote 0644.
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../../helpers/compose.js';

let root = '';
const secrets = () => join(root, 'docker', 'secrets');

function makeSecrets(env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [join(root, 'docker', 'make-secrets.sh')], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'guardrail-secrets-'));
  await mkdir(join(root, 'docker'));
  for (const file of ['make-secrets.sh', 'alertmanager-web-config.mjs']) await copyFile(join(REPO, 'docker', file), join(root, 'docker', file));
  await symlink(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
});
afterAll(async () => rm(root, { recursive: true, force: true }));

const FILES = {
  'guardrail-token': 1000,
  'guardrail-webhook-token': 1000,
  'alertmanager-password-controller': 1000,
  'alertmanager-webhook-token': 65534,
  'alertmanager-password-prometheus': 65534,
  'alertmanager-web.yml': 65534,
  'grafana-admin-password': 472,
} as const;

describe('docker/make-secrets.sh', () => {
  it('writes every secret 0600, owned by its reader, and a web config that accepts exactly the three passwords', async () => {
    await makeSecrets({ GUARDRAIL_TOKEN: 'given-operator-token-0123456789', GRAFANA_ADMIN_PASSWORD: 'given-grafana-password-0123' });
    expect((await stat(secrets())).mode & 0o777).toBe(0o700);
    for (const [file, uid] of Object.entries(FILES)) {
      const info = await stat(join(secrets(), file));
      expect(info.mode & 0o777, file).toBe(0o600);
      if (process.getuid?.() === 0) expect(info.uid, file).toBe(uid);
    }
    expect((await stat(join(secrets(), 'alertmanager-password-operator'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(secrets(), 'guardrail-token'), 'utf8')).toBe('given-operator-token-0123456789');
    expect(await readFile(join(secrets(), 'grafana-admin-password'), 'utf8')).toBe('given-grafana-password-0123');
    expect(await readFile(join(secrets(), 'alertmanager-webhook-token'), 'utf8')).toBe(await readFile(join(secrets(), 'guardrail-webhook-token'), 'utf8'));
    const web = parseYaml(await readFile(join(secrets(), 'alertmanager-web.yml'), 'utf8')) as { basic_auth_users: Record<string, string> };
    expect(Object.keys(web.basic_auth_users)).toEqual(['prometheus', 'controller', 'operator']);
    for (const user of ['prometheus', 'controller', 'operator']) {
      const password = await readFile(join(secrets(), `alertmanager-password-${user}`), 'utf8');
      expect(password).toMatch(/^[0-9a-f]{64}$/);
      expect(bcrypt.compareSync(password, web.basic_auth_users[user] ?? ''), user).toBe(true);
      expect(bcrypt.compareSync(`${password}x`, web.basic_auth_users[user] ?? ''), user).toBe(false);
    }
  });

  it('a second run keeps every secret and the hashes, and repairs a 0644 file', async () => {
    const before = Object.fromEntries(await Promise.all(Object.keys(FILES).map(async (f) => [f, await readFile(join(secrets(), f), 'utf8')] as const)));
    await chmod(join(secrets(), 'guardrail-token'), 0o644);
    const output = await makeSecrets();
    expect(output).toBe('');
    for (const file of Object.keys(FILES)) expect(await readFile(join(secrets(), file), 'utf8'), file).toBe(before[file]);
    expect((await stat(join(secrets(), 'guardrail-token'))).mode & 0o777).toBe(0o600);
  });

  it('a changed webhook token reaches Alertmanager\'s copy', async () => {
    await writeFile(join(secrets(), 'guardrail-webhook-token'), 'rotated-webhook-token-0123456789');
    expect(await makeSecrets()).toContain('wrote');
    expect(await readFile(join(secrets(), 'alertmanager-webhook-token'), 'utf8')).toBe('rotated-webhook-token-0123456789');
  });
});
