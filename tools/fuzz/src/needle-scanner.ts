/** Where a secret was found: which needle (by its label, never its value) and in what. */
export interface NeedleHit {
  label: string;
  source: string;
  /** Up to 80 characters around the hit, with the secret itself masked. */
  context: string;
}

interface Needle {
  label: string;
  value: string;
}

/**
 * Finds secrets (API keys, tokens, planted markers) in text that arrives in pieces: daemon logs,
 * response bodies, WebSocket frames, upstream requests. Each source keeps the tail of what it saw, so
 * a secret split across two chunks is still found; only hits are kept, never the text.
 */
export class NeedleScanner {
  readonly #needles: Needle[] = [];
  readonly #tails = new Map<string, string>();
  readonly #hits: NeedleHit[] = [];
  readonly #seen = new Set<string>();
  readonly #counts = new Map<string, number>();
  #longest = 0;
  #bytes = 0;

  /** Adds a secret to look for; values shorter than 8 characters are refused (they would match by chance). */
  add(label: string, value: string): void {
    if (value.length < 8) throw new Error(`needle ${label} is too short to scan for`);
    if (this.#needles.some((needle) => needle.value === value)) return;
    this.#needles.push({ label, value });
    this.#longest = Math.max(this.#longest, value.length);
  }

  /** Scans one piece of `source`'s text, continuing the piece before it. */
  scan(source: string, chunk: string | Buffer): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    this.#bytes += text.length;
    const tail = this.#tails.get(source) ?? '';
    const window = tail + text;
    for (const needle of this.#needles) {
      let index = window.indexOf(needle.value);
      while (index >= 0) {
        // A hit wholly inside the tail was reported with the previous chunk.
        if (index + needle.value.length > tail.length) this.#record(needle, source, window, index);
        index = window.indexOf(needle.value, index + 1);
      }
    }
    this.#tails.set(source, window.slice(Math.max(0, window.length - this.#longest + 1)));
  }

  /** Scans a whole text that has no continuation. */
  scanWhole(source: string, text: string | Buffer): void {
    this.scan(source, text);
    this.#tails.delete(source);
  }

  /** Every hit so far, each (needle, source) pair once. */
  get hits(): readonly NeedleHit[] {
    return this.#hits;
  }

  /** Occurrences per needle label (every one, unlike {@link hits}). */
  get counts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  /** Characters scanned so far. */
  get scannedChars(): number {
    return this.#bytes;
  }

  /** How many needles are being looked for. */
  get needleCount(): number {
    return this.#needles.length;
  }

  #record(needle: Needle, source: string, window: string, index: number): void {
    this.#counts.set(needle.label, (this.#counts.get(needle.label) ?? 0) + 1);
    const key = `${needle.label}\u0000${source}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    const before = window.slice(Math.max(0, index - 40), index);
    const after = window.slice(index + needle.value.length, index + needle.value.length + 40);
    this.#hits.push({ label: needle.label, source, context: `${before}<${needle.label}>${after}`.replace(/\s+/g, ' ') });
  }
}

/**
 * The forms a secret takes in transit besides itself: base64 at each of the three alignments (an
 * image or a multipart body encodes it), trimmed of the characters that depend on its neighbours.
 */
export function encodedForms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const forms: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset, 0x20), bytes]).toString('base64');
    const start = offset === 0 ? 0 : offset === 1 ? 2 : 3;
    const form = encoded.slice(start, encoded.length - 4);
    if (form.length >= 12) forms.push(form);
  }
  return forms;
}
