import { randomUUID } from 'node:crypto';

// The tables of supabase/migrations as the stand-in emulates them: columns with their types,
// defaults and checks, keys, foreign keys with their delete actions, and the row-level security of
// 20261124000200_security.sql reduced to what it decides (owner column, granted verbs, restrictive
// insert policies). Keep it in step with the migrations.

export type ColumnType = 'uuid' | 'text' | 'timestamptz' | 'integer' | 'bigint' | 'numeric' | 'float' | 'jsonb' | 'text[]';
export type Verb = 'select' | 'insert' | 'update' | 'delete';

/** Who a request runs as: PostgREST's role from the JWT, and `auth.uid()`. */
export interface AuthContext {
  role: 'service_role' | 'authenticated' | 'anon';
  sub: string | undefined;
}

export interface ColumnSpec {
  type: ColumnType;
  nullable?: boolean;
  /** `generated always as identity`: never written by a request. */
  identity?: boolean;
  default?: (auth: AuthContext) => unknown;
  /** A check constraint on this column alone. */
  check?: (value: unknown) => boolean;
}

export interface TableSpec {
  schema: 'public' | 'monitoring';
  name: string;
  columns: Record<string, ColumnSpec>;
  primaryKey: string[];
  unique: string[][];
  references: Array<{ column: string; table: string; onDelete: 'cascade' | 'set null' }>;
  /** Row-level security for `authenticated`; absent: no grant to users at all. */
  owner?: { column: string; verbs: Verb[] };
  /** Restrictive insert policies: these foreign keys must point at the user's own rows. */
  ownReferences?: string[];
  /** The `audit_logs_append_only` trigger: update and delete refused. */
  appendOnly?: boolean;
  /** Verbs revoked from `service_role` (which otherwise has every grant and bypasses RLS). */
  serviceRevoked?: Verb[];
}

const uuid = (): string => randomUUID();
const now = (): Date => new Date();
const uid = (auth: AuthContext): string | null => auth.sub ?? null;
const emptyObject = (): Record<string, unknown> => ({});
const emptyArray = (): unknown[] => [];
const zero = (): number => 0;
const oneOf =
  (...values: string[]) =>
  (value: unknown): boolean =>
    values.includes(value as string);
const sha256Check = (value: unknown): boolean => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
const nonNegative = (value: unknown): boolean => value === null || Number(value) >= 0;

const all: Verb[] = ['select', 'insert', 'update', 'delete'];
const appendOnly: Verb[] = ['select', 'insert'];

