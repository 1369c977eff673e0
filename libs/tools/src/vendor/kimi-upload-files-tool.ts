import { z } from 'zod';
import { defineTool } from '../tool-definition.js';
import { renderUploads, replaceLostKimiUploads, uploadedFileSchema, uploadPaths, type UploadedFile } from './provider-uploads.js';
import { kimiVendor } from './vendor-clients.js';

export const kimiUploadFilesInputShape = {
  files: z.array(z.string()).min(1).max(50).describe('Absolute paths.'),
  purpose: z.enum(['file-extract', 'image', 'video']).optional().describe('Default file-extract.'),
};

export const kimiUploadFilesOutputShape = {
  files: z.array(uploadedFileSchema),
  uploaded: z.number(),
  reused: z.number(),
  failed: z.number(),
};

export type KimiUploadFilesOutput = z.infer<z.ZodObject<typeof kimiUploadFilesOutputShape>>;

/** `kimi_upload_files`: stores files (dedup by sha256) and uploads each to Kimi once, returning every file id. */
export const kimiUploadFilesTool = defineTool({
  name: 'kimi_upload_files',
  title: 'Upload files to Kimi',
  description: 'Upload files to Kimi once per content (sha256) and return their file ids; failed files are listed with the reason.',
  inputShape: kimiUploadFilesInputShape,
  outputShape: kimiUploadFilesOutputShape,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  profile: 'standard',
  async run(input, context) {
    const kimi = kimiVendor(context.deps, 'kimi_upload_files');
    const purpose = input.purpose ?? 'file-extract';
    const uploads = await uploadPaths(context.deps, input.files, { provider: 'kimi', files: kimi.files, purpose, field: 'files', signal: context.signal });
    // The ids are handed back for later calls: a reused one must still exist at Kimi.
    const files = await replaceLostKimiUploads(context.deps, uploads, { kimi, purpose, field: 'files', signal: context.signal });
    const output = summarise(files);
    const text = `${renderUploads(files)}\n— Kimi: ${output.uploaded} uploaded, ${output.reused} reused, ${output.failed} failed`;
    // Nothing usable came out: an error, still naming every file and why.
    if (output.failed === files.length) return { isError: true, content: [{ type: 'text', text: `No file was uploaded:\n${text} [upload_failed]` }] };
    return { content: [{ type: 'text', text }], structuredContent: output };
  },
});

function summarise(files: UploadedFile[]): KimiUploadFilesOutput {
  const count = (status: UploadedFile['status']): number => files.filter((file) => file.status === status).length;
  return { files, uploaded: count('uploaded'), reused: count('reused'), failed: count('failed') };
}
