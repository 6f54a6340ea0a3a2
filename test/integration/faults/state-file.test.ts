// Fault: the state directory goes read-only, and state.json is damaged while a rollback is active.
// - Read-only (chattr +i on the directory: root ignores plain permissions): the rollback happens anyway,
//   one CRITICAL GuardrailStateNotSaved names the error, status/readyz say NOT SAVING; writable again,
//   the next save resolves it.
// - state.json truncated, random bytes, a future schema version, an unknown phase, an unknown variant:
//   after a restart Guardrail is in safe mode naming the problem (GuardrailStateCorrupt, CRITICAL), touches
//   nothing — the baseline keeps serving, the file is not rewritten — and the good file brings it back.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTHY, startFaultStack, TOKEN, waitUntil, type FaultStack } from './harness.js';

const run = promisify(execFile);
let stack: FaultStack;
let stateDir = '';
beforeAll(async () => {
  stack = await startFaultStack();
  stateDir = join(stack.dir, 'state');
}, 120_000);
afterAll(async () => {
  await run('chattr', ['-i', stateDir]).catch(() => undefined);
  await stack?.stop();
});

const api = () => `${stack.prefix}-api`;
async function operate(op: 'rollforward', body: object): Promise<void> {
  const response = await fetch(`${stack.controller.url}/api/v1/targets/faults/${op}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
}
const statePath = () => join(stateDir, 'state.json');

describe('fault: the state directory read-only, then state.json damaged, while a rollback is active', () => {
  it('read-only: rolls back anyway, CRITICAL GuardrailStateNotSaved, NOT SAVING in status; writable again resolves it', async () => {
    await waitUntil('a first healthy evaluation', 20_000, async () => ((await stack.target())?.lastEvaluation?.verdicts.every((v) => v.status === 'ok') === true ? true : undefined), 500);
    await run('chattr', ['+i', stateDir]);
    stack.setMetrics({ ...HEALTHY, errorRatio: 0.4 });
    await waitUntil('the rollback', 30_000, async () => ((await stack.target())?.phase === 'rolled_back' ? true : undefined), 500);
    expect(await stack.variants()).toEqual({ [api()]: 'baseline' });
    await waitUntil('the CRITICALs in Alertmanager', 10_000, async () => ((await stack.activeAlerts()).filter((n) => n === 'GuardrailStateNotSaved').length === 2 ? true : undefined), 500);
    const alerts = (await stack.alertmanager.alerts({ active: true })).filter((a) => a.labels['alertname'] === 'GuardrailStateNotSaved');
    expect(alerts.map((a) => `${a.labels['kind']}/${a.labels['severity']}`).sort()).toEqual(['history/critical', 'state/critical']);
    expect(alerts.find((a) => a.labels['kind'] === 'state')?.annotations['summary']).toMatch(/^Guardrail cannot save its state file: EPERM: operation not permitted/);
    expect((await stack.status()).detail).toMatch(/NOT SAVING: .*state not saved since /);

    // Writable again: the next saves (a roll-forward to the still-broken ML, rolled back again at once by
    // the critical reason) resolve both.
    await run('chattr', ['-i', stateDir]);
    await operate('rollforward', { reason: 'disk fixed' });
    await waitUntil('rolled back again', 30_000, async () => ((await stack.history()).filter((e) => e.action === 'rollback' && e.result === 'succeeded').length === 1 && (await stack.target())?.phase === 'rolled_back' ? true : undefined), 500);
    await waitUntil('the alerts resolved', 15_000, async () => ((await stack.activeAlerts()).includes('GuardrailStateNotSaved') ? undefined : true), 500);
    expect((await stack.status()).detail).not.toContain('NOT SAVING');
    expect(JSON.parse(await readFile(statePath(), 'utf8'))).toMatchObject({ state: { targets: { faults: { phase: 'rolled_back' } } } });
    // What happened while nothing could be saved is missing from the history (the CRITICAL said so).
    expect((await stack.history()).map((e) => `${e.action}:${e.result}`)).toEqual(['rollback:succeeded', 'rollforward:succeeded']);
  });

  const good = async () => JSON.parse(await readFile(statePath(), 'utf8')) as { version: number; state: { targets: Record<string, Record<string, unknown>>; variants: Record<string, unknown> } };
  const damages: [string, (text: string) => Promise<string>, RegExp][] = [
    ['truncated', async (text) => text.slice(0, text.length / 2), /not valid JSON/],
    ['random bytes', async () => randomBytes(300).toString('latin1'), /not valid JSON|not an object/],
    ['a future schema version', async () => JSON.stringify({ ...(await good()), version: 99 }), /schema version 99 is not the version \d+ this build reads/],
    ['an unknown phase', async () => {
      const g = await good();
      (g.state.targets['faults'] as Record<string, unknown>)['phase'] = 'exploded';
      return JSON.stringify(g);
    }, /target faults: unknown phase "exploded"/],
    ['an unknown variant', async () => {
      const g = await good();
      g.state.variants['faults'] = 'v9';
      return JSON.stringify(g);
    }, /target faults: runs "v9", which policy faults does not name/],
  ];

  it.each(damages)('state.json %s: safe mode naming it, nothing touched, the baseline keeps serving', async (_name, damage, problem) => {
    const original = await readFile(statePath(), 'utf8');
    const damaged = await damage(original);
    // Written while the daemon is stopped: a running one saves its state on the way out, over the damage.
    await stack.restartController(() => writeFile(statePath(), damaged));
    const status = await stack.status();
    expect(status).toMatchObject({ ready: false, detail: expect.stringMatching(/^SAFE MODE: state file cannot be trusted/) });
    expect(status.detail).toMatch(problem);
    await new Promise((r) => setTimeout(r, 2_000)); // two ticks
    expect(await stack.variants()).toEqual({ [api()]: 'baseline' });
    expect(await readFile(statePath(), 'utf8')).toBe(damaged);
    await waitUntil('GuardrailStateCorrupt in Alertmanager', 10_000, async () => ((await stack.activeAlerts()).includes('GuardrailStateCorrupt') ? true : undefined), 500);

    await stack.restartController(() => writeFile(statePath(), original));
    expect((await stack.status()).targets[0]).toMatchObject({ phase: 'rolled_back', variant: 'baseline' });
  });
});
