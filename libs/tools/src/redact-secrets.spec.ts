import { describe, expect, it } from '@jest/globals';
import { redactSecrets } from './redact-secrets.js';

describe('redactSecrets', () => {
  it.each([
    ['Authorization: Bearer abc.def-123', 'Authorization: Bearer [redacted]'],
    ['key sk-abcdefgh12345678 refused', 'key [redacted] refused'],
    ['glm key 0123456789abcdef0123456789abcdef.AbCdEfGh1234 bad', 'glm key [redacted] bad'],
    ['{"api_key": "hunter2"}', '{"api_key": "[redacted]"}'],
    ['x-api-key=hunter2&y=1', 'x-api-key=[redacted]&y=1'],
    ['postgres://exai:hunter2@db:5432/exai', 'postgres://[redacted]@db:5432/exai'],
  ])('redacts %s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('leaves ordinary messages alone', () => {
    const message = 'max_tokens: 4096 exceeds the limit of glm-4.6; thread 0b7c2a4e-2f1d-4c55-9a43-6d1e2f3a4b5c';
    expect(redactSecrets(message)).toBe(message);
  });
});
