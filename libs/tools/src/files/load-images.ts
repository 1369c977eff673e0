import { readFile, stat } from 'node:fs/promises';
import { extname, isAbsolute } from 'node:path';
import type { ImagePart } from '@exai/router/spec';
import { ToolInputError } from '../tool-input-error.js';

/** GLM's limit per image (provider-wire.md §1.2); Kimi's is larger, so the smaller one applies. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

const mediaTypes: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

/**
 * Turns image arguments (absolute paths or `data:` URLs) into image parts with data URLs.
 * All problems are reported at once, naming each image.
 */
export async function loadImages(images: readonly string[]): Promise<ImagePart[]> {
  const problems: string[] = [];
  const parts: ImagePart[] = [];
  for (const image of images) {
    try {
      parts.push(await loadImage(image));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0) throw new ToolInputError('images', `Cannot use the images:\n- ${problems.join('\n- ')}`);
  return parts;
}

async function loadImage(image: string): Promise<ImagePart> {
  if (image.startsWith('data:')) {
    const match = /^data:(image\/[a-z+.-]+);base64,/i.exec(image);
    if (!match) throw new Error(`${image.slice(0, 40)}…: a data URL must look like data:image/png;base64,…`);
    return { type: 'image', image, mediaType: match[1] as string };
  }
  if (!isAbsolute(image)) throw new Error(`${image}: not an absolute path or a data: URL`);
  const mediaType = mediaTypes[extname(image).toLowerCase()];
  if (!mediaType) throw new Error(`${image}: unsupported image type; use png, jpeg, gif or webp`);
  let size: number;
  try {
    const info = await stat(image);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch {
    throw new Error(`${image}: no such file`);
  }
  if (size > MAX_IMAGE_BYTES) throw new Error(`${image}: ${size} bytes is over the ${MAX_IMAGE_BYTES}-byte image limit`);
  const data = await readFile(image);
  return { type: 'image', image: `data:${mediaType};base64,${data.toString('base64')}`, mediaType };
}
