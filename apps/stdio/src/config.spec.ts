import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, configDefaults, loadConfig } from './config.js';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'exai-config-'));

describe('loadConfig', () => {
  it('applies the defaults when nothing is set', () => {
    const config = loadConfig({}, emptyDir());
    expect(config.glm).toEqual({ apiKey: undefined, baseURL: configDefaults.GLM_BASE_URL, allowedModels: undefined });
    expect(config.kimi.baseURL).toBe(configDefaults.KIMI_BASE_URL);
    expect(config.defaultModel).toBe('glm-4.5-flash');
    expect(config.retry).toEqual({ maxAttempts: 3, initialDelayMs: 500, maxDelayMs: 8000 });
    expect(config.conversation).toEqual({ ttlMs: 3 * 3_600_000, maxTurns: 20 });
    expect(config.promptMaxChars).toBe(60_000);
    expect(config.envFile).toBeUndefined();
  });

  it('accepts the alias key names, the first one set winning', () => {
    expect(loadConfig({ ZAI_API_KEY: 'zai', ZHIPUAI_API_KEY: 'zhipu' }, emptyDir()).glm.apiKey).toBe('zai');
    expect(loadConfig({ ZHIPUAI_API_KEY: 'zhipu' }, emptyDir()).glm.apiKey).toBe('zhipu');
    expect(loadConfig({ GLM_API_KEY: 'glm', ZAI_API_KEY: 'zai' }, emptyDir()).glm.apiKey).toBe('glm');
    expect(loadConfig({ MOONSHOT_API_KEY: 'moon' }, emptyDir()).kimi.apiKey).toBe('moon');
  });

  it('reads .env from the working directory, the environment winning over it', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, '.env'), 'GLM_API_KEY=from-file\nKIMI_API_KEY=kimi-file\nGLM_ALLOWED_MODELS= glm-4.6 , glm-4.5-flash \n# comment\n');
    const config = loadConfig({ GLM_API_KEY: 'from-env' }, dir);
    expect(config.glm.apiKey).toBe('from-env');
    expect(config.kimi.apiKey).toBe('kimi-file');
    expect(config.glm.allowedModels).toEqual(['glm-4.6', 'glm-4.5-flash']);
    expect(config.envFile).toBe(join(dir, '.env'));
  });

  it('treats empty values as unset and trims trailing slashes of base URLs', () => {
    const config = loadConfig({ GLM_API_KEY: '', KIMI_BASE_URL: 'http://127.0.0.1:4010/v1/' }, emptyDir());
    expect(config.glm.apiKey).toBeUndefined();
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
});
