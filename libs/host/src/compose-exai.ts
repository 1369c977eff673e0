import { createGlm } from '@exai/providers-glm';
import { createKimi } from '@exai/providers-kimi';
import { createModelRegistry, createRouter, loadModelsFile, type Router } from '@exai/router';
import { ExaiError, type Provider } from '@exai/router/spec';
import { createStorage, DataDirLockedError, deferStorage, type Storage, type UserStorage } from '@exai/storage';
import { StorageConversationStore, type ConversationStore, type ProviderSummary } from '@exai/tools';
import type { Logger } from 'pino';
import { ConfigError } from './config-error.js';
import type { ExaiConfig } from './load-exai-config.js';
import { createProviderFetch } from './provider-fetch.js';

/** The parts of exai a host process runs. */
export interface ExaiComposition {
  router: Router;
  /** Usable at once; opens in the background (migrations included), and its calls wait for it. */
  storage: Storage;
  /** Settles when storage has opened (or could not). */
  opening: Promise<Storage>;
  /** The configured user's threads (`EXAI_USER_ID`), in storage. */
  conversations: ConversationStore;
  /** One user's scope: their storage (row-level security applies) and their threads. Cheap; call per connection. */
  forUser(userId: string): UserScope;
  vendors: { glm: Provider[]; kimi: Provider[] };
  providers: ProviderSummary[];
}

/** What one user's calls see of storage. */
export interface UserScope {
  userId: string;
  storage: UserStorage;
  conversations: ConversationStore;
}

/**
 * Wires the concrete providers into the router (the router never imports a provider; apps do).
 * Providers without a key are left out, so the router can say which variable to set.
 */
export function composeExai(config: ExaiConfig, logger: Logger): ExaiComposition {
  // One provider instance per key: the router balances keys by in-flight calls, each with its own breaker.
  const providers: Partial<Record<string, Provider[]>> = {};
  // One transport for every provider client: kept-alive connections shared across keys.
  const fetch = createProviderFetch();
  if (config.glm.apiKeys.length) providers['glm'] = config.glm.apiKeys.map((apiKey) => createGlm({ apiKey, baseURL: config.glm.baseURL, fetch }));
  if (config.kimi.apiKeys.length) providers['kimi'] = config.kimi.apiKeys.map((apiKey) => createKimi({ apiKey, baseURL: config.kimi.baseURL, fetch }));

  const registry = createModelRegistry({ overrides: config.modelsFile ? setting('EXAI_MODELS_FILE', () => loadModelsFile(config.modelsFile as string)) : undefined });
  const router = setting('DEFAULT_MODEL', () => createRouter({
    registry,
    providers,
    providerSetup: {
      glm: { envVar: 'GLM_API_KEY', aliases: ['ZAI_API_KEY', 'ZHIPUAI_API_KEY'] },
      kimi: { envVar: 'KIMI_API_KEY', aliases: ['MOONSHOT_API_KEY'] },
    },
    allowedModels: { glm: config.glm.allowedModels, kimi: config.kimi.allowedModels },
    defaultModel: config.defaultModel,
    retry: config.retry,
    attemptTimeoutMs: config.timeouts.attemptMs,
    callTimeoutMs: config.timeouts.providerCallMs,
    maxCostPerRequestUsd: config.maxCostPerRequestUsd,
    fallback: config.fallback,
    aiManager: config.aiManager,
    limits: config.limits,
    logger,
  }));
  const storageLogger = logger.child({ component: 'storage' });
  const opening = createStorage({ config: config.storage, logger: storageLogger }).catch((error: unknown) => {
    // Two MCP clients each start their own exai-stdio: the second cannot open the same embedded
    // database, so its threads live in memory for this process rather than not at all.
    if (!DataDirLockedError.isInstance(error)) throw error;
    logger.warn({ dataDir: error.dataDir, pid: error.pid }, `${error.message} Threads of this process are kept in memory.`);
    return createStorage({ config: { kind: 'memory' }, logger: storageLogger });
  });
  const storage = deferStorage(opening, config.storage.kind);
  const forUser = (userId: string): UserScope => {
    const user = storage.forUser(userId);
    return { userId, storage: user, conversations: new StorageConversationStore(user, { ttlMs: config.conversation.ttlMs, maxTurns: config.conversation.maxTurns }) };
  };
  return {
    router,
    storage,
    opening,
    conversations: forUser(config.userId).conversations,
    forUser,
    vendors: { glm: providers['glm'] ?? [], kimi: providers['kimi'] ?? [] },
    providers: [
      { provider: 'glm', configured: config.glm.apiKeys.length > 0, baseUrl: config.glm.baseURL },
      { provider: 'kimi', configured: config.kimi.apiKeys.length > 0, baseUrl: config.kimi.baseURL },
    ],
  };
}

/** Runs a startup step whose failure is a bad setting, reporting it as a `ConfigError` naming the variable. */
function setting<T>(variable: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (ExaiError.isInstance(error)) throw new ConfigError([`${variable}: ${error.message}`]);
    throw error;
  }
}
