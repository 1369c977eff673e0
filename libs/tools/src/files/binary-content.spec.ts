import { describe, expect, it } from '@jest/globals';
import { decodeText, looksBinary } from './binary-content.js';

describe('binary content', () => {
  it('calls bytes binary when a NUL is in the first 8 KB, as git does', () => {
    expect(looksBinary(Buffer.from('plain text\n'))).toBe(false);
    expect(looksBinary(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00]))).toBe(true);
    const lateNul = Buffer.concat([Buffer.alloc(8192, 0x61), Buffer.from([0])]);
    expect(looksBinary(lateNul)).toBe(false);
  });

  it('decodes UTF-8 text and refuses binary or malformed bytes', () => {
    expect(decodeText(Buffer.from('héllo — 中文'))).toBe('héllo — 中文');
    expect(decodeText(Buffer.from([0x68, 0x00, 0x69]))).toBeUndefined();
    expect(decodeText(Buffer.from([0xc3, 0x28]))).toBeUndefined();
  });
});
