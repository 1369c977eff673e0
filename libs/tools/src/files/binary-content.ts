/** How much of a file's start is sniffed for binary content (what git and grep look at). */
export const BINARY_SNIFF_BYTES = 8192;

/** A NUL byte in the first 8 KB: how git and grep tell binary from text. */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/** The bytes as text when they are UTF-8 and do not look binary; undefined otherwise. */
export function decodeText(bytes: Uint8Array): string | undefined {
  if (looksBinary(bytes)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
