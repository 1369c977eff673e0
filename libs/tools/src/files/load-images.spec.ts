import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadImages, MAX_IMAGE_BYTES } from './load-images.js';

const dir = mkdtempSync(join(tmpdir(), 'exai-images-'));

describe('loadImages', () => {
  it('reads image files into data URLs and keeps data URLs as they are', async () => {
    const file = join(dir, 'a.PNG');
    writeFileSync(file, Buffer.from([137, 80, 78, 71]));
    const dataUrl = 'data:image/jpeg;base64,/9j/4AAQ';
    const parts = await loadImages([file, dataUrl]);
    expect(parts[0]).toEqual({ type: 'image', image: 'data:image/png;base64,iVBORw==', mediaType: 'image/png' });
    expect(parts[1]).toEqual({ type: 'image', image: dataUrl, mediaType: 'image/jpeg' });
  });

  it('names every bad image', async () => {
    const big = join(dir, 'big.jpg');
    writeFileSync(big, Buffer.alloc(MAX_IMAGE_BYTES + 1));
    const error = (await loadImages(['pic.png', join(dir, 'missing.png'), join(dir, 'doc.pdf'), big, 'data:text/plain;base64,aGk=']).catch((caught: unknown) => caught)) as Error;
    expect(error.message).toContain('pic.png: not an absolute path');
    expect(error.message).toContain('missing.png: no such file');
    expect(error.message).toContain('doc.pdf: unsupported image type');
    expect(error.message).toContain('big.jpg: 5242881 bytes is over');
    expect(error.message).toContain('a data URL must look like');
  });
});
