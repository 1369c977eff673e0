export { createSupabaseStorage, type SupabaseStorageOptions } from './supabase-storage.js';
export type { SupabaseStorageLogger } from './supabase-health.js';
