import type { IncomingHttpHeaders } from 'node:http';

/** Which vendor's wire format a request was addressed to (by URL prefix). */
export type Vendor = 'glm' | 'kimi';

/** Limits of the in-memory Kimi file store (provider-wire.md §2.6). */
export interface KimiFileLimits {
  /** Largest accepted file, in bytes (default 100 MiB). */
  maxFileBytes: number;
  /** Most files kept at once (default 1,000). */
  maxFiles: number;
  /** Largest total size of all kept files, in bytes (default 10 GiB). */
  maxTotalBytes: number;
}

/**
 * A programmatic fault: applies `fault` (a marker without brackets, e.g. `'error:1113'`, `'hang'`,
 * `'latency:200'`) to every request that matches all the given filters, at most `times` times.
 */
export interface FaultRule {
  /** Only requests to this vendor. */
  vendor?: Vendor;
  /** Only requests whose path ends with this string (e.g. `'/chat/completions'`). */
  path?: string;
  /** Only requests whose JSON body names this model. */
  model?: string;
  /** How many matching requests the rule affects (default: all). */
  times?: number;
  /** The marker to apply, without brackets. */
  fault: string;
}

/** Options of {@link startSimulator}; all optional. */
export interface SimulatorOptions {
  /** TCP port (default 0 = a random free port). */
  port?: number;
  /** Interface to listen on (default `127.0.0.1`). */
  host?: string;
  /** Delay before a non-streamed answer and before each stream chunk (default 0). */
  latencyMs?: number;
  /** Accepted GLM keys; by default any non-empty key not starting with `invalid`. */
  glmApiKeys?: readonly string[];
  /** Accepted Kimi keys; by default any non-empty key not starting with `invalid`. */
  kimiApiKeys?: readonly string[];
  /** Kimi account balance in USD (default 100); `<= 0` makes every Kimi chat fail with the quota error. */
  kimiBalance?: number;
  /** Faults active from the start. */
  faults?: readonly FaultRule[];
  /** Limits of the Kimi file store. */
  kimiFileLimits?: Partial<KimiFileLimits>;
  /** Largest file GLM accepts, in bytes (default 100 MiB; above it: HTTP 435). */
  glmMaxFileBytes?: number;
  /** How many requests the log keeps; the oldest are dropped first (default 10,000). */
  requestLogLimit?: number;
}

/** One request the simulator received, as kept in {@link Simulator.requests}. */
export interface RecordedRequest {
  /** Sequence number, from 1. */
  id: number;
  vendor: Vendor;
  method: string;
  /** URL path without the query string, e.g. `/api/paas/v4/chat/completions`. */
  path: string;
  /** The raw query string without `?` (empty when none). */
  query: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body; for multipart uploads `{ purpose, filename, bytes }`; `undefined` without a body. */
  body: unknown;
  /** `Date.now()` when the request body had been read. */
  receivedAt: number;
  /** HTTP status sent, once the head is written. */
  status: number | undefined;
  /** True when the client closed the connection before the response ended (a cancelled call). */
  aborted: boolean;
  /** True when the response was fully written. */
  completed: boolean;
}

/** A running simulator. */
export interface Simulator {
  /** `http://<host>:<port>` */
  readonly url: string;
  readonly port: number;
  /** `${url}/api/paas/v4` */
  readonly glmBaseURL: string;
  /** `${url}/api/coding/paas/v4` (the Coding Plan prefix; same behaviour). */
  readonly glmCodingBaseURL: string;
  /** `${url}/v1` */
  readonly kimiBaseURL: string;
  /** Every request received, in order (bounded by `requestLogLimit`). */
  readonly requests: readonly RecordedRequest[];
  /** Adds a fault rule. */
  addFault(rule: FaultRule): void;
  /** Removes every fault rule. */
  clearFaults(): void;
  /** Clears the request log, fault rules, files, context caches, prompt caches and search ids. */
  reset(): void;
  /** Sets the Kimi balance (USD) reported by `/users/me/balance` and checked by chat. */
  setKimiBalance(usd: number): void;
  /** Changes the default latency. */
  setLatency(ms: number): void;
  /**
   * Resolves with the first logged request (already logged or arriving later) that matches,
   * re-checking whenever an entry is added or changes (aborted, completed); rejects after `timeoutMs`
   * (default 5,000).
   */
  waitFor(predicate: (request: RecordedRequest) => boolean, options?: { timeoutMs?: number }): Promise<RecordedRequest>;
  /** Stops listening and destroys every open socket (hung requests included). */
  close(): Promise<void>;
}
