/** A parsed `multipart/form-data` upload (`file` + `purpose`, as both vendors' `POST /files` take). */
export interface Upload {
  purpose: string | undefined;
  file: { name: string; type: string; data: Buffer } | undefined;
  /** Set when the body could not be parsed as multipart. */
  invalid?: boolean;
}

/** Parses a buffered multipart body with the platform's `Request.formData()` (no dependency). */
export async function parseUpload(raw: Buffer, contentType: string): Promise<Upload> {
  try {
    const form = await new Request('http://sim.local/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Uint8Array(raw.buffer, raw.byteOffset, raw.length),
    }).formData();
    const purpose = form.get('purpose');
    const file = form.get('file');
    return {
      purpose: typeof purpose === 'string' ? purpose : undefined,
      file:
        file !== null && typeof file !== 'string'
          ? { name: file.name, type: file.type, data: Buffer.from(await file.arrayBuffer()) }
          : undefined,
    };
  } catch {
    return { purpose: undefined, file: undefined, invalid: true };
  }
}
