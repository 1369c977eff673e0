import { describe, expect, it } from '@jest/globals';
import { mapGlmFinishReason } from './map-finish-reason.js';

describe('mapGlmFinishReason', () => {
  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool_calls', 'tool-calls'],
    ['sensitive', 'content-filter'],
    ['network_error', 'error'],
    ['something_new', 'other'],
  ])('maps %s to %s and keeps the raw value', (raw, unified) => {
    expect(mapGlmFinishReason(raw)).toEqual({ unified, raw });
  });

  it('maps a missing reason to other', () => {
    expect(mapGlmFinishReason(null)).toEqual({ unified: 'other', raw: undefined });
  });
});
