import { describe, expect, it } from 'vitest';
import {
  finishResponseClass,
  isRecord,
  readErrorMessage,
  retryAfterMs,
} from '../../../lib/signinghub/responses.ts';

describe('readErrorMessage', () => {
  it.each([
    ['{"Message":"Account is disabled"}', 'Account is disabled'],
    ['{"message":"lower"}', 'lower'],
    ['{"Error":"x","Message":"both"}', 'both'],
    ['{"error":"invalid_grant","error_description":"Invalid credentials"}', 'Invalid credentials'],
    ['{"Error":"only error"}', 'only error'],
    ['<html><body><h1>502 Bad Gateway</h1></body></html>', '502 Bad Gateway'],
    ['', 'HTTP 503 with no message'],
  ])('reads %s', (body, expected) => {
    expect(readErrorMessage(body, 503)).toBe(expected);
  });

  it('clips very long messages', () => {
    expect(
      readErrorMessage(JSON.stringify({ Message: 'x'.repeat(5_000) }), 500).length,
    ).toBeLessThan(510);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-27T10:00:00Z');
  it('reads delta seconds and HTTP dates', () => {
    expect(retryAfterMs('3', now)).toBe(3_000);
    expect(retryAfterMs('Fri, 27 Nov 2026 10:00:05 GMT', now)).toBe(5_000);
    expect(retryAfterMs('Fri, 27 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});

describe('readErrorMessage at its edges', () => {
  it.each([
    ['  {"Message":"  padded  "}  ', 'padded'],
    ['{"Message":"   ","message":"x"}', 'x'],
    ['{"Message":"   ","error_description":"the next key"}', 'the next key'],
    ['{"Message":42}', '{"Message":42}'],
    ['["Account is disabled"]', '["Account is disabled"]'],
    ['"just a string"', '"just a string"'],
    ['null', 'null'],
    ['not json at all', 'not json at all'],
    ['<p>two</p>\n\n\t<p>lines</p>', 'two lines'],
    ['<td>cell</td><td>next</td>', 'cell next'],
    ['a\u00a0\u00a0b', 'a b'],
  ])('reads %j as %j', (body, expected) => {
    expect(readErrorMessage(body, 500)).toBe(expected);
  });

  it('keeps a message of exactly 500 characters whole, and clips one longer with an ellipsis', () => {
    const exact = 'x'.repeat(500);
    expect(readErrorMessage(JSON.stringify({ Message: exact }), 500)).toBe(exact);
    expect(readErrorMessage(JSON.stringify({ Message: `${exact}yz` }), 500)).toBe(`${exact}…`);
    expect(readErrorMessage(`${exact}yz`, 500)).toBe(`${exact}…`);
  });
});

describe('retryAfterMs at its edges', () => {
  const now = Date.parse('2026-11-27T10:00:00Z');
  it.each([
    [' 7 ', 7_000],
    ['0', 0],
    ['   ', undefined],
    ['', undefined],
    ['3s', undefined],
    ['x5', undefined],
    ['1e3', undefined],
  ])('reads %j as %j', (header, expected) => {
    expect(retryAfterMs(header, now)).toBe(expected);
  });

  it('reads a date with digits in it as a date, not as seconds', () => {
    expect(retryAfterMs('2026-11-27T10:00:09Z', now)).toBe(9_000);
  });
});

describe('isRecord', () => {
  it.each([
    [{}, true],
    [{ a: 1 }, true],
    [[], false],
    [null, false],
    ['text', false],
    [42, false],
    [undefined, false],
  ])('takes %j for a record: %s', (value, expected) => {
    expect(isRecord(value)).toBe(expected);
  });
});

describe('finishResponseClass', () => {
  it.each([
    [undefined, 'FinishResponseNone'],
    [199, 'FinishResponseNone'],
    [200, 'FinishResponse2xx'],
    [299, 'FinishResponse2xx'],
    [300, 'FinishResponseNone'],
    [302, 'FinishResponseNone'],
    [399, 'FinishResponseNone'],
    [400, 'FinishResponse4xx'],
    [499, 'FinishResponse4xx'],
    [500, 'FinishResponse5xx'],
    [599, 'FinishResponse5xx'],
    [600, 'FinishResponseNone'],
  ])('counts %s as %s', (status, metric) => {
    expect(finishResponseClass(status)).toBe(metric);
  });
});
