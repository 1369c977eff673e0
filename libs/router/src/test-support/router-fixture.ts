import { createModelRegistry } from '../model-registry.js';
import { createRouter, type Router, type RouterOptions } from '../create-router.js';
import { FakeProvider } from './fake-provider.js';

/** Environment variables as the stdio app declares them. */
export const providerSetup: RouterOptions['providerSetup'] = {
  glm: { envVar: 'GLM_API_KEY', aliases: ['ZAI_API_KEY', 'ZHIPUAI_API_KEY'] },
  kimi: { envVar: 'KIMI_API_KEY', aliases: ['MOONSHOT_API_KEY'] },
};

/** A router over fake GLM and Kimi providers with millisecond backoff. */
export function routerFixture(overrides: Partial<RouterOptions> & { only?: Array<'glm' | 'kimi'> } = {}): {
  router: Router;
  glm: FakeProvider;
  kimi: FakeProvider;
} {
  const glm = new FakeProvider('glm');
  const kimi = new FakeProvider('kimi');
  const { only, ...options } = overrides;
  const configured = only ?? ['glm', 'kimi'];
  const router = createRouter({
    registry: createModelRegistry(),
    providers: { ...(configured.includes('glm') ? { glm } : {}), ...(configured.includes('kimi') ? { kimi } : {}) },
    providerSetup,
    retry: { initialDelayMs: 1, maxDelayMs: 2 },
    ...options,
  });
  return { router, glm, kimi };
}
