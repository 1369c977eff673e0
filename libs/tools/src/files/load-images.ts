import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { ImagePart, ModelInfo } from '@exai/router/spec';
import { ToolInputError } from '../tool-input-error.js';
import type { ToolsRouter } from '../tools-router.js';
import { defaultFileAccessPolicy, resolveAllowedPath, type FileAccessPolicy } from './file-access.js';

/** GLM's limit per image (provider-wire.md §1.2); Kimi's is larger, so the smaller one applies. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Most images per call (the original system's limit, zen-lineage.md §4). */
export const MAX_IMAGES = 5;

/** Settings of {@link loadImages}. */
export interface LoadImagesOptions {
  /** Which paths may be read (default: home and working directory, minus secret stores). Pass `fileAccessPolicyOf(deps)`. */
  policy?: FileAccessPolicy;
  /** Most images (default {@link MAX_IMAGES}). */
  maxImages?: number;
  /** Largest image in bytes, decoded (default {@link MAX_IMAGE_BYTES}). */
  maxImageBytes?: number;
  signal?: AbortSignal;
}

const mediaTypes: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};
const dataMediaTypes = new Set(Object.values(mediaTypes));

/**
 * Turns image arguments (absolute paths, checked against the file policy, or `data:` URLs) into image
 * parts with data URLs. All problems are reported at once, naming each image. Sending them only to
 * vision models is the caller's check ({@link requireVision}).
 */
export async function loadImages(images: readonly string[], options: LoadImagesOptions = {}): Promise<ImagePart[]> {
  const maxImages = options.maxImages ?? MAX_IMAGES;
  if (images.length > maxImages) {
    throw new ToolInputError('images', `${images.length} images is over the limit of ${maxImages} per call; pass the ${maxImages} that matter most`);
  }
  const limit = options.maxImageBytes ?? MAX_IMAGE_BYTES;
  const policy = options.policy ?? defaultFileAccessPolicy();
  const problems: string[] = [];
  const parts: ImagePart[] = [];
  for (const image of images) {
    options.signal?.throwIfAborted();
    try {
      parts.push(await loadImage(image, policy, limit));
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new ToolInputError('images', `Cannot use the images:\n- ${problems.join('\n- ')}`);
  return parts;
}

/** How an image is remembered in a conversation turn: its path, or a short stand-in for a data URL. */
export function imageReference(image: string): string {
  if (!image.startsWith('data:')) return image;
  const comma = image.indexOf(',');
  const bytes = base64Bytes(image.slice(comma + 1));
  const size = bytes < 1024 ? `${bytes} bytes` : `${Math.round(bytes / 1024)} KB`;
  return `${image.slice(0, Math.min(comma < 0 ? 40 : comma, 40))},… (${size} inline)`;
}

async function loadImage(image: string, policy: FileAccessPolicy, limit: number): Promise<ImagePart> {
  if (image.startsWith('data:')) {
    const match = /^data:(image\/[a-z+.-]+);base64,/i.exec(image);
    if (!match) throw new Error(`${image.slice(0, 40)}…: a data URL must look like data:image/png;base64,…`);
    const mediaType = (match[1] as string).toLowerCase();
    if (!dataMediaTypes.has(mediaType)) throw new Error(`${image.slice(0, 40)}…: unsupported image type ${mediaType}; use png, jpeg, gif or webp`);
    const bytes = base64Bytes(image.slice(match[0].length));
    if (bytes > limit) throw new Error(`${image.slice(0, 30)}…: about ${bytes} bytes is over the ${limit}-byte image limit`);
    return { type: 'image', image, mediaType };
  }
  const mediaType = mediaTypes[extname(image).toLowerCase()];
  let real: string;
  try {
    real = await resolveAllowedPath(image, policy, { field: 'images', kind: 'file' });
  } catch (error) {
    // The policy's message, with "not an absolute path" also suggesting a data URL.
    const message = (error as Error).message;
    throw new Error(message.includes('not an absolute path') ? `${image}: not an absolute path or a data: URL` : message);
  }
  if (!mediaType) throw new Error(`${image}: unsupported image type; use png, jpeg, gif or webp`);
  const size = (await stat(real)).size;
  if (size > limit) throw new Error(`${image}: ${size} bytes is over the ${limit}-byte image limit`);
  const data = await readFile(real);
  return { type: 'image', image: `data:${mediaType};base64,${data.toString('base64')}`, mediaType };
}

/**
 * Refuses images for a model that cannot read them, naming the model and the vision models the caller
 * can use instead (available ones first). Call it before reading images, with the model the caller named.
 */
export function requireVision(model: ModelInfo, router: Pick<ToolsRouter, 'listModels'>): void {
  if (model.capabilities.vision) return;
  const vision = router.listModels().filter((entry) => entry.info.capabilities.vision);
  const names = [...vision.filter((entry) => entry.available), ...vision.filter((entry) => !entry.available)].map((entry) => entry.info.id);
  const suggestion = names.length > 0 ? `use a vision model such as ${names.slice(0, 4).join(', ')}` : 'no vision model is configured';
  throw new ToolInputError('images', `${model.id} cannot read images; ${suggestion}, or leave model unset so exai picks one`);
}

/** Decoded size of a base64 payload. */
function base64Bytes(payload: string): number {
  const padding = payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((payload.length * 3) / 4) - padding);
}
