// `rollback` and `rollforward` wait for the operation's outcome by default: the CLI polls the operation
// API through a real listening server until it is done, refused or failed, prints it, and exits 1 unless
// it is done. `--no-wait` prints the id at once.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { makeApi, resetFixture } from '../http/api-fixtures.js';
import { sampleStatus } from '../http/recording-controller.js';
import { runCli } from './cli-harness.js';
import { listeningCli } from './listening-cli.js';

vi.setConfig({ testTimeout: 30_000 });

const fixture = makeApi();
const { app, controller } = fixture;
const cli = listeningCli(app);

beforeEach(() => {
  resetFixture(fixture);
  controller.targets = [sampleStatus()];
});

const submitted = () => controller.calls.filter((c) => c.method === 'submit').map((c) => (c.method === 'submit' ? c.request.kind : ''));

describe('rollback and rollforward wait for the outcome', () => {
  it('rollback: waits until done, prints the outcome, exit 0', async () => {
    controller.operationOutcome = { status: 'done', message: 'rollback to baseline verified in 1.9 s' };
    const res = await runCli(cli.bundle, ['rollback', 'prediction-service', '--reason', 'bad predictions'], cli.env);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(
      /^Rollback of prediction-service accepted: operation (op-\d+); waiting for the outcome \(--no-wait to skip\)\.\.\.\nRollback of prediction-service done: rollback to baseline verified in 1\.9 s\.\n$/,
    );
    expect(res.stderr).toBe('');
    expect(submitted()).toEqual(['rollback']);
  });

  it('rollforward: a failed switch is printed with its message, exit 1', async () => {
    controller.operationOutcome = { status: 'failed', message: 'prediction-service: health check never passed; previous container restored' };
    const res = await runCli(cli.bundle, ['rollforward', 'prediction-service', '--reason', 'fixed'], cli.env);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^guardrail: roll-forward of prediction-service failed \(operation op-\d+\): prediction-service: health check never passed; previous container restored\n$/);
  });

  it('a refused operation (the engine said no when its turn came) exits 1 with the reason', async () => {
    controller.operationOutcome = { status: 'refused', message: 'already rolled back' };
    const res = await runCli(cli.bundle, ['rollback', 'prediction-service', '--reason', 'r'], cli.env);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/rollback of prediction-service refused \(operation op-\d+\): already rolled back\n$/);
  });

  it('--json prints the final operation', async () => {
    controller.operationOutcome = { status: 'done', message: 'now rolled_back' };
    const res = await runCli(cli.bundle, ['rollback', 'prediction-service', '--reason', 'r', '--json'], cli.env);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ operation: { kind: 'rollback', target: 'prediction-service', status: 'done', message: 'now rolled_back' } });
  });

  it('an operation that does not finish within --wait-timeout: exit 1, says it is still queued', async () => {
    controller.operationOutcome = null;
    const res = await runCli(cli.bundle, ['rollback', 'prediction-service', '--reason', 'r', '--wait-timeout', '2s'], cli.env);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^guardrail: operation op-\d+ still queued after 2s; follow it with: guardrail status prediction-service\n$/);
  });

  it('--no-wait returns at once with the accepted operation, without polling', async () => {
    controller.operationOutcome = null;
    const res = await runCli(cli.bundle, ['rollforward', 'prediction-service', '--no-wait'], cli.env);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Roll-forward of prediction-service accepted: operation op-\d+ \(queued\)\.\n/);
  });
});
