// A baseline that cannot start, on a real single-node swarm (issue 18): the service's tasks exit at start
// when they run MODEL_VARIANT=baseline. A manual rollback through the runtime (the wiring's actuator,
// routed by selector kind to the Swarm actuator) updates the service; Swarm sees the new task fail, rolls
// back to the previous spec by itself (failure_action rollback); the actuator verifies every task serves
// ML again and reports a restored failure; the engine goes to `failed` with the CRITICAL
// GuardrailRollbackFailed alert at the alert sink.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookSink } from '../../controller/adapters/alerts/index.js';
import { filePolicySource } from '../../controller/adapters/policy/index.js';
import { Runtime } from '../../controller/runtime/runtime.js';
import { PolicyScopedActuator } from '../../controller/wiring/actuator.js';
import { openStorage } from '../../controller/wiring/storage.js';
import { startHttpRecorder, type HttpRecorder } from '../helpers/http-recorder.js';
import {
  blindMetrics,
  cleanupStack,
  createFixtureService,
  createOverlay,
  docker,
  fixtureImage,
  servedVariants,
  stackPrefix,
  taskValues,
  updateStatus,
  waitForRunning,
  writeSwarmPolicy,
} from './swarm-fixture.js';

const REPLICAS = 2;
const client = docker();
const stack = stackPrefix('fail');
const serviceName = `${stack}_api`;
let dir: string;
let sink: HttpRecorder;
let runtime: Runtime;

beforeAll(async () => {
  const image = await fixtureImage(client);
  const network = await createOverlay(client, stack);
  await createFixtureService(client, {
    stack,
    name: 'api',
    network,
    image,
    replicas: REPLICAS,
    env: ['EXIT_AT_START_FOR_VARIANT=baseline'],
  });
  await waitForRunning(client, serviceName, REPLICAS);
  dir = await mkdtemp(join(tmpdir(), 'guardrail-swarm-fail-'));
  await writeSwarmPolicy(dir, { name: 'fail', stack, services: ['api'], parallelism: 1, timeout: '60s' });
  sink = await startHttpRecorder();
  const logger = pino({ level: 'silent' });
  const actuator = new PolicyScopedActuator(logger);
  const { store, history } = await openStorage(join(dir, 'state'));
  runtime = new Runtime({
    policyPaths: [dir],
    policySource: filePolicySource,
    metricsSource: blindMetrics,
    actuator,
    onPolicies: (policies) => actuator.setPolicies(policies),
    sinks: [new WebhookSink({ url: `${sink.url}/alerts` })],
    store,
    history,
    logger,
    schedule: false,
    watch: false,
  });
  await runtime.start();
});

afterAll(async () => {
  await runtime?.stop();
  await sink?.stop();
  await cleanupStack(client, stack);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('a rollback to a baseline whose tasks cannot start', () => {
  it('Swarm rolls the service back to ML, every task serves ML, and the CRITICAL alert goes out', async () => {
    const outcome = await runtime.submit('fail', {
      kind: 'rollback',
      actor: 'test',
      reason: 'drill: baseline cannot start',
    });
    expect(outcome.outcome).toBe('accepted');
    await runtime.idle();

    const [status] = runtime.status();
    expect(status?.phase).toBe('failed');
    const alert = await sink.waitFor(
      (r) => JSON.stringify(r.json).includes('GuardrailRollbackFailed'),
      10_000,
    );
    const body = JSON.stringify(alert.json);
    console.log('alert:', body.slice(0, 600));
    expect(body, body).toContain('critical');
    expect(body, body).toContain('Swarm rolled the update back');
    expect(body, body).toContain('previous spec restored and verified');

    expect((await updateStatus(client, serviceName))?.State).toBe('rollback_completed');
    expect(await taskValues(client, serviceName)).toEqual(Array(REPLICAS).fill(null));
    expect(await servedVariants(client, serviceName)).toEqual(Array(REPLICAS).fill('ml'));
    const spec = (
      (await client.getService(serviceName).inspect()) as {
        Spec: { TaskTemplate: { ContainerSpec: { Env?: string[] } } };
      }
    ).Spec;
    expect(spec.TaskTemplate.ContainerSpec.Env).toEqual([
      'MODEL_VARIANT',
      'EXIT_AT_START_FOR_VARIANT=baseline',
    ]);
    const { entries } = await runtime.history({ target: 'fail', limit: 10, offset: 0 });
    expect(entries.map((e) => [e.action, e.result])).toEqual([['rollback', 'restored']]);
  });
});
