/** A file kept by the simulator (in memory). */
export interface StoredFile {
  id: string;
  filename: string;
  purpose: string;
  bytes: number;
  createdAt: number;
  /** MIME type, from the upload or guessed from the extension. */
  contentType: string;
  data: Buffer;
}

/** An in-memory file store with the running total size, in insertion order. */
export class FileStore {
  #files = new Map<string, StoredFile>();
  #totalBytes = 0;

  get count(): number {
    return this.#files.size;
  }

  get totalBytes(): number {
    return this.#totalBytes;
  }

  add(file: StoredFile): void {
    this.#files.set(file.id, file);
    this.#totalBytes += file.bytes;
  }

  get(id: string): StoredFile | undefined {
    return this.#files.get(id);
  }

  delete(id: string): StoredFile | undefined {
    const file = this.#files.get(id);
    if (file) {
      this.#files.delete(id);
      this.#totalBytes -= file.bytes;
    }
    return file;
  }

  /** Every file, oldest first. */
  list(): StoredFile[] {
    return [...this.#files.values()];
  }

  clear(): void {
    this.#files.clear();
    this.#totalBytes = 0;
  }
}

const mimeByExtension: Record<string, string> = {
  txt: 'text/plain', md: 'text/markdown', csv: 'text/csv', log: 'text/plain', json: 'application/json',
  jsonl: 'application/jsonl', html: 'text/html', htm: 'text/html', xml: 'application/xml', yaml: 'application/yaml',
  yml: 'application/yaml', ini: 'text/plain', conf: 'text/plain', ts: 'text/plain', tsx: 'text/plain',
  js: 'text/javascript', css: 'text/css', py: 'text/x-python', go: 'text/plain', java: 'text/plain', c: 'text/plain',
  h: 'text/plain', cpp: 'text/plain', cs: 'text/plain', php: 'text/plain', pdf: 'application/pdf',
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', mp4: 'video/mp4',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

function extension(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot < 0 ? '' : filename.slice(dot + 1).toLowerCase();
}

/** MIME type of a file: the extension's when known (clients often send a generic type), else the upload's. */
export function mimeTypeOf(filename: string, uploaded: string): string {
  return mimeByExtension[extension(filename)] ?? (uploaded || 'application/octet-stream');
}

/** True when the file's text can be returned as is (text, JSON, XML, YAML, code). */
export function isTextLike(contentType: string): boolean {
  return (
    contentType.startsWith('text/') ||
    contentType === 'application/json' ||
    contentType === 'application/jsonl' ||
    contentType === 'application/xml' ||
    contentType === 'application/yaml'
  );
}
