// Pure helpers: history durations and resolution, actor sanitising, pause windows, CLI durations.
import { describe, expect, it } from 'vitest';
import { sanitiseActorName } from '../../../controller/http/actor.js';
import { formatHistoryDuration, reasonText } from '../../../controller/http/history-markdown.js';
import { MAX_PAUSE_MS, pauseUntil } from '../../../controller/http/pause-window.js';
import { humanDuration } from '../../../controller/cli/text-table.js';

const ended = '2026-11-27T09:00:00.000Z';

describe('history durations', () => {
  it.each([
    [0, '0s'],
    [1.9, '2s'],
    [59.4, '59s'],
    [59.6, '1min'],
    [600, '10min'],
    [3_540, '59min'],
    [3_599, '1h'],
    [3_900, '1h 5min'],
    [90_000, '25h'],
  ])('%s s -> %s', (seconds, text) => {
    expect(formatHistoryDuration({ durationSeconds: seconds, endedAt: ended })).toBe(text);
  });

  it('is "-" while the switch is in progress', () => {
    expect(formatHistoryDuration({ durationSeconds: null, endedAt: null })).toBe('-');
  });
});

describe('actor header', () => {
  it.each([
    ['alice', 'alice'],
    ['alice@example.com', 'alice@example.com'],
    ['a b\nc|d<e>', 'abcde'],
    ['\u00e9l\u00e8ve', 'lve'],
    ['', undefined],
    ['!!!', undefined],
  ])('%j -> %j', (raw, clean) => {
    expect(sanitiseActorName(raw)).toBe(clean);
  });

  it('takes the first of repeated headers and caps the length at 64', () => {
    expect(sanitiseActorName(['bob', 'eve'])).toBe('bob');
    expect(sanitiseActorName('x'.repeat(100))).toHaveLength(64);
  });
});

describe('pause window', () => {
  const now = Date.parse('2026-11-27T09:00:00Z');
  it('duration and until give the absolute expiry', () => {
    expect(pauseUntil({ duration: '1h30m' }, now)).toEqual({ ok: true, untilMs: now + 5_400_000 });
    expect(pauseUntil({ duration: '7d' }, now)).toEqual({ ok: true, untilMs: now + MAX_PAUSE_MS });
    expect(pauseUntil({ until: '2026-11-27T10:00:00+01:00' }, now)).toMatchObject({ ok: false });
    expect(pauseUntil({ until: '2026-11-27T11:00:00+01:00' }, now)).toEqual({ ok: true, untilMs: now + 3_600_000 });
  });

  it.each([
    [{}, /exactly one/],
    [{ duration: '30m', until: '2026-11-27T10:00:00Z' }, /exactly one/],
    [{ duration: '7d1s' }, /longer than 7 days/],
    [{ duration: '59s' }, /shorter than 1 minute/],
    [{ duration: '1w' }, /is not like/],
    [{ duration: '1.5h' }, /is not like/],
    [{ until: '2026-11-27' }, /not an ISO 8601 date-time/],
    [{ until: '2026-11-27T08:59:59Z' }, /not in the future/],
  ])('%j is refused', (input, message) => {
    const window = pauseUntil(input, now);
    expect(window.ok).toBe(false);
    if (!window.ok) expect(window.message).toMatch(message);
  });
});

describe('CLI durations', () => {
  it.each([
    [0, '0s'],
    [59, '59s'],
    [60, '1m'],
    [3_600, '1h'],
    [3_660, '1h 1m'],
    [86_400, '1d'],
    [90_000, '1d 1h'],
    [-5, '0s'],
  ])('%s s -> %s', (seconds, text) => {
    expect(humanDuration(seconds)).toBe(text);
  });
});

describe('history reason column', () => {
  it('shows the policy reason, or the operator\'s words for a free-text manual action', () => {
    expect(reasonText({ reason: 'high-error-rate', trigger: { kind: 'automatic' } })).toBe('high-error-rate');
    expect(reasonText({ reason: 'manual', trigger: { kind: 'manual', actor: 'alice', reason: 'users report bad predictions' } })).toBe(
      'users report bad predictions',
    );
    expect(reasonText({ reason: 'emergency-maintenance', trigger: { kind: 'manual', actor: 'alice', reason: 'debug' } })).toBe(
      'emergency-maintenance',
    );
  });
});
