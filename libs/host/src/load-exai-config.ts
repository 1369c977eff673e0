import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { TimeoutHierarchyError, validateTimeoutHierarchy } from '@exai/resilience';
import { LOCAL_USER_ID, readStorageConfig, StorageConfigError, type StorageConfig } from '@exai/storage';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { envFlag, envInteger, envList, envNumber, envPositiveNumber, envText, envUrl } from './env-fields.js';

/** Defaults of every setting, in one place (README's configuration table mirrors this). */
export const configDefaults = {
  GLM_BASE_URL: 'https://api.z.ai/api/paas/v4',
  KIMI_BASE_URL: 'https://api.moonshot.ai/v1',
  DEFAULT_MODEL: 'glm-4.5-flash',
  LOG_LEVEL: 'info',
  EXAI_MAX_RETRIES: 3,
  EXAI_RETRY_INITIAL_DELAY_MS: 500,
  EXAI_RETRY_MAX_DELAY_MS: 8000,
  EXAI_ATTEMPT_TIMEOUT_MS: 120_000,
  EXAI_PROVIDER_CALL_TIMEOUT_MS: 300_000,
  EXAI_TOOL_TIMEOUT_MS: 450_000,
  ROUTER_AI_MANAGER_MODEL: 'glm-4.5-flash',
  ROUTER_AI_MANAGER_TIMEOUT_MS: 2000,
  EXAI_WS_GLOBAL_MAX_INFLIGHT: 24,
  EXAI_WS_SESSION_MAX_INFLIGHT: 8,
  EXAI_WS_GLM_MAX_INFLIGHT: 4,
  EXAI_WS_KIMI_MAX_INFLIGHT: 6,
  EXAI_QUEUE_SIZE: 32,
  EXAI_QUEUE_TIMEOUT_MS: 15_000,
  CONVERSATION_TIMEOUT_HOURS: 24,
  MAX_CONVERSATION_TURNS: 50,
  TOOL_PROFILE: 'standard',
  EXAI_PROMPT_MAX_CHARS: 60_000,
  EXAI_MAX_FILE_BYTES: 1024 * 1024,
} as const;

const schema = z.object({
  GLM_API_KEY: envText,
  ZAI_API_KEY: envText,
  ZHIPUAI_API_KEY: envText,
  GLM_API_KEYS: envList,
  GLM_BASE_URL: envUrl(configDefaults.GLM_BASE_URL),
  KIMI_API_KEY: envText,
  MOONSHOT_API_KEY: envText,
  KIMI_API_KEYS: envList,
  KIMI_BASE_URL: envUrl(configDefaults.KIMI_BASE_URL),
  GLM_ALLOWED_MODELS: envList,
  KIMI_ALLOWED_MODELS: envList,
  DEFAULT_MODEL: envText.transform((value) => value ?? configDefaults.DEFAULT_MODEL),
  EXAI_MODELS_FILE: envText,
  LOG_LEVEL: envText
    .transform((value) => (value ?? configDefaults.LOG_LEVEL).toLowerCase())
    .pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
  EXAI_LOG_FILE: envText,
  EXAI_MAX_RETRIES: envInteger(configDefaults.EXAI_MAX_RETRIES, 0),
  EXAI_RETRY_INITIAL_DELAY_MS: envInteger(configDefaults.EXAI_RETRY_INITIAL_DELAY_MS, 0),
  EXAI_RETRY_MAX_DELAY_MS: envInteger(configDefaults.EXAI_RETRY_MAX_DELAY_MS, 0),
  EXAI_ATTEMPT_TIMEOUT_MS: envInteger(configDefaults.EXAI_ATTEMPT_TIMEOUT_MS, 1),
  EXAI_PROVIDER_CALL_TIMEOUT_MS: envInteger(configDefaults.EXAI_PROVIDER_CALL_TIMEOUT_MS, 1),
  EXAI_TOOL_TIMEOUT_MS: envInteger(configDefaults.EXAI_TOOL_TIMEOUT_MS, 1),
  EXAI_MAX_COST_PER_REQUEST: envPositiveNumber,
  ROUTER_AI_MANAGER: envFlag(false),
  ROUTER_AI_MANAGER_MODEL: envText.transform((value) => value ?? configDefaults.ROUTER_AI_MANAGER_MODEL),
  ROUTER_AI_MANAGER_TIMEOUT_MS: envInteger(configDefaults.ROUTER_AI_MANAGER_TIMEOUT_MS, 1),
  ROUTER_FALLBACK_EXPLICIT: envFlag(true),
  ROUTER_FALLBACK_ON_CONTENT_FILTER: envFlag(true),
  EXAI_WS_GLOBAL_MAX_INFLIGHT: envInteger(configDefaults.EXAI_WS_GLOBAL_MAX_INFLIGHT, 1),
  EXAI_WS_SESSION_MAX_INFLIGHT: envInteger(configDefaults.EXAI_WS_SESSION_MAX_INFLIGHT, 1),
  EXAI_WS_GLM_MAX_INFLIGHT: envInteger(configDefaults.EXAI_WS_GLM_MAX_INFLIGHT, 1),
  EXAI_WS_KIMI_MAX_INFLIGHT: envInteger(configDefaults.EXAI_WS_KIMI_MAX_INFLIGHT, 1),
  EXAI_QUEUE_SIZE: envInteger(configDefaults.EXAI_QUEUE_SIZE, 0),
  EXAI_QUEUE_TIMEOUT_MS: envInteger(configDefaults.EXAI_QUEUE_TIMEOUT_MS, 1),
  CONVERSATION_TIMEOUT_HOURS: envNumber(configDefaults.CONVERSATION_TIMEOUT_HOURS, { min: 0 }),
  MAX_CONVERSATION_TURNS: envInteger(configDefaults.MAX_CONVERSATION_TURNS, 2),
  EXAI_PROMPT_MAX_CHARS: envInteger(configDefaults.EXAI_PROMPT_MAX_CHARS, 1),
  EXAI_MAX_FILE_BYTES: envInteger(configDefaults.EXAI_MAX_FILE_BYTES, 1),
  TOOL_PROFILE: envText.transform((value) => (value ?? configDefaults.TOOL_PROFILE).toLowerCase()).pipe(z.enum(['lean', 'standard', 'full'], { message: 'must be lean, standard or full' })),
  ENABLED_TOOLS: envList,
  DISABLED_TOOLS: envList,
  EXAI_ALLOWED_ROOTS: envList,
  EXAI_USER_ID: envText.transform((value) => value ?? LOCAL_USER_ID).pipe(z.uuid({ message: 'must be a UUID (the user your threads and files belong to)' })),
});

