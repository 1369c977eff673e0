-- exai's tables. Every table here is read and written by @exai/storage, and every query it runs
-- has an index below. Owner columns hold the JWT subject (`auth.uid()`); rows a user writes default
-- to their own id.

-- Conversation threads, found by the continuation id a client sends back.
create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  continuation_id text not null unique,
  owner_id uuid not null default auth.uid(),
  tool text,
  parent_id uuid references public.conversations (id) on delete set null,
  title text,
  expires_at timestamptz,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index conversations_owner_updated_idx on public.conversations (owner_id, updated_at desc);
create index conversations_expires_idx on public.conversations (expires_at) where expires_at is not null;
create index conversations_parent_idx on public.conversations (parent_id) where parent_id is not null;

-- Turns of a thread. The idempotency key makes a replayed write (journal, retry) a no-op; seq keeps
-- the insertion order of turns written in the same microsecond.
create table public.messages (
  id uuid primary key default gen_random_uuid(),
  seq bigint generated always as identity,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  owner_id uuid not null default auth.uid(),
  role text not null check (role in ('system', 'user', 'assistant', 'tool')),
  content text not null,
  tool text,
  provider text,
  model text,
  files jsonb not null default '[]'::jsonb,
  images jsonb not null default '[]'::jsonb,
  usage jsonb,
  metadata jsonb not null default '{}'::jsonb,
  idempotency_key text not null unique,
  created_at timestamptz not null default now()
);
create index messages_conversation_time_idx on public.messages (conversation_id, created_at desc, seq desc);
create index messages_owner_idx on public.messages (owner_id);

-- Stored files (bucket objects): one row per owner, bucket and content hash.
create table public.file_metadata (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null default auth.uid(),
  bucket text not null check (bucket in ('user-files', 'results', 'generated-files')),
  path text not null,
  filename text not null,
  content_type text not null default 'application/octet-stream',
  size_bytes bigint not null check (size_bytes >= 0 and size_bytes <= 104857600),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  tags text[] not null default '{}',
  metadata jsonb not null default '{}'::jsonb,
  access_count integer not null default 0,
  created_at timestamptz not null default now(),
  last_accessed_at timestamptz not null default now(),
  -- A path is unique within its bucket, as storage.objects' (bucket_id, name): the same content
  -- under the same name may be stored in two buckets.
  unique (bucket, path),
  unique (owner_id, bucket, sha256)
);
create index file_metadata_owner_sha_idx on public.file_metadata (owner_id, sha256);
create index file_metadata_owner_created_idx on public.file_metadata (owner_id, created_at desc);

-- Files attached to a thread.
create table public.conversation_files (
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  file_id uuid not null references public.file_metadata (id) on delete cascade,
  owner_id uuid not null default auth.uid(),
  added_at timestamptz not null default now(),
  primary key (conversation_id, file_id)
);
create index conversation_files_file_idx on public.conversation_files (file_id);

-- A stored file uploaded to a provider: reuse its file id instead of uploading again.
create table public.provider_file_uploads (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null default auth.uid(),
  file_id uuid references public.file_metadata (id) on delete set null,
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  provider text not null check (provider in ('glm', 'kimi')),
  provider_file_id text not null,
  filename text,
  size_bytes bigint,
  purpose text,
  status text not null default 'uploaded' check (status in ('uploaded', 'deleted', 'expired', 'failed')),
  expires_at timestamptz,
  last_used_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  unique (provider, provider_file_id)
);
create index provider_file_uploads_lookup_idx on public.provider_file_uploads (owner_id, provider, sha256) where status = 'uploaded';
create index provider_file_uploads_sha_idx on public.provider_file_uploads (provider, sha256);
create index provider_file_uploads_last_used_idx on public.provider_file_uploads (last_used_at) where status = 'uploaded';
create index provider_file_uploads_expires_idx on public.provider_file_uploads (expires_at) where status = 'uploaded' and expires_at is not null;

