import { describe, expect, it } from '@jest/globals';
import { clip, parseSince } from './time-window.js';

const now = new Date('2026-03-10T12:00:00Z');

describe('parseSince', () => {
  it.each([
    ['30m', '2026-03-10T11:30:00.000Z'],
    ['1h', '2026-03-10T11:00:00.000Z'],
    ['2d', '2026-03-08T12:00:00.000Z'],
    [' 1W ', '2026-03-03T12:00:00.000Z'],
    ['2026-03-09T08:00:00Z', '2026-03-09T08:00:00.000Z'],
    ['2026-03-09', '2026-03-09T00:00:00.000Z'],
  ])('reads %s', (input, expected) => {
    expect(parseSince(input, now).toISOString()).toBe(expected);
  });

  it.each(['yesterday', '1 hour', '-1h', 'March 7', '2026-13-45'])('refuses %s, naming the field and the forms', (input) => {
    expect(() => parseSince(input, now)).toThrow(/since ".*" is neither an ISO time .* nor a span like 30m, 1h, 2d or 1w/);
  });

  it('refuses a time in the future', () => {
    expect(() => parseSince('2026-03-11T00:00:00Z', now)).toThrow('since 2026-03-11T00:00:00.000Z is in the future');
  });
});

describe('clip', () => {
  it('cuts long text with an ellipsis and says so', () => {
    expect(clip('abcdef', 4)).toEqual({ text: 'abc…', clipped: true });
    expect(clip('abc', 4)).toEqual({ text: 'abc', clipped: false });
  });
});
