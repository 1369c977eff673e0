import { describe, expect, it } from '@jest/globals';
import { encodedForms, NeedleScanner } from './needle-scanner.js';

describe('NeedleScanner', () => {
  it('finds a secret split across chunks, once per source, and masks it in the context', () => {
    const scanner = new NeedleScanner();
    scanner.add('glm key', 'sk-secret-0123456789');
    scanner.scan('log', 'line one sk-secret-01');
    scanner.scan('log', '23456789 and more');
    scanner.scan('log', 'again sk-secret-0123456789');
    scanner.scan('body', 'nothing here');
    expect(scanner.hits).toHaveLength(1);
    expect(scanner.hits[0]).toMatchObject({ label: 'glm key', source: 'log' });
    expect(scanner.hits[0]?.context).toContain('<glm key>');
    expect(scanner.hits[0]?.context).not.toContain('sk-secret-0123456789');
  });

  it('does not report a hit that sat wholly in the previous chunk again from the tail', () => {
    const scanner = new NeedleScanner();
    scanner.add('token', 'tok-abcdefgh');
    scanner.scan('a', 'xx tok-abcdefgh');
    scanner.scan('b', 'tok-abcdefgh');
    expect(scanner.hits.map((hit) => hit.source)).toEqual(['a', 'b']);
  });

  it('refuses needles short enough to match by chance', () => {
    expect(() => new NeedleScanner().add('short', 'abc')).toThrow('too short');
  });
});

describe('encodedForms', () => {
  it('finds a marker base64-encoded at any alignment inside a larger payload', () => {
    const marker = 'OUTSIDE-MARKER-7f3a9c1e';
    const forms = encodedForms(marker);
    expect(forms).toHaveLength(3);
    for (const prefix of ['', 'a', 'ab', 'abc', 'abcd']) {
      const encoded = Buffer.from(`${prefix}${marker} trailing bytes`).toString('base64');
      expect(forms.some((form) => encoded.includes(form))).toBe(true);
    }
  });
});
