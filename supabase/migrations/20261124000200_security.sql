-- Row-level security: a user sees and changes only their own rows (`auth.uid()`), the service role
-- has full access, anonymous has none. Grants give authenticated users only the verbs their
-- policies allow; anon gets no table privileges at all.

-- Tables whose owner may read, insert, update and delete their rows.
do $$
declare
  item record;
begin
  for item in
    select * from (values
      ('conversations', 'owner_id'),
      ('messages', 'owner_id'),
      ('file_metadata', 'owner_id'),
      ('conversation_files', 'owner_id'),
      ('provider_file_uploads', 'owner_id'),
      ('file_id_mappings', 'owner_id'),
      ('workflow_states', 'owner_id'),
      ('sessions', 'user_id'),
      ('tool_calls', 'user_id')
    ) as owned (tbl, col)
  loop
    execute format('alter table public.%I enable row level security', item.tbl);
    execute format('alter table public.%I force row level security', item.tbl);
    execute format('grant select, insert, update, delete on public.%I to authenticated', item.tbl);
    execute format('grant all on public.%I to service_role', item.tbl);
    execute format('create policy %I on public.%I for select to authenticated using (%I = auth.uid())', item.tbl || ': owner reads', item.tbl, item.col);
    execute format('create policy %I on public.%I for insert to authenticated with check (%I = auth.uid())', item.tbl || ': owner inserts', item.tbl, item.col);
    execute format('create policy %I on public.%I for update to authenticated using (%I = auth.uid()) with check (%I = auth.uid())', item.tbl || ': owner updates', item.tbl, item.col, item.col);
    execute format('create policy %I on public.%I for delete to authenticated using (%I = auth.uid())', item.tbl || ': owner deletes', item.tbl, item.col);
    execute format('create policy %I on public.%I for all to service_role using (true) with check (true)', item.tbl || ': service role', item.tbl);
  end loop;
end
$$;

-- Append-only for users: they read and add their own rows, never change them (usage, audit, file
-- operations and routing decisions are records, not state).
do $$
declare
  item record;
begin
  for item in
    select * from (values
      ('usage_events', 'user_id'),
      ('audit_logs', 'user_id'),
      ('file_operations', 'owner_id'),
      ('routing_decisions', 'user_id')
    ) as owned (tbl, col)
  loop
    execute format('alter table public.%I enable row level security', item.tbl);
    execute format('alter table public.%I force row level security', item.tbl);
    execute format('grant select, insert on public.%I to authenticated', item.tbl);
    execute format('grant all on public.%I to service_role', item.tbl);
    execute format('create policy %I on public.%I for select to authenticated using (%I = auth.uid())', item.tbl || ': owner reads', item.tbl, item.col);
    execute format('create policy %I on public.%I for insert to authenticated with check (%I = auth.uid())', item.tbl || ': owner inserts', item.tbl, item.col);
    execute format('create policy %I on public.%I for all to service_role using (true) with check (true)', item.tbl || ': service role', item.tbl);
  end loop;
end
$$;

-- The service role writes audit records but never changes or removes one: `grant all` above would
-- let it TRUNCATE (which the row trigger below never sees) or DELETE after setting the purge switch
-- itself. Retention goes through public.purge_audit_logs, which runs as the table's owner.
revoke update, delete, truncate on public.audit_logs from service_role;

-- A user reads their quota; only the service role sets it.
alter table public.user_quotas enable row level security;
alter table public.user_quotas force row level security;
grant select on public.user_quotas to authenticated;
grant all on public.user_quotas to service_role;
create policy "user_quotas: owner reads" on public.user_quotas for select to authenticated using (user_id = auth.uid());
create policy "user_quotas: service role" on public.user_quotas for all to service_role using (true) with check (true);

-- A turn, a file link, an upload record or a mapping may only point at the user's own rows.
create policy "messages: own conversation" on public.messages as restrictive for insert to authenticated
  with check (exists (select 1 from public.conversations c where c.id = conversation_id and c.owner_id = auth.uid()));
create policy "conversation_files: own conversation and file" on public.conversation_files as restrictive for insert to authenticated
  with check (
    exists (select 1 from public.conversations c where c.id = conversation_id and c.owner_id = auth.uid())
    and exists (select 1 from public.file_metadata f where f.id = file_id and f.owner_id = auth.uid())
  );
create policy "file_id_mappings: own file" on public.file_id_mappings as restrictive for insert to authenticated
  with check (exists (select 1 from public.file_metadata f where f.id = file_id and f.owner_id = auth.uid()));
create policy "provider_file_uploads: own file" on public.provider_file_uploads as restrictive for insert to authenticated
  with check (file_id is null or exists (select 1 from public.file_metadata f where f.id = file_id and f.owner_id = auth.uid()));

-- The audit trail is append-only for everyone, the service role included; retention goes through
-- public.purge_audit_logs, which the service role alone may call.
create function public.audit_logs_append_only() returns trigger language plpgsql as $$
begin
  if current_setting('exai.audit_purge', true) = 'on' and tg_op = 'DELETE' then
    return old;
  end if;
  raise exception 'audit_logs is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
end
$$;
create trigger audit_logs_append_only before update or delete on public.audit_logs
  for each row execute function public.audit_logs_append_only();

create function public.purge_audit_logs(older_than timestamptz) returns bigint language plpgsql security definer
  set search_path = public as $$
declare
  removed bigint;
begin
  perform set_config('exai.audit_purge', 'on', true);
  delete from public.audit_logs where created_at < older_than;
  get diagnostics removed = row_count;
  perform set_config('exai.audit_purge', 'off', true);
  return removed;
end
$$;
revoke all on function public.purge_audit_logs(timestamptz) from public;
grant execute on function public.purge_audit_logs(timestamptz) to service_role;

-- Metrics are operational data: the service role only.
alter table monitoring.metrics_raw enable row level security;
grant all on monitoring.metrics_raw to service_role;
create policy "metrics_raw: service role" on monitoring.metrics_raw for all to service_role using (true) with check (true);

-- Buckets: private, 100 MB per object; a user's objects live under their id
-- (`{user_id}/{sha256[0:2]}/{sha256}/{filename}`).
insert into storage.buckets (id, name, public, file_size_limit)
values
  ('user-files', 'user-files', false, 104857600),
  ('results', 'results', false, 104857600),
  ('generated-files', 'generated-files', false, 104857600)
on conflict (id) do update set public = false, file_size_limit = excluded.file_size_limit;

create policy "exai buckets: owner reads" on storage.objects for select to authenticated
  using (bucket_id in ('user-files', 'results', 'generated-files') and (storage.foldername(name))[1] = auth.uid()::text);
create policy "exai buckets: owner inserts" on storage.objects for insert to authenticated
  with check (bucket_id in ('user-files', 'results', 'generated-files') and (storage.foldername(name))[1] = auth.uid()::text);
create policy "exai buckets: owner updates" on storage.objects for update to authenticated
  using (bucket_id in ('user-files', 'results', 'generated-files') and (storage.foldername(name))[1] = auth.uid()::text)
  with check (bucket_id in ('user-files', 'results', 'generated-files') and (storage.foldername(name))[1] = auth.uid()::text);
create policy "exai buckets: owner deletes" on storage.objects for delete to authenticated
  using (bucket_id in ('user-files', 'results', 'generated-files') and (storage.foldername(name))[1] = auth.uid()::text);
create policy "exai buckets: service role" on storage.objects for all to service_role using (true) with check (true);
