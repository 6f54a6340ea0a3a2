// Mirroring failures reach the log at most once a minute, with the counts since the previous line.
import { describe, expect, it } from 'vitest';
import { FailureLog } from '../../../service/shadow/failure-log.js';
import { logSink } from './app-fixtures.js';

describe('FailureLog', () => {
  it('logs the first failure at once, then at most one line a minute with the counts in between', () => {
    const sink = logSink('info');
    let now = 1_000;
    const log = new FailureLog(sink.logger, 'http://candidate:8000', () => now);
    log.settled();
    log.failed('unreachable', 'connect ECONNREFUSED 10.0.0.7:8000');
    for (let i = 0; i < 500; i++) {
      now += 100; // 50 s of failures at 10 a second
      log.settled();
      log.failed(i % 2 === 0 ? 'timeout' : 'error', 'no answer within 1000 ms');
      log.failed('queue_full', '64 mirrors outstanding');
    }
    expect(sink.lines()).toHaveLength(1);
    now += 11_000;
    log.settled();
    log.failed('timeout', 'no answer within 1000 ms');
    const lines = sink.lines();
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l['level'] === 40)).toBe(true);
    expect(lines[0]?.['msg']).toMatch(/^shadow candidate http:\/\/candidate:8000: 1 of 1 mirrored requests failed so far \(error 0, timeout 0, unreachable 1\), 0 dropped/);
    expect(lines[1]?.['msg']).toMatch(/: 501 of 501 mirrored requests failed in the last 61 s \(error 250, timeout 251, unreachable 0\), 500 dropped with the queue full; last: timeout: no answer within 1000 ms/);
    expect(lines[1]).toMatchObject({ mirrored: 501, error: 250, timeout: 251, unreachable: 0, dropped_queue_full: 500 });
  });
});
