import { describe, expect, it } from '@jest/globals';
import {
  AbortedError,
  ExaiError,
  ProviderError,
  QuotaExhaustedError,
  RateLimitedError,
  ProviderUnavailableError,
} from './index.js';

describe('provider errors', () => {
  it('carry a stable code, the retry decision and the vendor fields', () => {
    const error = new RateLimitedError({ message: 'slow down', provider: 'kimi', status: 429, vendorCode: 'rate_limit_reached_error', retryAfterMs: 1000 });
    expect(error.code).toBe('rate_limited');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(1000);
    expect(error.vendorCode).toBe('rate_limit_reached_error');
    expect(error.name).toBe('RateLimitedError');
    expect(error).toBeInstanceOf(Error);
  });

  it('classify quota and abort as not retryable, 5xx as retryable', () => {
    expect(new QuotaExhaustedError({ message: 'x', provider: 'glm', vendorCode: '1113' }).retryable).toBe(false);
    expect(new AbortedError({ message: 'x', provider: 'glm' }).retryable).toBe(false);
    expect(new ProviderUnavailableError({ message: 'x', provider: 'glm', status: 503 }).retryable).toBe(true);
  });

  it('are recognised by isInstance through the shared symbol marker, not by class identity', () => {
    const error = new QuotaExhaustedError({ message: 'x', provider: 'glm' });
    expect(ExaiError.isInstance(error)).toBe(true);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(ProviderError.isInstance(new ExaiError('other', { message: 'x' }))).toBe(false);
    expect(ExaiError.isInstance(new Error('plain'))).toBe(false);
    // A structurally separate copy (as from a duplicate install) is still recognised.
    const foreign = Object.assign(new Error('copy'), { [Symbol.for('exai.error.ExaiError')]: true, [Symbol.for('exai.error.ProviderError')]: true });
    expect(ProviderError.isInstance(foreign)).toBe(true);
  });

  it('keep the cause', () => {
    const cause = new Error('socket hang up');
    expect(new ProviderUnavailableError({ message: 'x', provider: 'kimi', cause }).cause).toBe(cause);
  });
});
