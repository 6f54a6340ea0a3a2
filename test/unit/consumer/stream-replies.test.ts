// Reply shapes as captured from redis-server 7.0 through ioredis 6's `call` (see test/integration/consumer
// for the same parsers against a live server).
import { describe, expect, it } from 'vitest';
import { ReplyShapeError, parseAutoClaim, parseConsumersInfo, parseGroupsInfo, parsePendingDetails, parseReadGroup } from '../../../service/consumer/stream-replies.js';

describe('parseReadGroup', () => {
  it('accepts the one-stream reply ioredis returns and the nested Redis one', () => {
    const entries = [['1-0', ['a', '1']]];
    expect(parseReadGroup(['features', entries])).toEqual([{ id: '1-0', fields: ['a', '1'] }]);
    expect(parseReadGroup([['features', entries]])).toEqual([{ id: '1-0', fields: ['a', '1'] }]);
  });

  it('is empty on a block timeout', () => {
    expect(parseReadGroup(null)).toEqual([]);
    expect(parseReadGroup([])).toEqual([]);
  });

  it('turns a deleted entry (nil fields) into an entry with no fields', () => {
    expect(parseReadGroup(['s', [['2-0', null]]])).toEqual([{ id: '2-0', fields: [] }]);
  });

  it('names the command on a surprise shape', () => {
    expect(() => parseReadGroup('OK')).toThrow(ReplyShapeError);
    expect(() => parseReadGroup(['s', [['1-0', [1, 2]]]])).toThrow('XREADGROUP: unexpected reply (fields are not strings)');
  });
});

describe('parseAutoClaim', () => {
  it('reads cursor, entries and deleted ids', () => {
    expect(parseAutoClaim(['0-0', [['1-0', ['a', '1']]], ['0-5']])).toEqual({ cursor: '0-0', entries: [{ id: '1-0', fields: ['a', '1'] }], deletedIds: ['0-5'] });
  });
  it('refuses a reply without a cursor', () => {
    expect(() => parseAutoClaim([1, []])).toThrow('XAUTOCLAIM');
  });
});

describe('parsePendingDetails', () => {
  it('reads id, consumer, idle and deliveries', () => {
    expect(parsePendingDetails([['1-0', 'c2', 1, 2]])).toEqual([{ id: '1-0', consumer: 'c2', idleMs: 1, deliveries: 2 }]);
  });
  it('refuses a non-numeric delivery count', () => {
    expect(() => parsePendingDetails([['1-0', 'c2', 1, 'x']])).toThrow('XPENDING');
  });
});

describe('parseGroupsInfo', () => {
  it('reads pending and lag, and null lag when Redis cannot tell', () => {
    const raw = [
      ['name', 'g', 'consumers', 2, 'pending', 1, 'last-delivered-id', '1-0', 'entries-read', 1, 'lag', 0],
      ['name', 'h', 'consumers', 0, 'pending', 0, 'last-delivered-id', '0-0', 'entries-read', null, 'lag', null],
    ];
    expect(parseGroupsInfo(raw)).toEqual([
      { name: 'g', consumers: 2, pending: 1, lag: 0 },
      { name: 'h', consumers: 0, pending: 0, lag: null },
    ]);
  });
});

describe('parseConsumersInfo', () => {
  it('reads name, pending and idle (Redis 7.0; 7.2 adds fields that are ignored)', () => {
    expect(parseConsumersInfo([['name', 'c1', 'pending', 2, 'idle', 150], ['name', 'c2', 'pending', 0, 'idle', 9, 'inactive', 9]])).toEqual([
      { name: 'c1', pending: 2, idleMs: 150 },
      { name: 'c2', pending: 0, idleMs: 9 },
    ]);
  });
  it('refuses a consumer without idle', () => {
    expect(() => parseConsumersInfo([['name', 'c1', 'pending', 2]])).toThrow('XINFO CONSUMERS');
  });
});
