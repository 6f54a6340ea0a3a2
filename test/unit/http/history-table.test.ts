// The seed's rollback history table with the seed's meaning: one row per rollback; Date = its start;
// Duration = time on the baseline up to the roll-forward, or "ongoing (…)"; Resolved = rolled forward.
import { describe, expect, it } from 'vitest';
import { historyMarkdown } from '../../../controller/http/history-markdown.js';
import { rollbackRows } from '../../../controller/http/rollback-rows.js';
import type { HistoryEntryView } from '../../../controller/ports/controller.js';
import { sampleEntry } from './recording-controller.js';

const HEADER = '# Rollback History\n\n| Date | Duration | Reason | Resolved | Notes |\n|------|----------|--------|----------|-------|\n';

function rollforward(overrides: Partial<HistoryEntryView>): HistoryEntryView {
  return sampleEntry({
    id: 'rf-prediction-service-2',
    action: 'rollforward',
    trigger: { kind: 'manual', actor: 'api-token:alice', reason: 'model v2.1 fixed (INC-42)' },
    reason: 'manual',
    evidence: { policy: 'prediction-service', reason: 'manual', trigger: { kind: 'manual', actor: 'api-token:alice', reason: 'model v2.1 fixed (INC-42)' }, conditions: [], atMs: 0 },
    startedAt: '2026-11-27T10:06:40.000Z',
    endedAt: '2026-11-27T10:07:00.000Z',
    durationSeconds: 20,
    ...overrides,
  });
}

// sampleEntry: an automatic rollback started 08:45, baseline verified 08:55 (the switch took 10 min).
const rolledBack = sampleEntry();
const rolledForward = rollforward({});
const NOW = Date.parse('2026-11-27T10:07:00.000Z');

describe('rollback history table', () => {
  it('a rolled-forward rollback: its start, the time on the baseline up to the roll-forward, Yes, and who rolled it forward', () => {
    // Newest first, as the API lists them; the table is oldest first.
    expect(historyMarkdown([rolledForward, rolledBack], { nowMs: NOW, activeRollbackIds: new Set() })).toBe(
      HEADER +
        '| 2026-11-27 08:45 UTC | 1h 12min | high-error-rate: error-ratio=0.1235 > 0.05 for 300s | Yes | automatic; baseline verified in 10min; rolled forward 2026-11-27 10:07 UTC (manual by api-token:alice): model v2.1 fixed (INC-42) |\n',
    );
  });

  it('an active rollback is ongoing, measured to now in whole minutes', () => {
    const at = (iso: string) => historyMarkdown([rolledBack], { nowMs: Date.parse(iso), activeRollbackIds: new Set([rolledBack.id]) });
    expect(at('2026-11-27T10:07:59.000Z')).toContain('| 2026-11-27 08:45 UTC | ongoing (1h 12min) | high-error-rate: error-ratio=0.1235 > 0.05 for 300s | ongoing | automatic; baseline verified in 10min |');
    // Same input, same minute: byte-identical.
    expect(at('2026-11-27T10:07:01.000Z')).toBe(at('2026-11-27T10:07:59.000Z'));
  });

  it('a rollback that is no longer active and was never rolled forward by Guardrail is No', () => {
    expect(historyMarkdown([rolledBack], { nowMs: NOW, activeRollbackIds: new Set() })).toContain('| - | high-error-rate: error-ratio=0.1235 > 0.05 for 300s | No | automatic; baseline verified in 10min; left the baseline without a Guardrail roll-forward |');
  });

  it('a failed switch never ran the baseline: no duration, No, and the failure in Notes', () => {
    const restored = sampleEntry({ result: 'restored', notes: 'health check never passed' });
    expect(historyMarkdown([restored], { nowMs: NOW })).toContain('| 2026-11-27 08:45 UTC | - | high-error-rate: error-ratio=0.1235 > 0.05 for 300s | No | automatic; switch failed, previous containers restored: health check never passed |');
  });

  it('a manual rollback shows the operator\'s words; a webhook one names its alert; a failed roll-forward stays in Notes', () => {
    const manual = sampleEntry({ trigger: { kind: 'manual', actor: 'api-token:bob', reason: 'users report bad predictions' }, reason: 'manual', evidence: { ...rolledBack.evidence, conditions: [] } });
    const failed = rollforward({ id: 'rf-1', result: 'failed', notes: 'ml never healthy', startedAt: '2026-11-27T09:30:00.000Z', endedAt: '2026-11-27T09:31:00.000Z' });
    const text = historyMarkdown([manual, failed], { nowMs: NOW, activeRollbackIds: new Set([manual.id]) });
    expect(text).toContain('| users report bad predictions | ongoing | manual by api-token:bob; baseline verified in 10min; roll-forward 2026-11-27 09:30 UTC (manual by api-token:alice) failed: ml never healthy |');
    const webhook = sampleEntry({ trigger: { kind: 'webhook', alertname: 'DemoHighErrorRate', labels: {} }, evidence: { ...rolledBack.evidence, conditions: [] } });
    expect(historyMarkdown([webhook], { nowMs: NOW })).toContain('| high-error-rate (alert DemoHighErrorRate) | ongoing | alert DemoHighErrorRate; baseline verified in 10min |');
  });

  it('pairs each roll-forward with the rollback of its own target; a later rollback ends an unpaired earlier one', () => {
    const other = sampleEntry({ id: 'rb-other-1', target: 'other', startedAt: '2026-11-27T09:00:00.000Z', endedAt: '2026-11-27T09:00:05.000Z' });
    const again = sampleEntry({ id: 'rb-prediction-service-3', startedAt: '2026-11-27T11:00:00.000Z', endedAt: '2026-11-27T11:00:04.000Z' });
    const first = sampleEntry({ id: 'rb-prediction-service-0', startedAt: '2026-11-27T07:00:00.000Z', endedAt: '2026-11-27T07:00:04.000Z' });
    const rows = rollbackRows([again, rolledForward, other, rolledBack, first], { nowMs: Date.parse('2026-11-27T11:30:04.000Z') });
    expect(rows.map((r) => [r.rollback.id, r.status, r.baselineSeconds, r.rollforward?.id ?? null])).toEqual([
      ['rb-prediction-service-0', 'not_rolled_forward', null, null],
      ['rb-prediction-service-1', 'rolled_forward', 4_320, 'rf-prediction-service-2'],
      ['rb-other-1', 'ongoing', 8_999, null],
      ['rb-prediction-service-3', 'ongoing', 1_800, null],
    ]);
  });

  it('no rollback: one placeholder row, as in the seed', () => {
    expect(historyMarkdown([], { nowMs: NOW })).toBe(`${HEADER}| - | - | - | - | - |\n`);
  });
});