/** The validated configuration of an exai process (exai-stdio, exai-daemon, or your own service). */
export interface ExaiConfig {
  /** `apiKeys`: every key, `GLM_API_KEYS` first, then the single-key variables; duplicates removed. */
  glm: { apiKeys: string[]; baseURL: string; allowedModels: string[] | undefined };
  kimi: { apiKeys: string[]; baseURL: string; allowedModels: string[] | undefined };
  defaultModel: string;
  modelsFile: string | undefined;
  logLevel: string;
  logFile: string | undefined;
  retry: { maxAttempts: number; initialDelayMs: number; maxDelayMs: number };
  /** Innermost first: one attempt < one provider call (retries and fallbacks) < one tool call. */
  timeouts: { attemptMs: number; providerCallMs: number; toolMs: number };
  maxCostPerRequestUsd: number | undefined;
  aiManager: { enabled: boolean; model: string; timeoutMs: number };
  fallback: { explicitModels: boolean; onContentFilter: boolean };
  limits: { globalInFlight: number; sessionInFlight: number; providerInFlight: { glm: number; kimi: number }; queue: number; queueTimeoutMs: number };
  conversation: { ttlMs: number; maxTurns: number };
  promptMaxChars: number;
  maxFileBytes: number;
  /** `EXAI_STORAGE` and what the chosen adapter needs (`EXAI_DATA_DIR`, `DATABASE_URL`, `SUPABASE_*`). */
  storage: StorageConfig;
  /** `TOOL_PROFILE`, `ENABLED_TOOLS`, `DISABLED_TOOLS` (unknown names are warnings, reported at startup). */
  tools: { profile: 'lean' | 'standard' | 'full'; enabled: string[]; disabled: string[] };
  /** Absolute folders tools may read and write (`EXAI_ALLOWED_ROOTS`; default: home and the working directory). */
  allowedRoots: string[];
  /** Whose threads and files these are (`EXAI_USER_ID`, default the fixed local user). */
  userId: string;
  /** Where the `.env` file was read from, if one was. */
  envFile: string | undefined;
}

/** The settings a process sees: the environment over `.env` in the working directory (empty values are unset). */
export interface ExaiEnvironment {
  values: Record<string, string | undefined>;
  /** Where the `.env` file was read from, if one was. */
  envFile: string | undefined;
}

/** Reads `.env` from `cwd` and lays the environment over it; a `.env` that exists but cannot be read is a `ConfigError`. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): ExaiEnvironment {
  const envFile = join(cwd, '.env');
  let fromFile: Record<string, string> = {};
  let envFileUsed: string | undefined;
  try {
    fromFile = parseEnv(readFileSync(envFile, 'utf8')) as Record<string, string>;
    envFileUsed = envFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError([`${envFile}: cannot be read (${(error as Error).message})`]);
    }
  }
  const values: Record<string, string | undefined> = { ...fromFile };
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') values[key] = value;
  return { values, envFile: envFileUsed };
}

/**
 * Reads the configuration: the process environment first, then `.env` in the working directory,
 * then the defaults. Validates everything once and throws a `ConfigError` listing every problem.
 */
export function loadExaiConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): ExaiConfig {
  return exaiConfigFrom(readEnvironment(env, cwd), cwd);
}

