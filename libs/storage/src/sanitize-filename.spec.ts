import { describe, expect, it } from '@jest/globals';
import { InvalidStorageInputError } from './storage-errors.js';
import { sanitizeFilename } from './sanitize-filename.js';

describe('sanitizeFilename', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['  spaced name.txt  ', 'spaced name.txt'],
    ['../../etc/passwd', '._._etc_passwd'],
    ['a\\b/c', 'a_b_c'],
    ['tab\tnew\nline\u0000.txt', 'tabnewline.txt'],
    ['résumé – final.docx', 'résumé – final.docx'],
    ['.env', '.env'],
    ['archive...tar.gz', 'archive.tar.gz'],
    ['what?#100%.txt', 'what__100_.txt'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeFilename(input)).toBe(expected);
  });

  it.each(['', '   ', '..', '.', '\u0001\u0002', '...'])('refuses %j, naming filename', (input) => {
    expect(() => sanitizeFilename(input)).toThrow(InvalidStorageInputError);
    try {
      sanitizeFilename(input);
    } catch (error) {
      expect((error as InvalidStorageInputError).field).toBe('filename');
    }
  });

  it('shortens long names to 200 bytes, keeping the extension and whole characters', () => {
    const long = `${'é'.repeat(300)}.pdf`;
    const short = sanitizeFilename(long);
    expect(new TextEncoder().encode(short).length).toBeLessThanOrEqual(200);
    expect(short.endsWith('é.pdf')).toBe(true);
    expect(short).not.toContain('\uFFFD');
    expect(sanitizeFilename('x'.repeat(1_000_000)).length).toBe(200);
  });
});
