import { describe, expect, it } from 'vitest';
import { fieldsToRecord } from '../../../service/consumer/feature-event.js';
import { deadLetterRecord, predictionRecord, readPrediction } from '../../../service/consumer/records.js';

const producer = { variant: 'ml', version: 'xgb-abc', consumer: 'host-1' } as const;

describe('predictionRecord', () => {
  it('carries event id, prediction, probability, model version and variant, and reads back losslessly', () => {
    const probability = 0.1 + 0.2; // 0.30000000000000004: the text must round-trip the exact double
    const fields = predictionRecord({ eventId: 'e1', sourceId: '10-0', score: { prediction: 1, probability }, missing: [], producer, nowMs: 1234 });
    expect({ ...fieldsToRecord(fields) }).toEqual({
      event_id: 'e1',
      source_id: '10-0',
      prediction: '1',
      probability: '0.30000000000000004',
      model_version: 'xgb-abc',
      model_variant: 'ml',
      consumer: 'host-1',
      predicted_at: '1234',
    });
    expect(readPrediction(fields)).toEqual({ eventId: 'e1', sourceId: '10-0', prediction: 1, probability, modelVersion: 'xgb-abc', modelVariant: 'ml', consumer: 'host-1' });
  });

  it('lists missing features only when some are missing', () => {
    const fields = predictionRecord({ eventId: 'e', sourceId: '1-0', score: { prediction: 0, probability: 0 }, missing: ['midprice', 'volatility'], producer, nowMs: 0 });
    expect(fieldsToRecord(fields)['missing_features']).toBe('midprice,volatility');
  });
});

describe('readPrediction', () => {
  it('refuses an entry without a field or with a bad prediction', () => {
    expect(() => readPrediction(['event_id', 'x', 'prediction', '1'])).toThrow('no source_id field');
    const fields = predictionRecord({ eventId: 'e', sourceId: '1-0', score: { prediction: 0, probability: 0 }, missing: [], producer, nowMs: 0 });
    const bad = fields.map((f, i) => (fields[i - 1] === 'prediction' ? '2' : f));
    expect(() => readPrediction(bad)).toThrow('prediction=2');
  });
});

describe('deadLetterRecord', () => {
  it('keeps the reason, the delivery count and the original fields as one JSON object', () => {
    const entry = { id: '7-0', fields: ['event_id', 'p', 'reason', 'mine', 'price', '-1'] };
    const fields = deadLetterRecord({ eventId: 'p', entry, sourceStream: 'features', reason: 'out_of_range', message: 'price must be > 0, got -1', deliveries: 1, producer, nowMs: 99 });
    const record = fieldsToRecord(fields);
    expect(record['reason']).toBe('out_of_range');
    expect(record['message']).toBe('price must be > 0, got -1');
    expect(record['source_id']).toBe('7-0');
    expect(record['deliveries']).toBe('1');
    // The producer's own "reason" field survives inside `original`, not clobbering ours.
    expect(JSON.parse(record['original'] ?? '')).toEqual({ event_id: 'p', reason: 'mine', price: '-1' });
  });
});
