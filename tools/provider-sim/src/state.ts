import { FaultRules } from './faults.js';
import { FileStore } from './file-store.js';
import { PromptCache } from './prompt-cache.js';
import { RequestLog } from './request-log.js';
import type { KimiFileLimits, SimulatorOptions, Vendor } from './types.js';

const mebibyte = 1024 * 1024;

/** A Kimi context cache created by `POST /caching` (provider-wire.md §2.8). */
export interface ContextCache {
  id: string;
  model: string;
  /** Prompt weight of the cached messages and tools, in characters. */
  chars: number;
  tokens: number;
}

/** Everything the simulator keeps between requests. */
export class SimState {
  readonly log: RequestLog;
  readonly rules: FaultRules;
  readonly glmFiles = new FileStore();
  readonly kimiFiles = new FileStore();
  readonly glmPromptCache = new PromptCache();
  readonly kimiPromptCache = new PromptCache();
  readonly kimiContextCaches = new Map<string, ContextCache>();
  /** `search_id`s handed out in Kimi `$web_search` calls, so echoes can be checked. */
  readonly kimiSearchIds = new Set<string>();
  /** Extracted text of Kimi text files → filename, to recognise file content put in a system message. */
  readonly kimiFileTexts = new Map<string, string>();
  readonly kimiFileLimits: KimiFileLimits;
  readonly glmMaxFileBytes: number;
  latencyMs: number;
  kimiBalance: number;

  constructor(private readonly options: SimulatorOptions) {
    this.log = new RequestLog(options.requestLogLimit ?? 10_000);
    this.rules = new FaultRules(options.faults);
    this.latencyMs = options.latencyMs ?? 0;
    this.kimiBalance = options.kimiBalance ?? 100;
    this.kimiFileLimits = {
      maxFileBytes: options.kimiFileLimits?.maxFileBytes ?? 100 * mebibyte,
      maxFiles: options.kimiFileLimits?.maxFiles ?? 1000,
      maxTotalBytes: options.kimiFileLimits?.maxTotalBytes ?? 10 * 1024 * mebibyte,
    };
    this.glmMaxFileBytes = options.glmMaxFileBytes ?? 100 * mebibyte;
  }

  /** Whether `key` (from `Authorization: Bearer <key>`) is accepted for `vendor`. */
  acceptsKey(vendor: Vendor, key: string): boolean {
    const allowed = vendor === 'glm' ? this.options.glmApiKeys : this.options.kimiApiKeys;
    if (allowed) return allowed.includes(key);
    return key.length > 0 && !key.startsWith('invalid');
  }

  /** Forgets log, rules, files, caches and search ids; balance and latency go back to the options'. */
  reset(): void {
    this.latencyMs = this.options.latencyMs ?? 0;
    this.kimiBalance = this.options.kimiBalance ?? 100;
    this.log.clear();
    this.rules.clear();
    this.glmFiles.clear();
    this.kimiFiles.clear();
    this.glmPromptCache.clear();
    this.kimiPromptCache.clear();
    this.kimiContextCaches.clear();
    this.kimiSearchIds.clear();
    this.kimiFileTexts.clear();
  }
}

/** The bearer token of a request, or undefined when the header is missing or not a bearer. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(.*)$/i.exec(header.trim());
  return match ? (match[1] ?? '').trim() : undefined;
}