/** {@link loadExaiConfig} over settings already read (hosts that add their own settings read them once). */
export function exaiConfigFrom(environment: ExaiEnvironment, cwd: string = process.cwd()): ExaiConfig {
  const merged = environment.values;
  const envFileUsed = environment.envFile;
  const parsed = schema.safeParse(merged);
  let storage: StorageConfig | undefined;
  const problems: string[] = [];
  try {
    storage = readStorageConfig(merged);
  } catch (error) {
    if (!StorageConfigError.isInstance(error)) throw error;
    problems.push(...error.message.split('\n').slice(1).map((line) => line.replace(/^- /, '')));
    if (problems.length === 0) problems.push(error.message);
  }
  if (!parsed.success) {
    problems.unshift(...parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message} (got ${JSON.stringify(merged[String(issue.path[0])])})`));
  }
  if (!parsed.success || storage === undefined) throw new ConfigError(problems);
  const values = parsed.data;
  try {
    // attempt < provider call (retries and fallbacks) < tool call, each at least 1.5 × the one inside it.
    validateTimeoutHierarchy([
      { setting: 'EXAI_ATTEMPT_TIMEOUT_MS', ms: values.EXAI_ATTEMPT_TIMEOUT_MS },
      { setting: 'EXAI_PROVIDER_CALL_TIMEOUT_MS', ms: values.EXAI_PROVIDER_CALL_TIMEOUT_MS },
      { setting: 'EXAI_TOOL_TIMEOUT_MS', ms: values.EXAI_TOOL_TIMEOUT_MS },
    ]);
  } catch (error) {
    if (TimeoutHierarchyError.isInstance(error)) throw new ConfigError(error.violations.map((violation) => violation.message));
    throw error;
  }
  return {
    glm: {
      apiKeys: unique([...(values.GLM_API_KEYS ?? []), values.GLM_API_KEY ?? values.ZAI_API_KEY ?? values.ZHIPUAI_API_KEY]),
      baseURL: values.GLM_BASE_URL.replace(/\/+$/, ''),
      allowedModels: values.GLM_ALLOWED_MODELS,
    },
    kimi: {
      apiKeys: unique([...(values.KIMI_API_KEYS ?? []), values.KIMI_API_KEY ?? values.MOONSHOT_API_KEY]),
      baseURL: values.KIMI_BASE_URL.replace(/\/+$/, ''),
      allowedModels: values.KIMI_ALLOWED_MODELS,
    },
    defaultModel: values.DEFAULT_MODEL,
    modelsFile: values.EXAI_MODELS_FILE,
    logLevel: values.LOG_LEVEL,
    logFile: values.EXAI_LOG_FILE,
    retry: {
      maxAttempts: values.EXAI_MAX_RETRIES,
      initialDelayMs: values.EXAI_RETRY_INITIAL_DELAY_MS,
      maxDelayMs: values.EXAI_RETRY_MAX_DELAY_MS,
    },
    timeouts: { attemptMs: values.EXAI_ATTEMPT_TIMEOUT_MS, providerCallMs: values.EXAI_PROVIDER_CALL_TIMEOUT_MS, toolMs: values.EXAI_TOOL_TIMEOUT_MS },
    maxCostPerRequestUsd: values.EXAI_MAX_COST_PER_REQUEST,
    aiManager: { enabled: values.ROUTER_AI_MANAGER, model: values.ROUTER_AI_MANAGER_MODEL, timeoutMs: values.ROUTER_AI_MANAGER_TIMEOUT_MS },
    fallback: { explicitModels: values.ROUTER_FALLBACK_EXPLICIT, onContentFilter: values.ROUTER_FALLBACK_ON_CONTENT_FILTER },
    limits: {
      globalInFlight: values.EXAI_WS_GLOBAL_MAX_INFLIGHT,
      sessionInFlight: values.EXAI_WS_SESSION_MAX_INFLIGHT,
      providerInFlight: { glm: values.EXAI_WS_GLM_MAX_INFLIGHT, kimi: values.EXAI_WS_KIMI_MAX_INFLIGHT },
      queue: values.EXAI_QUEUE_SIZE,
      queueTimeoutMs: values.EXAI_QUEUE_TIMEOUT_MS,
    },
    conversation: { ttlMs: values.CONVERSATION_TIMEOUT_HOURS * 3_600_000, maxTurns: values.MAX_CONVERSATION_TURNS },
    promptMaxChars: values.EXAI_PROMPT_MAX_CHARS,
    maxFileBytes: values.EXAI_MAX_FILE_BYTES,
    storage,
    tools: { profile: values.TOOL_PROFILE, enabled: values.ENABLED_TOOLS ?? [], disabled: values.DISABLED_TOOLS ?? [] },
    allowedRoots: (values.EXAI_ALLOWED_ROOTS ?? [homedir(), cwd]).map((root) => resolve(root.startsWith('~/') ? join(homedir(), root.slice(2)) : root)),
    userId: values.EXAI_USER_ID,
    envFile: envFileUsed,
  };
}

function unique(values: Array<string | undefined>): string[] {
  return [...new Set(values.filter((value): value is string => Boolean(value)))];
}
