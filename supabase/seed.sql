-- Seed data for local development (`supabase db reset`). The buckets and every table come from the
-- migrations; nothing here is needed in production. A development user's quota, so that
-- `user_quotas` shows what a row looks like.
insert into public.user_quotas (user_id, storage_quota_bytes, monthly_token_budget, monthly_cost_budget_usd)
values ('00000000-0000-4000-8000-000000000001', 10737418240, null, null)
on conflict (user_id) do nothing;
