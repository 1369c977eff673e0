import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { FakeRouter, fakeModel } from '../test-support/fake-router.js';
import type { ToolInputError } from '../tool-input-error.js';
import { createFileAccessPolicy } from './file-access.js';
import { imageReference, loadImages, MAX_IMAGE_BYTES, requireVision } from './load-images.js';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'exai-images-')));
const policy = createFileAccessPolicy([dir]);
const pixel = 'data:image/png;base64,iVBORw==';

describe('loadImages', () => {
  it('reads image files into data URLs and keeps data URLs as they are', async () => {
    const file = join(dir, 'a.PNG');
    writeFileSync(file, Buffer.from([137, 80, 78, 71]));
    const dataUrl = 'data:image/jpeg;base64,/9j/4AAQ';
    const parts = await loadImages([file, dataUrl], { policy });
    expect(parts[0]).toEqual({ type: 'image', image: pixel, mediaType: 'image/png' });
    expect(parts[1]).toEqual({ type: 'image', image: dataUrl, mediaType: 'image/jpeg' });
  });

  it('names every bad image', async () => {
    const big = join(dir, 'big.jpg');
    writeFileSync(big, Buffer.alloc(MAX_IMAGE_BYTES + 1));
    writeFileSync(join(dir, 'doc.pdf'), 'x');
    const error = (await loadImages(['pic.png', join(dir, 'missing.png'), join(dir, 'doc.pdf'), big, 'data:text/plain;base64,aGk='], { policy }).catch(
      (caught: unknown) => caught,
    )) as ToolInputError;
    expect(error.field).toBe('images');
    expect(error.message).toContain('pic.png: not an absolute path or a data: URL');
    expect(error.message).toContain('missing.png: no such file');
    expect(error.message).toContain('doc.pdf: unsupported image type');
    expect(error.message).toContain('big.jpg: 5242881 bytes is over');
    expect(error.message).toContain('a data URL must look like');
  });

  it('accepts at most 5 images by default, and a configurable count and size', async () => {
    const six = Array.from({ length: 6 }, () => pixel);
    await expect(loadImages(six, { policy })).rejects.toThrow('6 images is over the limit of 5 per call');
    await expect(loadImages(six.slice(0, 5), { policy })).resolves.toHaveLength(5);
    await expect(loadImages([pixel, pixel], { policy, maxImages: 1 })).rejects.toThrow('limit of 1 per call');
    const large = `data:image/png;base64,${'A'.repeat(4000)}`;
    await expect(loadImages([large], { policy, maxImageBytes: 2000 })).rejects.toThrow('about 3000 bytes is over the 2000-byte image limit');
    await expect(loadImages(['data:image/svg+xml;base64,PHN2Zz4='], { policy })).rejects.toThrow('unsupported image type image/svg+xml');
  });

  it('reads image paths through the file policy: outside the roots, links out and secrets are refused', async () => {
    const outside = realpathSync(mkdtempSync(join(tmpdir(), 'exai-images-out-')));
    writeFileSync(join(outside, 'o.png'), Buffer.from([1]));
    symlinkSync(join(outside, 'o.png'), join(dir, 'link.png'));
    mkdirSync(join(dir, '.ssh'));
    writeFileSync(join(dir, '.ssh', 'k.png'), Buffer.from([1]));
    const error = (await loadImages([join(outside, 'o.png'), join(dir, 'link.png'), join(dir, '.ssh', 'k.png')], { policy }).catch((caught: unknown) => caught)) as Error;
    expect(error.message).toContain('o.png: outside the allowed folders');
    expect(error.message).toContain(`link.png: outside the allowed folders (it resolves to ${join(outside, 'o.png')})`);
    expect(error.message).toContain('.ssh, a secret store');
  });

  it('remembers data URLs by a short stand-in and paths as they are', () => {
    expect(imageReference('/a/b.png')).toBe('/a/b.png');
    const reference = imageReference(`data:image/png;base64,${'A'.repeat(4096)}`);
    expect(reference).toBe('data:image/png;base64,… (3 KB inline)');
    expect(imageReference(pixel)).toBe('data:image/png;base64,… (4 bytes inline)');
  });
});

describe('requireVision', () => {
  it('names the model and suggests vision models', () => {
    const router = new FakeRouter();
    expect(() => requireVision(fakeModel('fake-vision', { capabilities: { ...fakeModel('x').capabilities, vision: true } }), router)).not.toThrow();
    expect(() => requireVision(fakeModel('fake-model'), router)).toThrow('fake-model cannot read images; use a vision model such as fake-vision');
  });
});
