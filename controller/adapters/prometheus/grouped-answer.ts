import type { Sample } from '../../core/observation.js';
import type { GroupUnit } from './query-plan.js';
import { interpretVector } from './response.js';

// Splits the answer of a grouped query into what each member's own query would have returned. A member
// gets its series read exactly like its own answer would be (response.ts), an empty result
// reads as its own empty result would (no_data UNKNOWN, or c for a top-level `or on() vector(c)`), and
// anything that is not clear-cut (two series for one member, a series without the label, an odd body)
// sends that member, or the whole group, back to its own query.

export type MemberOutcome = { readonly kind: 'sample'; readonly sample: Sample } | { readonly kind: 'own_query'; readonly reason: string };

export type GroupedAnswer =
  | { readonly ok: true; readonly members: ReadonlyMap<string, MemberOutcome> }
  | { readonly ok: false; readonly reason: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `body` is the parsed JSON of a 2xx answer to the grouped query. */
export function splitGroupedAnswer(body: unknown, group: GroupUnit, baseUrl: string): GroupedAnswer {
  if (!isRecord(body) || body['status'] !== 'success') return { ok: false, reason: 'the answer is not status "success"' };
  const data = body['data'];
  if (!isRecord(data) || data['resultType'] !== 'vector' || !Array.isArray(data['result'])) {
    return { ok: false, reason: 'the answer is not a vector' };
  }
  const byValue = new Map<string, Record<string, unknown>[]>();
  for (const item of data['result'] as unknown[]) {
    if (!isRecord(item) || !isRecord(item['metric'])) return { ok: false, reason: 'a series without labels' };
    const value = item['metric'][group.label];
    if (typeof value !== 'string') return { ok: false, reason: `a series without ${group.label}` };
    // The series as parsed: reading it only looks at `metric` and `value`, as in the member's own answer.
    const list = byValue.get(value);
    if (list === undefined) byValue.set(value, [item]);
    else list.push(item);
  }
  const members = new Map<string, MemberOutcome>();
  for (const member of group.members) {
    const found = byValue.get(member.value) ?? [];
    if (found.length > 1) {
      members.set(member.promql, { kind: 'own_query', reason: `${found.length} series for ${group.label}="${member.value}"` });
    } else if (found.length === 0 && group.absentValue !== undefined) {
      members.set(member.promql, { kind: 'sample', sample: { kind: 'value', value: group.absentValue } });
    } else {
      // The member's own answer, as Prometheus would have sent it: its one series, or an empty vector. Its
      // envelope (status success, a vector) is the group's, checked above: the result list is read as is.
      members.set(member.promql, { kind: 'sample', sample: interpretVector(found, { baseUrl, promql: member.promql }) });
    }
  }
  return { ok: true, members };
}
