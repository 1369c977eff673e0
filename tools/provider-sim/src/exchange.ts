import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultPlan } from './faults.js';
import type { Upload } from './multipart.js';
import type { Vendor } from './types.js';

/** One request being answered: the HTTP pair plus what the simulator has learnt about it. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly vendor: Vendor;
  /** Full URL path without the query. */
  readonly path: string;
  /** The path below the vendor prefix, e.g. `/chat/completions`. */
  readonly route: string;
  readonly query: string;
  /** Parsed JSON body (undefined when absent or not JSON). */
  readonly body: unknown;
  /** True when a body was sent but is not valid JSON. */
  readonly malformed: boolean;
  /** The multipart upload, when the request was `multipart/form-data`. */
  readonly upload: Upload | undefined;
  /** Faults for this request, filled by the vendor handler. */
  plan: FaultPlan;
  /** Delay before a non-streamed answer and before each stream chunk. */
  latencyMs: number;
  /** Aborts when the response closes (client gone or simulator closing). */
  readonly signal: AbortSignal;
  /** Set when the simulator itself destroys the socket (a scripted reset), so it is not logged as aborted. */
  serverClosed: boolean;
}
