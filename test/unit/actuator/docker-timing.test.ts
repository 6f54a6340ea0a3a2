// The Docker actuator's time decisions, on a manual clock (test/helpers/manual-clock.ts) and a real
// `docker inspect` (test/fixtures/docker/inspect-all-fields.json), to the millisecond: the start-first settle,
// when a restarted container counts as crash-looping, when a dead standby is replaced. The waits that need a
// Docker Engine (a signalled stop, the settle inside a switch, the standby retry end to end) run on a manual
// clock in test/integration/docker/clock.test.ts.
import type { ServiceSpec } from '../../../controller/core/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SourceContainer } from '../../../controller/adapters/docker/clone-config.js';
import { isCrashLooping, STEADY_RUN_MS } from '../../../controller/adapters/docker/crash-loop.js';
import { settleSince } from '../../../controller/adapters/docker/settle.js';
import { keptStandbyFate, STANDBY_RETRY_MS } from '../../../controller/adapters/docker/standby.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/docker/inspect-all-fields.json'), 'utf8'),
) as SourceContainer;

function container(change: (c: SourceContainer) => void): SourceContainer {
  const copy = structuredClone(fixture);
  change(copy);
  return copy;
}

describe('settleSince', () => {
  it('waits what is left of the settle since verification, on the clock', async () => {
    const clock = new ManualClock();
    const verifiedAtMs = clock.now();
    clock.advance(200); // the journal write after verified-new
    expect(await settleSince(clock, verifiedAtMs, 1_500)).toBe(1_300);
    expect(clock.sleeps).toEqual([1_300]);
    expect(clock.now() - verifiedAtMs).toBe(1_500);
  });

  it('does not wait once the settle has passed', async () => {
    const clock = new ManualClock();
    const verifiedAtMs = clock.now();
    clock.advance(1_500);
    expect(await settleSince(clock, verifiedAtMs, 1_500)).toBe(0);
    expect(clock.sleeps).toEqual([]);
  });

  it('really waits on the manual clock until the test moves it', async () => {
    const clock = new ManualClock({ autoAdvance: false });
    let settled: number | undefined;
    const settling = settleSince(clock, clock.now(), 300).then((ms) => (settled = ms));
    clock.advance(299);
    await Promise.resolve();
    expect(settled).toBeUndefined();
    clock.advance(1);
    await settling;
    expect(settled).toBe(300);
  });
});

describe('isCrashLooping', () => {
  const startedAt = Date.parse('2026-11-27T09:01:13.267Z');
  const restarted = (count: number, policy = 'unless-stopped') =>
    container((c) => {
      c.State.StartedAt = '2026-11-27T09:01:13.267Z';
      c.RestartCount = count;
      c.HostConfig.RestartPolicy = { Name: policy, MaximumRetryCount: 0 };
    });

  it('a container its policy restarted crash-loops until it has run STEADY_RUN_MS since', () => {
    expect(STEADY_RUN_MS).toBe(10_000);
    expect(isCrashLooping(restarted(2), startedAt + STEADY_RUN_MS - 1)).toBe(true);
    expect(isCrashLooping(restarted(2), startedAt + STEADY_RUN_MS)).toBe(false);
  });

  it('never restarted, or no restart policy: not crash-looping, however young', () => {
    expect(isCrashLooping(restarted(0), startedAt)).toBe(false);
    expect(isCrashLooping(restarted(3, 'no'), startedAt)).toBe(false);
  });

  it('restarting right now: crash-looping whatever the time', () => {
    const restarting = container((c) => {
      c.State.Restarting = true;
    });
    expect(isCrashLooping(restarting, startedAt + 3_600_000)).toBe(true);
  });
});

describe('keptStandbyFate', () => {
  const target = { variable: 'MODEL_VARIANT' } as ServiceSpec; // the only field it reads
  const finishedAt = '2026-11-27T10:00:00.000Z';
  const standby = (change: (c: SourceContainer) => void = () => undefined) =>
    container((c) => {
      c.Config.Env = ['MODEL_VARIANT=baseline'];
      change(c);
    });
  const dead = standby((c) => {
    c.State = { ...c.State, Status: 'exited', Running: false, ExitCode: 3, FinishedAt: finishedAt };
  });

  it('a dead standby is left until STANDBY_RETRY_MS after it ended, then replaced', () => {
    expect(STANDBY_RETRY_MS).toBe(60_000);
    const endedMs = Date.parse(finishedAt);
    expect(keptStandbyFate(dead, target, 'baseline', endedMs)).toBe('leave-dead');
    expect(keptStandbyFate(dead, target, 'baseline', endedMs + STANDBY_RETRY_MS - 1)).toBe('leave-dead');
    expect(keptStandbyFate(dead, target, 'baseline', endedMs + STANDBY_RETRY_MS)).toBe('replace-dead');
  });

  it('one its policy restarted counts as dead; a running one is probed; one of another value is replaced', () => {
    const restarted = standby((c) => {
      c.RestartCount = 1;
      c.State.FinishedAt = finishedAt;
    });
    const endedMs = Date.parse(finishedAt);
    expect(keptStandbyFate(restarted, target, 'baseline', endedMs + 1)).toBe('leave-dead');
    expect(keptStandbyFate(standby(), target, 'baseline', endedMs)).toBe('probe');
    expect(keptStandbyFate(standby(), target, 'ml', endedMs)).toBe('replace-stale');
  });
});
