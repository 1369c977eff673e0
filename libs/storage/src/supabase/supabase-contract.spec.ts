// The shared storage contract, run against the Supabase adapter. No live Supabase is reachable from
// these tests, so the adapter talks to a local stand-in (test-support/supabase-stand-in.ts) that
// emulates the gateway's key check, PostgREST over the schema of supabase/migrations (with its
// row-level security) and Supabase Storage's object routes. Run twice: with the JWT secret (each
// user scope signs its own token and the stand-in's row-level security decides) and without it
// (the service key, with the adapter scoping every query by owner).
import { describeStorageContract } from '../test-support/storage-contract.js';
import { createSupabaseStorage } from './supabase-storage.js';
import { signStandInKey, startSupabaseStandIn } from './test-support/supabase-stand-in.js';

const jwtSecret = 'stand-in-jwt-secret-with-at-least-32-characters';

for (const tenancy of ['user tokens', 'service key'] as const) {
  describeStorageContract(`supabase (${tenancy}, stand-in)`, async () => {
    const serviceRoleKey = await signStandInKey(jwtSecret, 'service_role');
    const anonKey = await signStandInKey(jwtSecret, 'anon');
    const standIn = await startSupabaseStandIn({ jwtSecret, serviceRoleKey, anonKey });
    const storage = createSupabaseStorage({ url: standIn.url, serviceRoleKey, anonKey, ...(tenancy === 'user tokens' ? { jwtSecret } : {}) });
    return {
      storage,
      cleanup: async () => {
        await storage.close();
        await standIn.close();
      },
    };
  });
}
