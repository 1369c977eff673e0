import { describe, expect, it } from '@jest/globals';
import { clientAddress, clientUserId } from './daemon-env.js';

describe('simulated clients', () => {
  it('get loopback addresses of their own, wrapping at the number of addresses', () => {
    expect(clientAddress(0, 1000)).toBe('127.1.0.1');
    expect(clientAddress(255, 1000)).toBe('127.1.1.0');
    expect(clientAddress(999, 1000)).toBe('127.1.3.232');
    expect(clientAddress(1000, 1000)).toBe('127.1.0.1');
    expect(new Set(Array.from({ length: 1000 }, (_, index) => clientAddress(index, 1000))).size).toBe(1000);
  });

  it('get distinct UUID users per run', () => {
    expect(clientUserId(7)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(clientUserId(7, 1)).not.toBe(clientUserId(7, 0));
  });
});