export const TABLES: TableSpec[] = [
  {
    schema: 'public',
    name: 'conversations',
    columns: {
      id: { type: 'uuid', default: uuid },
      continuation_id: { type: 'text' },
      owner_id: { type: 'uuid', default: uid },
      tool: { type: 'text', nullable: true },
      parent_id: { type: 'uuid', nullable: true },
      title: { type: 'text', nullable: true },
      expires_at: { type: 'timestamptz', nullable: true },
      metadata: { type: 'jsonb', default: emptyObject },
      created_at: { type: 'timestamptz', default: now },
      updated_at: { type: 'timestamptz', default: now },
    },
    primaryKey: ['id'],
    unique: [['continuation_id']],
    references: [{ column: 'parent_id', table: 'conversations', onDelete: 'set null' }],
    owner: { column: 'owner_id', verbs: all },
  },
  {
    schema: 'public',
    name: 'messages',
    columns: {
      id: { type: 'uuid', default: uuid },
      seq: { type: 'bigint', identity: true },
      conversation_id: { type: 'uuid' },
      owner_id: { type: 'uuid', default: uid },
      role: { type: 'text', check: oneOf('system', 'user', 'assistant', 'tool') },
      content: { type: 'text' },
      tool: { type: 'text', nullable: true },
      provider: { type: 'text', nullable: true },
      model: { type: 'text', nullable: true },
      files: { type: 'jsonb', default: emptyArray },
      images: { type: 'jsonb', default: emptyArray },
      usage: { type: 'jsonb', nullable: true },
      metadata: { type: 'jsonb', default: emptyObject },
      idempotency_key: { type: 'text' },
      created_at: { type: 'timestamptz', default: now },
    },
    primaryKey: ['id'],
    unique: [['idempotency_key']],
    references: [{ column: 'conversation_id', table: 'conversations', onDelete: 'cascade' }],
    owner: { column: 'owner_id', verbs: all },
    ownReferences: ['conversation_id'],
  },
  {
    schema: 'public',
    name: 'file_metadata',
    columns: {
      id: { type: 'uuid', default: uuid },
      owner_id: { type: 'uuid', default: uid },
      bucket: { type: 'text', check: oneOf('user-files', 'results', 'generated-files') },
      path: { type: 'text' },
      filename: { type: 'text' },
      content_type: { type: 'text', default: () => 'application/octet-stream' },
      size_bytes: { type: 'bigint', check: (value) => Number(value) >= 0 && Number(value) <= 104_857_600 },
      sha256: { type: 'text', check: sha256Check },
      tags: { type: 'text[]', default: emptyArray },
      metadata: { type: 'jsonb', default: emptyObject },
      access_count: { type: 'integer', default: zero },
      created_at: { type: 'timestamptz', default: now },
      last_accessed_at: { type: 'timestamptz', default: now },
    },
    primaryKey: ['id'],
    unique: [['bucket', 'path'], ['owner_id', 'bucket', 'sha256']],
    references: [],
    owner: { column: 'owner_id', verbs: all },
  },
  {
    schema: 'public',
    name: 'conversation_files',
    columns: {
      conversation_id: { type: 'uuid' },
      file_id: { type: 'uuid' },
      owner_id: { type: 'uuid', default: uid },
      added_at: { type: 'timestamptz', default: now },
    },
    primaryKey: ['conversation_id', 'file_id'],
    unique: [],
    references: [
      { column: 'conversation_id', table: 'conversations', onDelete: 'cascade' },
      { column: 'file_id', table: 'file_metadata', onDelete: 'cascade' },
    ],
    owner: { column: 'owner_id', verbs: all },
    ownReferences: ['conversation_id', 'file_id'],
  },
  {
    schema: 'public',
    name: 'provider_file_uploads',
    columns: {
      id: { type: 'uuid', default: uuid },
      owner_id: { type: 'uuid', default: uid },
      file_id: { type: 'uuid', nullable: true },
      sha256: { type: 'text', check: sha256Check },
      provider: { type: 'text', check: oneOf('glm', 'kimi') },
      provider_file_id: { type: 'text' },
      filename: { type: 'text', nullable: true },
      size_bytes: { type: 'bigint', nullable: true },
      purpose: { type: 'text', nullable: true },
      status: { type: 'text', default: () => 'uploaded', check: oneOf('uploaded', 'deleted', 'expired', 'failed') },
      expires_at: { type: 'timestamptz', nullable: true },
      last_used_at: { type: 'timestamptz', default: now },
      created_at: { type: 'timestamptz', default: now },
    },
    primaryKey: ['id'],
    unique: [['provider', 'provider_file_id']],
    references: [{ column: 'file_id', table: 'file_metadata', onDelete: 'set null' }],
    owner: { column: 'owner_id', verbs: all },
    ownReferences: ['file_id'],
  },
  {
    schema: 'public',
    name: 'file_id_mappings',
    columns: {
      id: { type: 'uuid', default: uuid },
      owner_id: { type: 'uuid', default: uid },
      external_id: { type: 'text' },
      source: { type: 'text', check: oneOf('path', 'provider', 'client') },
      file_id: { type: 'uuid' },
      created_at: { type: 'timestamptz', default: now },
    },
    primaryKey: ['id'],
    unique: [['owner_id', 'source', 'external_id']],
    references: [{ column: 'file_id', table: 'file_metadata', onDelete: 'cascade' }],
    owner: { column: 'owner_id', verbs: all },
    ownReferences: ['file_id'],
  },
  {
    schema: 'public',
    name: 'file_operations',
    columns: {
      id: { type: 'uuid', default: uuid },
      owner_id: { type: 'uuid', default: uid },
      file_id: { type: 'uuid', nullable: true },
      operation: { type: 'text', check: oneOf('put', 'dedup', 'get', 'delete', 'provider_upload', 'provider_reuse', 'provider_delete', 'download') },
      provider: { type: 'text', nullable: true },
      status: { type: 'text', check: oneOf('ok', 'failed') },
      bytes: { type: 'bigint', nullable: true },
      duration_ms: { type: 'integer', nullable: true },
      error: { type: 'text', nullable: true },
      created_at: { type: 'timestamptz', default: now },
    },
    primaryKey: ['id'],
    unique: [],
    references: [{ column: 'file_id', table: 'file_metadata', onDelete: 'set null' }],
    owner: { column: 'owner_id', verbs: appendOnly },
  },
  {
    schema: 'public',
    name: 'audit_logs',
    columns: {
      id: { type: 'uuid', default: uuid },
      user_id: { type: 'uuid', nullable: true },
      action: { type: 'text' },
      resource: { type: 'text', nullable: true },
      outcome: { type: 'text', check: oneOf('success', 'failure') },
      ip: { type: 'text', nullable: true },
      details: { type: 'jsonb', default: emptyObject },
      created_at: { type: 'timestamptz', default: now },
    },
    primaryKey: ['id'],
    unique: [],
    references: [],
    owner: { column: 'user_id', verbs: appendOnly },
    appendOnly: true,
    serviceRevoked: ['update', 'delete'],
  },
  {
    schema: 'public',
    name: 'user_quotas',
    columns: {
      user_id: { type: 'uuid' },
      storage_quota_bytes: { type: 'bigint', default: () => 10_737_418_240, check: nonNegative },
      monthly_token_budget: { type: 'bigint', nullable: true, check: nonNegative },
      monthly_cost_budget_usd: { type: 'numeric', nullable: true, check: nonNegative },
      updated_at: { type: 'timestamptz', default: now },
    },
    primaryKey: ['user_id'],
    unique: [],
    references: [],
    owner: { column: 'user_id', verbs: ['select'] },
  },
  {
    schema: 'public',
    name: 'usage_events',
    columns: {
      id: { type: 'uuid', default: uuid },
      user_id: { type: 'uuid', default: uid },
      provider: { type: 'text' },
      model: { type: 'text' },
      tool: { type: 'text', nullable: true },
      continuation_id: { type: 'text', nullable: true },
      input_tokens: { type: 'integer', default: zero },
      cached_input_tokens: { type: 'integer', default: zero },
      output_tokens: { type: 'integer', default: zero },
      reasoning_tokens: { type: 'integer', default: zero },
      total_tokens: { type: 'integer', default: zero },
      web_search_calls: { type: 'integer', default: zero },
      cost_usd: { type: 'numeric', default: zero },
      created_at: { type: 'timestamptz', default: now },
    },
    primaryKey: ['id'],
    unique: [],
    references: [],
    owner: { column: 'user_id', verbs: appendOnly },
  },
  {
    schema: 'public',
    name: 'tool_calls',
    columns: {
      id: { type: 'uuid', default: uuid },
      user_id: { type: 'uuid', default: uid },
      session_id: { type: 'text', nullable: true },
      tool: { type: 'text' },
      status: { type: 'text', check: oneOf('running', 'success', 'error', 'cancelled', 'timeout') },
      continuation_id: { type: 'text', nullable: true },
      provider: { type: 'text', nullable: true },
      model: { type: 'text', nullable: true },
      duration_ms: { type: 'integer', nullable: true },
      error_code: { type: 'text', nullable: true },
      error_message: { type: 'text', nullable: true },
      started_at: { type: 'timestamptz', default: now },
      finished_at: { type: 'timestamptz', nullable: true },
    },
    primaryKey: ['id'],
    unique: [],
    references: [],
    owner: { column: 'user_id', verbs: all },
  },
  {
    schema: 'public',
    name: 'routing_decisions',
    columns: {
      id: { type: 'uuid', default: uuid },
      user_id: { type: 'uuid', default: uid },
      tool_call_id: { type: 'uuid', nullable: true },
      tool: { type: 'text', nullable: true },
      mode: { type: 'text' },
      category: { type: 'text', nullable: true },
      chosen_model: { type: 'text' },
      chain: { type: 'jsonb', default: emptyArray },
      reasons: { type: 'jsonb', default: emptyArray },
      rejected: { type: 'jsonb', default: emptyArray },
      estimated_cost_usd: { type: 'numeric', nullable: true },
      created_at: { type: 'timestamptz', default: now },
    },
    primaryKey: ['id'],
    unique: [],
    references: [],
    owner: { column: 'user_id', verbs: appendOnly },
  },
  {
    schema: 'public',
    name: 'sessions',
    columns: {
      id: { type: 'text' },
      user_id: { type: 'uuid', default: uid },
      transport: { type: 'text', check: oneOf('stdio', 'websocket', 'http', 'legacy-ws', 'gateway') },
      client_name: { type: 'text', nullable: true },
      client_version: { type: 'text', nullable: true },
      ip: { type: 'text', nullable: true },
      replica: { type: 'text', nullable: true },
      started_at: { type: 'timestamptz', default: now },
      last_seen_at: { type: 'timestamptz', default: now },
      ended_at: { type: 'timestamptz', nullable: true },
    },
    primaryKey: ['id'],
    unique: [],
    references: [],
    owner: { column: 'user_id', verbs: all },
  },
  {
    schema: 'public',
    name: 'workflow_states',
    columns: {
      continuation_id: { type: 'text' },
      tool: { type: 'text' },
      owner_id: { type: 'uuid', default: uid },
      step_number: { type: 'integer', default: zero },
      total_steps: { type: 'integer', nullable: true },
      state: { type: 'jsonb', default: emptyObject },
      expires_at: { type: 'timestamptz', nullable: true },
      updated_at: { type: 'timestamptz', default: now },
    },
    primaryKey: ['continuation_id', 'tool'],
    unique: [],
    references: [],
    owner: { column: 'owner_id', verbs: all },
  },
  {
    schema: 'monitoring',
    name: 'metrics_raw',
    columns: {
      id: { type: 'bigint', identity: true },
      name: { type: 'text' },
      value: { type: 'float' },
      labels: { type: 'jsonb', default: emptyObject },
      recorded_at: { type: 'timestamptz', default: now },
    },
    primaryKey: ['id'],
    unique: [],
    references: [],
  },
];

/** The buckets of 20261124000200_security.sql: private, 100 MB per object. */
export const STAND_IN_BUCKETS = new Map<string, { fileSizeLimit: number }>([
  ['user-files', { fileSizeLimit: 104_857_600 }],
  ['results', { fileSizeLimit: 104_857_600 }],
  ['generated-files', { fileSizeLimit: 104_857_600 }],
]);
