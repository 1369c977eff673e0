import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError, envFlag, envInteger, envList, envNumber, envText, exaiConfigFrom, readEnvironment, type ExaiConfig } from '@exai/host';
import { z } from 'zod';

/** Defaults of the daemon's own settings (the README and `.env.example` mirror this). */
export const daemonDefaults = {
  EXAI_WS_HOST: '127.0.0.1',
  EXAI_WS_PORT: 3000,
  EXAI_WS_MAX_BYTES: 32 * 1024 * 1024,
  EXAI_MAX_CONNECTIONS: 1000,
  EXAI_MAX_CONNECTIONS_PER_IP: 10,
  EXAI_WS_PING_INTERVAL_MS: 30_000,
  EXAI_WS_PING_TIMEOUT_MS: 10_000,
  EXAI_IDLE_TIMEOUT_MS: 3_600_000,
  EXAI_WS_HELLO_TIMEOUT_MS: 15_000,
  EXAI_WS_PROGRESS_INTERVAL_MS: 5_000,
  EXAI_WS_MAX_BUFFERED_BYTES: 8 * 1024 * 1024,
  EXAI_RATE_GLOBAL_PER_SECOND: 100,
  EXAI_RATE_GLOBAL_BURST: 1000,
  EXAI_RATE_USER_PER_SECOND: 5,
  EXAI_RATE_USER_BURST: 50,
  EXAI_RATE_IP_PER_SECOND: 10,
  EXAI_RATE_IP_BURST: 100,
  EXAI_JWT_AUDIENCE: 'authenticated',
  EXAI_SHUTDOWN_DEADLINE_MS: 30_000,
  EXAI_HEALTH_INTERVAL_MS: 10_000,
  EXAI_DASHBOARD_SAMPLE_MS: 10_000,
  EXAI_SESSION_TTL_MS: 3_600_000,
  EXAI_REDIS_PREFIX: 'exai',
} as const;

const list = envList.transform((value) => value ?? []);

