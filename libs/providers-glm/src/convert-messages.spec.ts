import { describe, expect, it } from '@jest/globals';
import { InvalidRequestError } from '@exai/router/spec';
import { convertToGlmMessages, toGlmMediaUrl } from './convert-messages.js';

describe('convertToGlmMessages', () => {
  it('joins text-only part lists into a string and drops message names', () => {
    expect(
      convertToGlmMessages([
        { role: 'user', name: 'alice', content: [{ type: 'text', text: 'first' }, { type: 'text', text: 'second' }] },
        { role: 'assistant', name: 'bot', content: 'ok' },
      ]),
    ).toEqual([
      { role: 'user', content: 'first\nsecond' },
      { role: 'assistant', content: 'ok' },
    ]);
  });

  it('echoes foreign builtin_function calls as function calls with the arguments untouched', () => {
    const [, assistant] = convertToGlmMessages([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: '', toolCalls: [{ id: 't-1', type: 'builtin_function', name: '$web_search', arguments: '{"q": 1}' }] },
    ]);
    expect(assistant).toEqual({ role: 'assistant', content: '', tool_calls: [{ id: 't-1', type: 'function', function: { name: '$web_search', arguments: '{"q": 1}' } }] });
  });

  it('refuses a user message without parts', () => {
    expect(() => convertToGlmMessages([{ role: 'user', content: [] }])).toThrow(InvalidRequestError);
  });
});

describe('toGlmMediaUrl', () => {
  it('strips any base64 data URL prefix and keeps URLs and raw base64', () => {
    expect(toGlmMediaUrl('data:image/jpeg;base64,/9j/AA==', 'image')).toBe('/9j/AA==');
    expect(toGlmMediaUrl('data:video/mp4;name=a.mp4;base64,AAAA', 'video')).toBe('AAAA');
    expect(toGlmMediaUrl('http://example.com/a.png', 'image')).toBe('http://example.com/a.png');
    expect(toGlmMediaUrl('iVBORw0KGgo=', 'image')).toBe('iVBORw0KGgo=');
  });

  it('refuses data URLs without base64, Kimi references and empty values', () => {
    expect(() => toGlmMediaUrl('data:text/plain,hello', 'image')).toThrow(/without base64/);
    expect(() => toGlmMediaUrl('ms://abc', 'image')).toThrow(/Kimi file reference/);
    expect(() => toGlmMediaUrl(' ', 'image')).toThrow(/empty/);
  });
});
