import type { ExaiError } from '@exai/router/spec';
import type { SupabaseClient } from '@supabase/supabase-js';
import { InvalidStorageInputError, StorageNotFoundError, StorageUnavailableError } from '../storage-errors.js';
import { isDuplicateObject, mapPostgrestError, mapStorageError, type PostgrestErrorFields, type StorageErrorFields } from './supabase-errors.js';
import type { SupabaseHealth } from './supabase-health.js';

/** What a postgrest-js builder resolves to (it never rejects: failures arrive in `error`). */
export interface PostgrestReply {
  data: unknown;
  error: PostgrestErrorFields | null;
  status: number;
}

/** Shared by every gateway of one storage: whether `close()` was called. */
export interface GatewayState {
  closed: boolean;
}

/**
 * One scope's way to Supabase: its client (the service role's, or a user's) and the error mapping
 * every request goes through, so repositories only build queries.
 */
export class SupabaseGateway {
  constructor(
    readonly client: SupabaseClient,
    private readonly health: SupabaseHealth,
    private readonly state: GatewayState,
  ) {}

  /** The rows a PostgREST request returns (none for `return=minimal`), or its error mapped to exai's. */
  async rows<T>(operation: string, request: PromiseLike<PostgrestReply>): Promise<T[]> {
    const data = await this.send(operation, request);
    if (data === null || data === undefined) return [];
    return (Array.isArray(data) ? data : [data]) as T[];
  }

  /** What a PostgREST request (an RPC returning a scalar) answers, or its error mapped to exai's. */
  async send(operation: string, request: PromiseLike<PostgrestReply>): Promise<unknown> {
    this.#checkOpen(operation);
    const reply = await request;
    if (reply.error) throw this.#failed(mapPostgrestError(operation, reply.error, reply.status));
    return reply.data;
  }

  /**
   * Stores an object without overwriting (`x-upsert: false`). An object already at the path is
   * accepted: paths are content-addressed (`…/{sha256}/{filename}`), so it holds the same bytes
   * (left behind by a put whose metadata write failed, or a concurrent put).
   */
  async upload(operation: string, bucket: string, path: string, bytes: Uint8Array, contentType: string): Promise<void> {
    this.#checkOpen(operation);
    const { error } = await this.#storageCall(operation, () => this.client.storage.from(bucket).upload(path, bytes, { contentType, upsert: false }));
    if (error && !isDuplicateObject(error as StorageErrorFields)) throw this.#failed(mapStorageError(operation, error as StorageErrorFields, `object ${bucket}/${path}`));
  }

  /** An object's bytes; `StorageNotFoundError` naming `resource` when it is not there. */
  async download(operation: string, bucket: string, path: string, resource: string): Promise<Uint8Array> {
    this.#checkOpen(operation);
    const { data, error } = await this.#storageCall(operation, () => this.client.storage.from(bucket).download(path));
    if (error || !data) throw this.#failed(mapStorageError(operation, (error ?? {}) as StorageErrorFields, resource));
    return new Uint8Array(await data.arrayBuffer());
  }

  /** Removes objects; paths that are not there are no error (Storage answers 200 with what it removed). */
  async remove(operation: string, bucket: string, paths: string[]): Promise<void> {
    this.#checkOpen(operation);
    const { error } = await this.#storageCall(operation, () => this.client.storage.from(bucket).remove(paths));
    if (error) throw this.#failed(mapStorageError(operation, error as StorageErrorFields, `objects in ${bucket}`));
  }

  /**
   * A storage-js call. It reports its own errors in `error`, but rethrows anything else, such as a
   * body that stops arriving half way (`Response.blob()` rejects): that is an outage too.
   */
  async #storageCall<T>(operation: string, call: () => PromiseLike<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw this.#failed(new StorageUnavailableError({ message: `${operation}: Supabase Storage stopped answering (${detail}).`, cause: error }));
    }
  }

  #checkOpen(operation: string): void {
    // As the SQL adapters say of a closed pool or PGlite: nothing is reachable any more.
    if (this.state.closed) throw new StorageUnavailableError({ message: `${operation}: the Supabase storage is closed.` });
  }

  #failed(error: ExaiError): ExaiError {
    // `status().lastError` is about the deployment (unreachable, refused, schema missing), not about
    // a caller's input or a row that is not there.
    if (!(error instanceof StorageNotFoundError) && !(error instanceof InvalidStorageInputError)) this.health.failed(error.message);
    return error;
  }
}

/** What every repository of one user works with: the gateway, and the owner it scopes rows to. */
export interface UserScope {
  readonly db: SupabaseGateway;
  readonly ownerId: string;
}