const schema = z.object({
  EXAI_WS_HOST: envText.transform((value) => value ?? daemonDefaults.EXAI_WS_HOST),
  EXAI_WS_PORT: envInteger(daemonDefaults.EXAI_WS_PORT, 0, 65535),
  EXAI_PUBLIC_URL: envText.pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional()),
  EXAI_WS_MAX_BYTES: envInteger(daemonDefaults.EXAI_WS_MAX_BYTES, 1024),
  EXAI_MAX_CONNECTIONS: envInteger(daemonDefaults.EXAI_MAX_CONNECTIONS, 1),
  EXAI_MAX_CONNECTIONS_PER_IP: envInteger(daemonDefaults.EXAI_MAX_CONNECTIONS_PER_IP, 1),
  EXAI_WS_PING_INTERVAL_MS: envInteger(daemonDefaults.EXAI_WS_PING_INTERVAL_MS, 10),
  EXAI_WS_PING_TIMEOUT_MS: envInteger(daemonDefaults.EXAI_WS_PING_TIMEOUT_MS, 10),
  EXAI_IDLE_TIMEOUT_MS: envInteger(daemonDefaults.EXAI_IDLE_TIMEOUT_MS, 10),
  EXAI_WS_HELLO_TIMEOUT_MS: envInteger(daemonDefaults.EXAI_WS_HELLO_TIMEOUT_MS, 10),
  EXAI_WS_PROGRESS_INTERVAL_MS: envInteger(daemonDefaults.EXAI_WS_PROGRESS_INTERVAL_MS, 50),
  EXAI_WS_MAX_BUFFERED_BYTES: envInteger(daemonDefaults.EXAI_WS_MAX_BUFFERED_BYTES, 1024),
  EXAI_RATE_GLOBAL_PER_SECOND: envNumber(daemonDefaults.EXAI_RATE_GLOBAL_PER_SECOND, { above: 0 }),
  EXAI_RATE_GLOBAL_BURST: envInteger(daemonDefaults.EXAI_RATE_GLOBAL_BURST, 1),
  EXAI_RATE_USER_PER_SECOND: envNumber(daemonDefaults.EXAI_RATE_USER_PER_SECOND, { above: 0 }),
  EXAI_RATE_USER_BURST: envInteger(daemonDefaults.EXAI_RATE_USER_BURST, 1),
  EXAI_RATE_IP_PER_SECOND: envNumber(daemonDefaults.EXAI_RATE_IP_PER_SECOND, { above: 0 }),
  EXAI_RATE_IP_BURST: envInteger(daemonDefaults.EXAI_RATE_IP_BURST, 1),
  EXAI_RATE_LIMIT_FAIL_OPEN: envFlag(true),
  REDIS_URL: envText.pipe(z.url({ protocol: /^rediss?$/, message: 'must be a redis:// or rediss:// URL' }).optional()),
  EXAI_REDIS_PREFIX: envText
    .transform((value) => value ?? daemonDefaults.EXAI_REDIS_PREFIX)
    .pipe(z.string().regex(/^[\w.:-]+$/, { message: 'must be letters, digits, "_", "-", "." or ":"' })),
  SUPABASE_JWT_SECRET: envText,
  EXAI_JWT_SECRET: envText,
  EXAI_JWT_AUDIENCE: envText.transform((value) => value ?? daemonDefaults.EXAI_JWT_AUDIENCE),
  EXAI_JWT_ISSUER: envText,
  EXAI_JWKS_URL: envText.pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional()),
  EXAI_WS_TOKEN: list,
  EXAI_ALLOW_ANONYMOUS: envFlag(false),
  EXAI_ALLOWED_ORIGINS: list,
  EXAI_ALLOWED_HOSTS: list,
  EXAI_SHUTDOWN_DEADLINE_MS: envInteger(daemonDefaults.EXAI_SHUTDOWN_DEADLINE_MS, 0),
  EXAI_HEALTH_FILE: envText,
  EXAI_HEALTH_INTERVAL_MS: envInteger(daemonDefaults.EXAI_HEALTH_INTERVAL_MS, 10),
  EXAI_SESSION_TTL_MS: envInteger(daemonDefaults.EXAI_SESSION_TTL_MS, 1000),
  EXAI_REPLICA_ID: envText,
  EXAI_DASHBOARD: envFlag(true),
  EXAI_DASHBOARD_SAMPLE_MS: envInteger(daemonDefaults.EXAI_DASHBOARD_SAMPLE_MS, 100),
  EXAI_CONFORMANCE_FIXTURES: envFlag(false),
});

type DaemonValues = z.output<typeof schema>;

/** Every environment variable of the daemon's own (exai's are read by `@exai/host`); `.env.example` lists them all. */
export const daemonSettingNames: readonly string[] = Object.keys(schema.shape);

/** A static token (`EXAI_WS_TOKEN`: `token` or `name=token`, comma-separated). */
export interface StaticToken {
  /** Who the token stands for (`name`, or `static-<n>`); the user id is derived from it. */
  name: string;
  token: string;
}

/** The validated configuration of exai-daemon: exai's settings plus the server's own. */
export interface DaemonConfig {
  exai: ExaiConfig;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** The URL clients reach the daemon at (for links and the dashboard); default from host and port. */
  publicUrl: string | undefined;
  /** Largest message or request body, in bytes (`EXAI_WS_MAX_BYTES`). */
  maxMessageBytes: number;
  connections: { max: number; perIp: number };
  heartbeat: { intervalMs: number; timeoutMs: number };
  idleTimeoutMs: number;
  legacyHelloTimeoutMs: number;
  /** Original protocol: a `progress` frame every this many ms while a call runs (`EXAI_WS_PROGRESS_INTERVAL_MS`). */
  legacyProgressIntervalMs: number;
  /** A connection whose unsent data passes this is closed rather than buffered without bound. */
  maxBufferedBytes: number;
  rate: {
    global: { perSecond: number; burst: number };
    user: { perSecond: number; burst: number };
    ip: { perSecond: number; burst: number };
    /** When Redis fails: true lets calls through on a per-process limit, false refuses them. */
    failOpen: boolean;
  };
  redisUrl: string | undefined;
  /** Prefix of every Redis key (`<prefix>:ratelimit:…`, `<prefix>:session:…`): deployments sharing one Redis use different ones. */
  redisPrefix: string;
  auth: {
    /** HS256 secret (`SUPABASE_JWT_SECRET` or `EXAI_JWT_SECRET`). */
    jwtSecret: string | undefined;
    audience: string;
    issuer: string | undefined;
    jwksUrl: string | undefined;
    staticTokens: StaticToken[];
    allowAnonymous: boolean;
  };
  /** Extra allowed `Origin` values for browsers (the daemon's own origin and loopback are always allowed). */
  allowedOrigins: string[];
  /** Extra allowed `Host` values (DNS-rebinding protection); loopback names and the bound host are always allowed. */
  allowedHosts: string[];
  shutdownDeadlineMs: number;
  healthFile: string;
  healthIntervalMs: number;
  sessionTtlMs: number;
  /** This replica's name in the shared session registry and metrics (default `<hostname>:<pid>-<random>`). */
  replicaId: string;
  dashboard: boolean;
  /** Length of one point of the dashboard's charts (`EXAI_DASHBOARD_SAMPLE_MS`, default 10 s; an hour of points is kept). */
  dashboardSampleMs: number;
  /** `EXAI_CONFORMANCE_FIXTURES`: every MCP session also gets the MCP conformance suite's test tools, resources and prompts (tools/conformance only). */
  conformanceFixtures: boolean;
}

