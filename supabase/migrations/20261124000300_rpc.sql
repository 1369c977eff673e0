-- Functions the Supabase adapter of @exai/storage calls through PostgREST (`/rest/v1/rpc/<name>`) for
-- what a PostgREST query cannot say portably: sums and groupings (aggregates are off by default on
-- Supabase, `db-aggregates-enabled`) and an atomic increment.
--
-- Every function is `security invoker`: it runs with the caller's role, so row-level security still
-- applies (a user's JWT sees only their rows; the service role sees all). Each takes the owner
-- explicitly, because the adapter may also talk with the service-role key and scope by owner itself.
-- `search_path` is empty and every name is qualified, so a caller's search_path changes nothing.

-- The user's quota row (null columns when there is none: the adapter applies the defaults) and the
-- bytes their stored files take. One call serves `quota.get()` and the check before every write.
create or replace function public.exai_storage_quota(p_user_id uuid)
returns table (
  user_id uuid,
  storage_quota_bytes bigint,
  storage_used_bytes bigint,
  monthly_token_budget bigint,
  monthly_cost_budget_usd numeric
)
language sql stable security invoker set search_path = ''
as $$
  select
    p_user_id,
    q.storage_quota_bytes,
    (select coalesce(sum(f.size_bytes), 0)::bigint from public.file_metadata f where f.owner_id = p_user_id),
    q.monthly_token_budget,
    q.monthly_cost_budget_usd
  from (select 1) as one
  left join public.user_quotas q on q.user_id = p_user_id
$$;

-- Usage summed per UTC day in [p_since, p_until), newest day first (`UsageRepository.totalsByDay`).
create or replace function public.exai_usage_totals_by_day(p_user_id uuid, p_since timestamptz, p_until timestamptz)
returns table (
  day text,
  calls bigint,
  input_tokens bigint,
  output_tokens bigint,
  total_tokens bigint,
  cost_usd numeric
)
language sql stable security invoker set search_path = ''
as $$
  select
    to_char(u.created_at at time zone 'UTC', 'YYYY-MM-DD'),
    count(*)::bigint,
    coalesce(sum(u.input_tokens), 0)::bigint,
    coalesce(sum(u.output_tokens), 0)::bigint,
    coalesce(sum(u.total_tokens), 0)::bigint,
    coalesce(sum(u.cost_usd), 0)
  from public.usage_events u
  where u.user_id = p_user_id and u.created_at >= p_since and u.created_at < p_until
  group by 1
  order by 1 desc
$$;

-- Counts one read of a stored file and returns its row (none when it is not the owner's): an
-- increment PostgREST's PATCH cannot express without a lost update between read and write.
create or replace function public.exai_touch_file(p_owner_id uuid, p_file_id uuid)
returns setof public.file_metadata
language sql volatile security invoker set search_path = ''
as $$
  update public.file_metadata f
  set access_count = f.access_count + 1, last_accessed_at = now()
  where f.id = p_file_id and f.owner_id = p_owner_id
  returning f.*
$$;

-- Callable by signed-in users and the service role only (PostgreSQL grants EXECUTE to PUBLIC by
-- default, and Supabase's default privileges grant it to anon as well).
revoke all on function public.exai_storage_quota(uuid) from public, anon;
revoke all on function public.exai_usage_totals_by_day(uuid, timestamptz, timestamptz) from public, anon;
revoke all on function public.exai_touch_file(uuid, uuid) from public, anon;
grant execute on function public.exai_storage_quota(uuid) to authenticated, service_role;
grant execute on function public.exai_usage_totals_by_day(uuid, timestamptz, timestamptz) to authenticated, service_role;
grant execute on function public.exai_touch_file(uuid, uuid) to authenticated, service_role;
