-- exai platform prerequisites: what Supabase provides and a plain PostgreSQL server or PGlite lacks.
-- Every statement is conditional, so on Supabase (where these exist and belong to its own roles)
-- this migration changes nothing.

-- The three API roles. service_role bypasses row-level security, as on Supabase. Creating a role
-- races when several databases of one server migrate at once (tests): a duplicate is fine.
do $$
declare
  role_name text;
begin
  foreach role_name in array array['anon', 'authenticated', 'service_role'] loop
    if not exists (select 1 from pg_roles where rolname = role_name) then
      begin
        if role_name = 'service_role' then
          execute format('create role %I nologin noinherit bypassrls', role_name);
        else
          execute format('create role %I nologin noinherit', role_name);
        end if;
      exception when duplicate_object or unique_violation then
        null;
      end;
    end if;
  end loop;
end
$$;

create schema if not exists auth;
create schema if not exists storage;
create schema if not exists monitoring;

-- auth.uid(), auth.role() and auth.jwt() as Supabase defines them: from the JWT claims PostgREST
-- (or exai's postgres adapter) sets per transaction in `request.jwt.claims`.
do $$
begin
  if not exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'auth' and p.proname = 'jwt') then
    execute $f$
      create function auth.jwt() returns jsonb language sql stable as $body$
        select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb
      $body$
    $f$;
  end if;
  if not exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'auth' and p.proname = 'uid') then
    execute $f$
      create function auth.uid() returns uuid language sql stable as $body$
        select nullif(coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), auth.jwt() ->> 'sub'), '')::uuid
      $body$
    $f$;
  end if;
  if not exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'auth' and p.proname = 'role') then
    execute $f$
      create function auth.role() returns text language sql stable as $body$
        select nullif(coalesce(nullif(current_setting('request.jwt.claim.role', true), ''), auth.jwt() ->> 'role'), '')
      $body$
    $f$;
  end if;
end
$$;

-- Supabase Storage's two tables, reduced to the columns exai uses, where Storage is not installed.
create table if not exists storage.buckets (
  id text primary key,
  name text not null unique,
  owner uuid,
  public boolean not null default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table if not exists storage.objects (
  id uuid primary key default gen_random_uuid(),
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid,
  metadata jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_accessed_at timestamptz not null default now(),
  unique (bucket_id, name)
);

do $$
begin
  if not exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'storage' and p.proname = 'foldername') then
    execute $f$
      create function storage.foldername(name text) returns text[] language sql immutable as $body$
        select (string_to_array(name, '/'))[1:array_length(string_to_array(name, '/'), 1) - 1]
      $body$
    $f$;
  end if;
  -- On Supabase the table belongs to Storage's admin role and already has row-level security.
  begin
    alter table storage.objects enable row level security;
  exception when insufficient_privilege then
    null;
  end;
end
$$;

-- On Supabase these grants exist already and the schemas belong to other roles: skip quietly there.
do $$
begin
  begin
    grant usage on schema auth to anon, authenticated, service_role;
    grant usage on schema storage to authenticated, service_role;
    grant select, insert, update, delete on storage.objects to authenticated, service_role;
    grant select on storage.buckets to authenticated, service_role;
  exception when insufficient_privilege then
    null;
  end;
end
$$;

grant usage on schema public to anon, authenticated, service_role;
grant usage on schema monitoring to service_role;
