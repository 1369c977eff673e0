import { createHash } from 'node:crypto';
import type { WireMessage } from './messages.js';

const maxKeys = 100_000;

/**
 * Automatic prefix caching (GLM and Kimi K2 report it as `cached_tokens`): a request whose leading
 * messages (all but the last) were part of an earlier request reports their weight as cached.
 * Prefixes are kept as chained SHA-1 digests, so memory stays small whatever the prompts' size.
 */
export class PromptCache {
  #seen = new Set<string>();

  /**
   * Returns the characters of the longest already-seen prefix (never the last message) and remembers
   * every prefix of this request. `weights[i]` is the weight of `messages[i]` in characters.
   */
  observe(messages: readonly WireMessage[], weights: readonly number[]): number {
    const hash = createHash('sha1');
    const keys: string[] = [];
    let cumulative = 0;
    let cached = 0;
    for (let i = 0; i < messages.length; i++) {
      hash.update(JSON.stringify(messages[i]));
      hash.update('\u0000');
      const key = hash.copy().digest('base64');
      cumulative += weights[i] ?? 0;
      if (i < messages.length - 1 && this.#seen.has(key)) cached = cumulative;
      keys.push(key);
    }
    if (this.#seen.size + keys.length > maxKeys) this.#seen.clear();
    for (const key of keys) this.#seen.add(key);
    return cached;
  }

  clear(): void {
    this.#seen.clear();
  }
}