const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost']);

/** Whether `host` binds to loopback only. */
export function isLoopback(host: string): boolean {
  return loopbackHosts.has(host) || host.startsWith('127.');
}

/**
 * Reads exai's settings and the daemon's from the environment over `.env` over the defaults, and
 * throws one `ConfigError` listing every problem of both.
 */
export function loadDaemonConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): DaemonConfig {
  const environment = readEnvironment(env, cwd);
  const problems: string[] = [];
  let exai: ExaiConfig | undefined;
  try {
    exai = exaiConfigFrom(environment, cwd);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  // Each setting on its own, so the checks across settings below still run when one is malformed
  // (a bad port must not hide a short secret: every problem is reported at once).
  const parsed: Partial<DaemonValues> = {};
  const malformed = new Set<string>();
  for (const [key, field] of Object.entries(schema.shape)) {
    const result = field.safeParse(environment.values[key]);
    if (result.success) (parsed as Record<string, unknown>)[key] = result.data;
    else {
      malformed.add(key);
      problems.push(...result.error.issues.map((issue) => `${key}: ${issue.message} (got ${JSON.stringify(environment.values[key])})`));
    }
  }
  const staticTokens = (parsed.EXAI_WS_TOKEN ?? []).map((entry, index): StaticToken => {
    const at = entry.indexOf('=');
    return at >= 0 ? { name: entry.slice(0, at).trim(), token: entry.slice(at + 1).trim() } : { name: `static-${index + 1}`, token: entry };
  });
  for (const token of staticTokens) {
    if (token.name === '') problems.push('EXAI_WS_TOKEN: an entry starts with "=": write name=token, or the token alone');
    if (token.token.length < 16) problems.push(`EXAI_WS_TOKEN: the token of "${token.name}" is shorter than 16 characters; use a long random value (openssl rand -hex 32)`);
  }
  const jwtSecret = parsed.SUPABASE_JWT_SECRET ?? parsed.EXAI_JWT_SECRET;
  if (jwtSecret !== undefined && jwtSecret.length < 32) problems.push(`${parsed.SUPABASE_JWT_SECRET ? 'SUPABASE_JWT_SECRET' : 'EXAI_JWT_SECRET'}: an HS256 secret needs at least 32 characters`);
  // A malformed EXAI_JWKS_URL or EXAI_ALLOW_ANONYMOUS is already reported; it still counts as "auth configured".
  const anyAuth = jwtSecret !== undefined || parsed.EXAI_JWKS_URL !== undefined || malformed.has('EXAI_JWKS_URL') || staticTokens.length > 0 || malformed.has('EXAI_ALLOW_ANONYMOUS');
  const host = parsed.EXAI_WS_HOST ?? daemonDefaults.EXAI_WS_HOST;
  if (!anyAuth && !parsed.EXAI_ALLOW_ANONYMOUS) {
    problems.push(
      'no authentication configured: set SUPABASE_JWT_SECRET or EXAI_JWT_SECRET (JWT), EXAI_JWKS_URL, or EXAI_WS_TOKEN (static tokens); or, bound to loopback only, EXAI_ALLOW_ANONYMOUS=true',
    );
  }
  if (parsed.EXAI_ALLOW_ANONYMOUS && !isLoopback(host)) {
    problems.push(`EXAI_ALLOW_ANONYMOUS: anonymous access is only allowed when EXAI_WS_HOST is a loopback address (got ${host})`);
  }
  for (const scope of ['GLOBAL', 'USER', 'IP'] as const) {
    const perSecond = parsed[`EXAI_RATE_${scope}_PER_SECOND`];
    const burst = parsed[`EXAI_RATE_${scope}_BURST`];
    if (perSecond !== undefined && burst !== undefined && burst < perSecond) problems.push(`EXAI_RATE_${scope}_BURST: must be at least EXAI_RATE_${scope}_PER_SECOND`);
  }
  if (problems.length > 0 || exai === undefined) throw new ConfigError(problems);
  const values = parsed as DaemonValues;

  const healthFile = values.EXAI_HEALTH_FILE ?? join('logs', 'ws_daemon.health.json');
  return {
    exai,
    host: values.EXAI_WS_HOST,
    port: values.EXAI_WS_PORT,
    publicUrl: values.EXAI_PUBLIC_URL?.replace(/\/+$/, ''),
    maxMessageBytes: values.EXAI_WS_MAX_BYTES,
    connections: { max: values.EXAI_MAX_CONNECTIONS, perIp: values.EXAI_MAX_CONNECTIONS_PER_IP },
    heartbeat: { intervalMs: values.EXAI_WS_PING_INTERVAL_MS, timeoutMs: values.EXAI_WS_PING_TIMEOUT_MS },
    idleTimeoutMs: values.EXAI_IDLE_TIMEOUT_MS,
    legacyHelloTimeoutMs: values.EXAI_WS_HELLO_TIMEOUT_MS,
    legacyProgressIntervalMs: values.EXAI_WS_PROGRESS_INTERVAL_MS,
    maxBufferedBytes: values.EXAI_WS_MAX_BUFFERED_BYTES,
    rate: {
      global: { perSecond: values.EXAI_RATE_GLOBAL_PER_SECOND, burst: values.EXAI_RATE_GLOBAL_BURST },
      user: { perSecond: values.EXAI_RATE_USER_PER_SECOND, burst: values.EXAI_RATE_USER_BURST },
      ip: { perSecond: values.EXAI_RATE_IP_PER_SECOND, burst: values.EXAI_RATE_IP_BURST },
      failOpen: values.EXAI_RATE_LIMIT_FAIL_OPEN,
    },
    redisUrl: values.REDIS_URL,
    redisPrefix: values.EXAI_REDIS_PREFIX,
    auth: {
      jwtSecret,
      audience: values.EXAI_JWT_AUDIENCE,
      issuer: values.EXAI_JWT_ISSUER,
      jwksUrl: values.EXAI_JWKS_URL,
      staticTokens,
      allowAnonymous: values.EXAI_ALLOW_ANONYMOUS,
    },
    allowedOrigins: values.EXAI_ALLOWED_ORIGINS,
    allowedHosts: values.EXAI_ALLOWED_HOSTS,
    shutdownDeadlineMs: values.EXAI_SHUTDOWN_DEADLINE_MS,
    healthFile: isAbsolute(healthFile) ? healthFile : resolve(cwd, healthFile),
    healthIntervalMs: values.EXAI_HEALTH_INTERVAL_MS,
    sessionTtlMs: values.EXAI_SESSION_TTL_MS,
    // Not the bound address: every container binds 0.0.0.0:3000 as PID 1. The random part keeps two
    // daemons of one process (tests) and a restarted one apart.
    replicaId: values.EXAI_REPLICA_ID ?? `${hostname()}:${process.pid}-${randomBytes(3).toString('hex')}`,
    dashboard: values.EXAI_DASHBOARD,
    dashboardSampleMs: values.EXAI_DASHBOARD_SAMPLE_MS,
    conformanceFixtures: values.EXAI_CONFORMANCE_FIXTURES,
  };
}
