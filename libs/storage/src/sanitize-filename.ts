import { InvalidStorageInputError } from './storage-errors.js';

/** Longest stored filename in UTF-8 bytes: room under the usual 255-byte limit of a path segment. */
const MAX_FILENAME_BYTES = 200;

/**
 * A filename safe as the last segment of a bucket path in every adapter and still readable:
 * separators (`/`, `\`) and the characters that change a URL (`?`, `#`, `%`: storage-js puts the
 * object path into the request URL unencoded) become `_`, control characters go, runs of dots
 * collapse to one (so `..` cannot appear), and surrounding spaces are trimmed; long names are
 * shortened keeping the extension. One rule for all adapters, so a file has the same path wherever
 * it is stored. Throws `InvalidStorageInputError` naming `filename` when nothing usable is left.
 */
export function sanitizeFilename(filename: string): string {
  const cleaned = filename
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .replace(/[/\\?#%]/g, '_')
    .replace(/\.{2,}/g, '.')
    .trim();
  if (cleaned === '' || cleaned === '.') {
    throw new InvalidStorageInputError({ field: 'filename', message: `${JSON.stringify(filename)} leaves no usable name once unsafe characters are removed.` });
  }
  return shorten(cleaned);
}

function shorten(name: string): string {
  const encoder = new TextEncoder();
  if (encoder.encode(name).length <= MAX_FILENAME_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  // Every code point takes at least one byte, so at most MAX_FILENAME_BYTES of them can fit; then
  // drop whole code points until the name fits, so no character is cut in half.
  const chars = Array.from(name.slice(0, name.length - extension.length)).slice(0, MAX_FILENAME_BYTES);
  while (chars.length > 0 && encoder.encode(chars.join('') + extension).length > MAX_FILENAME_BYTES) chars.pop();
  return chars.join('') + extension;
}
