import type { ModelInfo, Provider } from '@exai/router/spec';
import type { ModelRegistry } from './model-registry.js';
import { ModelNotAllowedError, ProviderNotConfiguredError } from './router-errors.js';

/** How a provider is configured, for messages that tell the user what to set. */
export interface ProviderSetup {
  /** The API key variable (`GLM_API_KEY`). */
  envVar: string;
  /** Other variables accepted for the key (`ZAI_API_KEY`, `ZHIPUAI_API_KEY`). */
  aliases?: string[];
  /** The allow-list variable. Default: `<PROVIDER>_ALLOWED_MODELS`. */
  allowedModelsEnvVar?: string;
}

/** Minimal structured logger; pino's `Logger` satisfies it. */
export interface RouterLogger {
  debug(object: Record<string, unknown>, message: string): void;
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
  /** pino's level check; when present, the router skips building debug records nobody reads. */
  isLevelEnabled?(level: string): boolean;
}

/** Decides which models may be used: the provider has a key, and the model is on its allow-list. */
export class ModelAccess {
  /** Allowed model ids per provider; absent = no restriction. */
  private readonly allowed = new Map<string, Set<string>>();

  constructor(
    private readonly registry: ModelRegistry,
    private readonly providers: Partial<Record<string, Provider>>,
    private readonly setup: Record<string, ProviderSetup>,
    allowedModels: Partial<Record<string, string[] | undefined>>,
    logger: RouterLogger | undefined,
  ) {
    for (const [provider, names] of Object.entries(allowedModels)) {
      // An empty list (an unset or blank variable) means no restriction.
      if (!names?.length) continue;
      const ids = new Set<string>();
      for (const name of names) {
        const info = registry.resolve(name);
        if (info?.provider === provider) ids.add(info.id);
        else logger?.warn({ provider, model: name, envVar: this.allowedEnvVar(provider) }, info ? `allow-list entry belongs to ${info.provider}; ignored` : 'unknown model in allow-list; ignored');
      }
      this.allowed.set(provider, ids);
    }
  }

  /** The provider of a usable model; throws `ProviderNotConfiguredError` or `ModelNotAllowedError` otherwise. */
  require(info: ModelInfo): Provider {
    const provider = this.providers[info.provider];
    if (!provider) {
      const setup = this.setup[info.provider];
      throw new ProviderNotConfiguredError({
        provider: info.provider,
        model: info.id,
        envVar: this.keyEnvVar(info.provider),
        ...(setup?.aliases ? { aliases: setup.aliases } : {}),
      });
    }
    const allowed = this.allowed.get(info.provider);
    if (allowed && !allowed.has(info.id)) {
      throw new ModelNotAllowedError({ model: info.id, provider: info.provider, envVar: this.allowedEnvVar(info.provider), allowed: [...allowed] });
    }
    return provider;
  }

  /** Why a model cannot be used (`GLM_API_KEY is not set`, `not in KIMI_ALLOWED_MODELS`), or undefined. */
  unavailableReason(info: ModelInfo): string | undefined {
    if (!this.providers[info.provider]) return `${this.keyEnvVar(info.provider)} is not set`;
    const allowed = this.allowed.get(info.provider);
    if (allowed && !allowed.has(info.id)) return `not in ${this.allowedEnvVar(info.provider)}`;
    return undefined;
  }

  /** Whether a model can be used now. */
  isAvailable(info: ModelInfo): boolean {
    return this.unavailableReason(info) === undefined;
  }

  private keyEnvVar(provider: string): string {
    return this.setup[provider]?.envVar ?? `${provider.toUpperCase()}_API_KEY`;
  }

  private allowedEnvVar(provider: string): string {
    return this.setup[provider]?.allowedModelsEnvVar ?? `${provider.toUpperCase()}_ALLOWED_MODELS`;
  }
}