-- A name a client uses for a file (its local path, a provider's file id) → the stored file.
create table public.file_id_mappings (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null default auth.uid(),
  external_id text not null,
  source text not null check (source in ('path', 'provider', 'client')),
  file_id uuid not null references public.file_metadata (id) on delete cascade,
  created_at timestamptz not null default now(),
  unique (owner_id, source, external_id)
);
create index file_id_mappings_file_idx on public.file_id_mappings (file_id);

-- What was done to files, for the activity and cleanup reports.
create table public.file_operations (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null default auth.uid(),
  file_id uuid references public.file_metadata (id) on delete set null,
  operation text not null check (operation in ('put', 'dedup', 'get', 'delete', 'provider_upload', 'provider_reuse', 'provider_delete', 'download')),
  provider text,
  status text not null check (status in ('ok', 'failed')),
  bytes bigint,
  duration_ms integer,
  error text,
  created_at timestamptz not null default now()
);
create index file_operations_owner_time_idx on public.file_operations (owner_id, created_at desc);
create index file_operations_file_idx on public.file_operations (file_id) where file_id is not null;

-- Append-only audit trail: authentication, access, destructive operations.
create table public.audit_logs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid,
  action text not null,
  resource text,
  outcome text not null check (outcome in ('success', 'failure')),
  ip text,
  details jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index audit_logs_action_time_idx on public.audit_logs (action, created_at desc);
create index audit_logs_user_time_idx on public.audit_logs (user_id, created_at desc);
create index audit_logs_time_idx on public.audit_logs (created_at desc);

-- Per-user limits; a user without a row gets the defaults (10 GB, no budgets).
create table public.user_quotas (
  user_id uuid primary key,
  storage_quota_bytes bigint not null default 10737418240 check (storage_quota_bytes >= 0),
  monthly_token_budget bigint check (monthly_token_budget >= 0),
  monthly_cost_budget_usd numeric(14, 6) check (monthly_cost_budget_usd >= 0),
  updated_at timestamptz not null default now()
);

-- Tokens and cost of every model call.
create table public.usage_events (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid(),
  provider text not null,
  model text not null,
  tool text,
  continuation_id text,
  input_tokens integer not null default 0,
  cached_input_tokens integer not null default 0,
  output_tokens integer not null default 0,
  reasoning_tokens integer not null default 0,
  total_tokens integer not null default 0,
  web_search_calls integer not null default 0,
  cost_usd numeric(14, 8) not null default 0,
  created_at timestamptz not null default now()
);
create index usage_events_user_time_idx on public.usage_events (user_id, created_at desc);

-- Tool calls, for the activity tool.
create table public.tool_calls (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid(),
  session_id text,
  tool text not null,
  status text not null check (status in ('running', 'success', 'error', 'cancelled', 'timeout')),
  continuation_id text,
  provider text,
  model text,
  duration_ms integer,
  error_code text,
  error_message text,
  started_at timestamptz not null default now(),
  finished_at timestamptz
);
create index tool_calls_user_time_idx on public.tool_calls (user_id, started_at desc);
create index tool_calls_user_tool_time_idx on public.tool_calls (user_id, tool, started_at desc);
create index tool_calls_user_status_time_idx on public.tool_calls (user_id, status, started_at desc);

-- The router's decisions, explainable after the fact.
create table public.routing_decisions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid(),
  tool_call_id uuid,
  tool text,
  mode text not null,
  category text,
  chosen_model text not null,
  chain jsonb not null default '[]'::jsonb,
  reasons jsonb not null default '[]'::jsonb,
  rejected jsonb not null default '[]'::jsonb,
  estimated_cost_usd numeric(14, 8),
  created_at timestamptz not null default now()
);
create index routing_decisions_user_time_idx on public.routing_decisions (user_id, created_at desc);
create index routing_decisions_tool_call_idx on public.routing_decisions (tool_call_id) where tool_call_id is not null;

-- MCP sessions (stdio, WebSocket, Streamable HTTP) and where they run.
create table public.sessions (
  id text primary key,
  user_id uuid not null default auth.uid(),
  transport text not null check (transport in ('stdio', 'websocket', 'http', 'legacy-ws', 'gateway')),
  client_name text,
  client_version text,
  ip text,
  replica text,
  started_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  ended_at timestamptz
);
create index sessions_user_seen_idx on public.sessions (user_id, last_seen_at desc);
create index sessions_open_idx on public.sessions (replica) where ended_at is null;

-- State of multi-step workflow tools per continuation id (never on a shared object).
create table public.workflow_states (
  continuation_id text not null,
  tool text not null,
  owner_id uuid not null default auth.uid(),
  step_number integer not null default 0,
  total_steps integer,
  state jsonb not null default '{}'::jsonb,
  expires_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (continuation_id, tool)
);
create index workflow_states_owner_idx on public.workflow_states (owner_id, updated_at desc);
create index workflow_states_expires_idx on public.workflow_states (expires_at) where expires_at is not null;

-- Raw metric samples (service only).
create table monitoring.metrics_raw (
  id bigint generated always as identity primary key,
  name text not null,
  value double precision not null,
  labels jsonb not null default '{}'::jsonb,
  recorded_at timestamptz not null default now()
);
create index metrics_raw_name_time_idx on monitoring.metrics_raw (name, recorded_at desc);
