import { describe, expect, it } from '@jest/globals';
import { isAutoModelName } from './is-auto-model-name.js';

describe('isAutoModelName', () => {
  it('is auto in any case and with spaces around it; an absent name is the default, not auto', () => {
    for (const name of ['auto', 'AUTO', ' Auto ', '\tauto\n']) expect(isAutoModelName(name)).toBe(true);
    for (const name of [undefined, '', 'glm-4.5', 'autoglm', 'auto-1']) expect(isAutoModelName(name)).toBe(false);
  });
});
