import { describe, expect, it } from 'vitest';
import { backoffMs, judge } from './deliver.js';

describe('judge (RFC 8935 answers)', () => {
  it.each([
    [202, '', 'sent'],
    [200, '', 'sent'],
    [400, '{"err":"invalid_audience","description":"no"}', 'refused'],
    [400, '{"err":"invalid_request"}', 'refused'],
    [400, '{"err":"invalid_key"}', 'retry'],
    [400, 'not json', 'retry'],
    [400, '{"err":"something_else"}', 'retry'],
    [401, '{"err":"authentication_failed"}', 'retry'],
    [503, '', 'retry'],
    [302, '', 'retry'],
  ])('%i %s → %s', (status, body, outcome) => {
    expect(judge({ status, body }).outcome).toBe(outcome);
  });

  it('records the error code and description', () => {
    expect(judge({ status: 400, body: '{"err":"access_denied","description":"nope"}' }).error).toBe(
      'HTTP 400 access_denied: nope',
    );
  });
});

describe('backoffMs', () => {
  it('doubles from the base up to the cap', () => {
    const b = { baseMs: 1_000, maxMs: 300_000 };
    expect([1, 2, 3, 4, 9, 10, 1000].map((n) => backoffMs(b, n))).toEqual([
      1_000, 2_000, 4_000, 8_000, 256_000, 300_000, 300_000,
    ]);
  });
});
