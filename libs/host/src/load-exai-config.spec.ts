import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError } from './config-error.js';
import { configDefaults, loadExaiConfig as loadConfig } from './load-exai-config.js';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'exai-config-'));

describe('loadExaiConfig', () => {
  it('applies the defaults when nothing is set', () => {
    const config = loadConfig({}, emptyDir());
    expect(config.glm).toEqual({ apiKeys: [], baseURL: configDefaults.GLM_BASE_URL, allowedModels: undefined });
    expect(config.timeouts).toEqual({ attemptMs: 120_000, providerCallMs: 300_000, toolMs: 450_000 });
    expect(config.limits).toEqual({ globalInFlight: 24, sessionInFlight: 8, providerInFlight: { glm: 4, kimi: 6 }, queue: 32, queueTimeoutMs: 15_000 });
    expect(config.aiManager).toEqual({ enabled: false, model: 'glm-4.5-flash', timeoutMs: 2000 });
    expect(config.fallback).toEqual({ explicitModels: true, onContentFilter: true });
    expect(config.maxCostPerRequestUsd).toBeUndefined();
    expect(config.kimi.baseURL).toBe(configDefaults.KIMI_BASE_URL);
    expect(config.defaultModel).toBe('glm-4.5-flash');
    expect(config.retry).toEqual({ maxAttempts: 3, initialDelayMs: 500, maxDelayMs: 8000 });
    expect(config.conversation).toEqual({ ttlMs: 24 * 3_600_000, maxTurns: 50 });
    expect(config.tools).toEqual({ profile: 'standard', enabled: [], disabled: [] });
    expect(config.promptMaxChars).toBe(60_000);
    expect(config.envFile).toBeUndefined();
  });

  it('accepts the alias key names, the first one set winning', () => {
    expect(loadConfig({ ZAI_API_KEY: 'zai', ZHIPUAI_API_KEY: 'zhipu' }, emptyDir()).glm.apiKeys).toEqual(['zai']);
    expect(loadConfig({ ZHIPUAI_API_KEY: 'zhipu' }, emptyDir()).glm.apiKeys).toEqual(['zhipu']);
    expect(loadConfig({ GLM_API_KEY: 'glm', ZAI_API_KEY: 'zai' }, emptyDir()).glm.apiKeys).toEqual(['glm']);
    expect(loadConfig({ MOONSHOT_API_KEY: 'moon' }, emptyDir()).kimi.apiKeys).toEqual(['moon']);
  });

  it('balances several keys: GLM_API_KEYS and KIMI_API_KEYS plus the single-key variables, without duplicates', () => {
    const config = loadConfig({ GLM_API_KEYS: 'k1, k2,k1', GLM_API_KEY: 'k3', KIMI_API_KEYS: 'm1', MOONSHOT_API_KEY: 'm1' }, emptyDir());
    expect(config.glm.apiKeys).toEqual(['k1', 'k2', 'k3']);
    expect(config.kimi.apiKeys).toEqual(['m1']);
  });

  it('reads routing, limit and flag settings', () => {
    const config = loadConfig(
      { EXAI_MAX_COST_PER_REQUEST: '0.05', ROUTER_AI_MANAGER: 'yes', ROUTER_FALLBACK_EXPLICIT: 'false', EXAI_WS_GLM_MAX_INFLIGHT: '2', EXAI_QUEUE_TIMEOUT_MS: '500' },
      emptyDir(),
    );
    expect(config.maxCostPerRequestUsd).toBe(0.05);
    expect(config.aiManager.enabled).toBe(true);
    expect(config.fallback.explicitModels).toBe(false);
    expect(config.limits.providerInFlight.glm).toBe(2);
    expect(config.limits.queueTimeoutMs).toBe(500);
    expect(() => loadConfig({ ROUTER_AI_MANAGER: 'maybe' }, emptyDir())).toThrow('ROUTER_AI_MANAGER: must be true or false');
  });

  it('refuses timeouts that do not nest, naming both settings', () => {
    expect(() => loadConfig({ EXAI_ATTEMPT_TIMEOUT_MS: '100000', EXAI_PROVIDER_CALL_TIMEOUT_MS: '120000' }, emptyDir())).toThrow(
      'EXAI_PROVIDER_CALL_TIMEOUT_MS (120000) must be at least 1.5 × EXAI_ATTEMPT_TIMEOUT_MS (100000) = 150000',
    );
    expect(() => loadConfig({ EXAI_TOOL_TIMEOUT_MS: '400000' }, emptyDir())).toThrow('EXAI_TOOL_TIMEOUT_MS (400000) must be at least 1.5 × EXAI_PROVIDER_CALL_TIMEOUT_MS (300000) = 450000');
  });

  it('reads .env from the working directory, the environment winning over it', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, '.env'), 'GLM_API_KEY=from-file\nKIMI_API_KEY=kimi-file\nGLM_ALLOWED_MODELS= glm-4.6 , glm-4.5-flash \n# comment\n');
    const config = loadConfig({ GLM_API_KEY: 'from-env' }, dir);
    expect(config.glm.apiKeys).toEqual(['from-env']);
    expect(config.kimi.apiKeys).toEqual(['kimi-file']);
    expect(config.glm.allowedModels).toEqual(['glm-4.6', 'glm-4.5-flash']);
    expect(config.envFile).toBe(join(dir, '.env'));
  });

  it('treats empty values as unset and trims trailing slashes of base URLs', () => {
    const config = loadConfig({ GLM_API_KEY: '', KIMI_BASE_URL: 'http://127.0.0.1:4010/v1/' }, emptyDir());
    expect(config.glm.apiKeys).toEqual([]);
    expect(config.kimi.baseURL).toBe('http://127.0.0.1:4010/v1');
  });

  it('reports every invalid setting at once, naming each variable and its value', () => {
    let error: unknown;
    try {
      loadConfig({ GLM_BASE_URL: 'ftp://x', EXAI_MAX_RETRIES: 'many', LOG_LEVEL: 'loud', MAX_CONVERSATION_TURNS: '1' }, emptyDir());
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect((error as ConfigError).problems).toHaveLength(4);
    expect(problems).toContain('GLM_BASE_URL: must be an http(s) URL (got "ftp://x")');
    expect(problems).toContain('EXAI_MAX_RETRIES');
    expect(problems).toContain('"many"');
    expect(problems).toContain('LOG_LEVEL');
    expect(problems).toContain('MAX_CONVERSATION_TURNS');
  });

  it('reads the storage settings: PGlite in ~/.exai by default, and names what another adapter lacks', () => {
    const defaults = loadConfig({}, emptyDir());
    expect(defaults.storage).toMatchObject({ kind: 'pglite' });
    expect(defaults.userId).toBe('00000000-0000-4000-8000-000000000001');
    expect(loadConfig({ EXAI_STORAGE: 'memory', EXAI_USER_ID: '7f1c8a8e-8d0b-4c41-9d0e-3c9f0f1a2b3c' }, emptyDir())).toMatchObject({
      storage: { kind: 'memory' },
      userId: '7f1c8a8e-8d0b-4c41-9d0e-3c9f0f1a2b3c',
    });
    let error: unknown;
    try {
      loadConfig({ EXAI_STORAGE: 'supabase', EXAI_USER_ID: 'me', SUPABASE_URL: 'ftp://x' }, emptyDir());
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('EXAI_USER_ID: must be a UUID');
    expect(problems).toContain('SUPABASE_URL must be an http(s) URL');
    expect(problems).toContain('SUPABASE_SERVICE_ROLE_KEY is required');
    expect(() => loadConfig({ EXAI_STORAGE: 'sqlite' }, emptyDir())).toThrow('EXAI_STORAGE: must be one of pglite, postgres, supabase, memory; got "sqlite"');
  });
});
