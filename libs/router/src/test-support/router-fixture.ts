import { createModelRegistry } from '../model-registry.js';
import { createRouter, type Router } from '../create-router.js';
import type { RouterOptions } from '../router-options.js';
import { FakeProvider } from './fake-provider.js';

/** Environment variables as the stdio app declares them. */
export const providerSetup: RouterOptions['providerSetup'] = {
  glm: { envVar: 'GLM_API_KEY', aliases: ['ZAI_API_KEY', 'ZHIPUAI_API_KEY'] },
  kimi: { envVar: 'KIMI_API_KEY', aliases: ['MOONSHOT_API_KEY'] },
};

/** Options of {@link routerFixture}: router options, which providers have keys, and how many keys each. */
export type FixtureOptions = Partial<RouterOptions> & { only?: Array<'glm' | 'kimi'>; keys?: { glm?: number; kimi?: number } };

/**
 * A router over fake GLM and Kimi providers (one `FakeProvider` per key) with millisecond backoff.
 * `glm` and `kimi` are the first keys; `glmKeys` and `kimiKeys` all of them.
 */
export function routerFixture(overrides: FixtureOptions = {}): {
  router: Router;
  glm: FakeProvider;
  kimi: FakeProvider;
  glmKeys: FakeProvider[];
  kimiKeys: FakeProvider[];
} {
  const { only, keys, ...options } = overrides;
  const glmKeys = Array.from({ length: keys?.glm ?? 1 }, () => new FakeProvider('glm'));
  const kimiKeys = Array.from({ length: keys?.kimi ?? 1 }, () => new FakeProvider('kimi'));
  const configured = only ?? ['glm', 'kimi'];
  const router = createRouter({
    registry: createModelRegistry(),
    providers: {
      ...(configured.includes('glm') ? { glm: glmKeys.length === 1 ? glmKeys[0] : glmKeys } : {}),
      ...(configured.includes('kimi') ? { kimi: kimiKeys.length === 1 ? kimiKeys[0] : kimiKeys } : {}),
    },
    providerSetup,
    retry: { initialDelayMs: 1, maxDelayMs: 2 },
    ...options,
  });
  return { router, glm: glmKeys[0] as FakeProvider, kimi: kimiKeys[0] as FakeProvider, glmKeys, kimiKeys };
}
