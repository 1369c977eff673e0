import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@exai/host';
import { describe, expect, it } from '@jest/globals';
import { daemonDefaults, isLoopback, loadDaemonConfig } from './daemon-config.js';

const secret = 'a-secret-of-at-least-thirty-two-characters';

/** A working directory of its own, so no `.env` of the repository leaks in. */
function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'exai-daemon-config-'));
}

/** The problems a configuration is refused with (fails the test when it is accepted). */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadDaemonConfig({ EXAI_STORAGE: 'memory', ...env }, freshDir());
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('the configuration was accepted');
}

describe('loadDaemonConfig', () => {
  it('defaults to 127.0.0.1:3000 and the documented limits', () => {
    const cwd = freshDir();
    const config = loadDaemonConfig({ EXAI_STORAGE: 'memory', EXAI_JWT_SECRET: secret }, cwd);
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(3000);
    expect(config.maxMessageBytes).toBe(daemonDefaults.EXAI_WS_MAX_BYTES);
    expect(config.connections).toEqual({ max: 1000, perIp: 10 });
    expect(config.heartbeat).toEqual({ intervalMs: 30_000, timeoutMs: 10_000 });
    expect(config.rate).toEqual({ global: { perSecond: 100, burst: 1000 }, user: { perSecond: 5, burst: 50 }, ip: { perSecond: 10, burst: 100 }, failOpen: true });
    expect(config.auth).toMatchObject({ jwtSecret: secret, audience: 'authenticated', issuer: undefined, jwksUrl: undefined, staticTokens: [], allowAnonymous: false });
    expect(config.redisUrl).toBeUndefined();
    expect(config.redisPrefix).toBe('exai');
    expect(config.shutdownDeadlineMs).toBe(30_000);
    expect(config.healthFile).toBe(join(cwd, 'logs', 'ws_daemon.health.json'));
    expect(config.healthIntervalMs).toBe(10_000);
    expect(config.dashboard).toBe(true);
    expect(config.publicUrl).toBeUndefined();
    expect(config.exai.storage).toEqual({ kind: 'memory' });
  });

  it('gives every daemon its own replica id unless EXAI_REPLICA_ID names it', () => {
    const env = { EXAI_STORAGE: 'memory', EXAI_JWT_SECRET: secret, EXAI_WS_HOST: '0.0.0.0' };
    const first = loadDaemonConfig(env, freshDir()).replicaId;
    const second = loadDaemonConfig(env, freshDir()).replicaId;
    expect(first).toContain(String(process.pid));
    expect(first).not.toContain('0.0.0.0');
    expect(first).not.toBe(second);
    expect(loadDaemonConfig({ ...env, EXAI_REPLICA_ID: 'replica-a' }, freshDir()).replicaId).toBe('replica-a');
  });

  it('reads its settings from .env under the environment', () => {
    const cwd = freshDir();
    writeFileSync(join(cwd, '.env'), `EXAI_WS_PORT=4100\nEXAI_WS_HOST=127.0.0.2\nEXAI_JWT_SECRET=${secret}\nEXAI_STORAGE=memory\n`);
    const config = loadDaemonConfig({ EXAI_WS_PORT: '4200' }, cwd);
    expect(config.port).toBe(4200);
    expect(config.host).toBe('127.0.0.2');
  });

  it('reports every problem at once: the daemon’s and exai’s own', () => {
    const problems = problemsOf({
      EXAI_WS_PORT: '70000',
      EXAI_WS_HOST: '0.0.0.0',
      EXAI_JWT_SECRET: 'too-short',
      EXAI_ALLOW_ANONYMOUS: 'true',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'http://not-redis',
      EXAI_RATE_USER_PER_SECOND: '20',
      EXAI_RATE_USER_BURST: '10',
    });
    const text = problems.join('\n');
    expect(text).toMatch(/^EXAI_WS_PORT: .*\(got "70000"\)$/m);
    expect(text).toMatch(/^EXAI_JWT_SECRET: an HS256 secret needs at least 32 characters$/m);
    expect(text).toMatch(/^EXAI_ALLOW_ANONYMOUS: anonymous access is only allowed when EXAI_WS_HOST is a loopback address \(got 0\.0\.0\.0\)$/m);
    expect(text).toMatch(/^LOG_LEVEL: .*\(got "loud"\)$/m);
    expect(text).toMatch(/^REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/m);
    expect(text).toMatch(/^EXAI_RATE_USER_BURST: must be at least EXAI_RATE_USER_PER_SECOND$/m);
    expect(problems).toHaveLength(6);
    // The secret's value is never echoed.
    expect(text).not.toContain('too-short');
  });

  it('refuses a server with no authentication, alongside other problems', () => {
    const problems = problemsOf({ EXAI_WS_PORT: 'abc', EXAI_STORAGE: 'postgres' });
    expect(problems.some((problem) => problem.startsWith('no authentication configured: set SUPABASE_JWT_SECRET or EXAI_JWT_SECRET'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('EXAI_WS_PORT:'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('DATABASE_URL'))).toBe(true);
  });

  it('names SUPABASE_JWT_SECRET when that is the short secret, and takes it over EXAI_JWT_SECRET', () => {
    expect(problemsOf({ SUPABASE_JWT_SECRET: 'short' })).toEqual(['SUPABASE_JWT_SECRET: an HS256 secret needs at least 32 characters']);
    const config = loadDaemonConfig({ EXAI_STORAGE: 'memory', SUPABASE_JWT_SECRET: `${secret}-supabase`, EXAI_JWT_SECRET: secret }, freshDir());
    expect(config.auth.jwtSecret).toBe(`${secret}-supabase`);
  });

  it('allows anonymous access on loopback only', () => {
    for (const host of ['127.0.0.1', '127.0.0.5', 'localhost', '::1']) {
      expect(loadDaemonConfig({ EXAI_STORAGE: 'memory', EXAI_ALLOW_ANONYMOUS: 'true', EXAI_WS_HOST: host }, freshDir()).auth.allowAnonymous).toBe(true);
    }
    expect(problemsOf({ EXAI_ALLOW_ANONYMOUS: 'yes', EXAI_WS_HOST: '192.168.1.10' })).toHaveLength(1);
    expect(isLoopback('0.0.0.0')).toBe(false);
  });

  it('parses static tokens: name=token, bare tokens numbered, short ones refused', () => {
    const config = loadDaemonConfig(
      { EXAI_STORAGE: 'memory', EXAI_WS_TOKEN: ' alice=alice-token-0123456789 , 0123456789abcdef0123 ,bob = bob-token-with=equals-in-it ' },
      freshDir(),
    );
    expect(config.auth.staticTokens).toEqual([
      { name: 'alice', token: 'alice-token-0123456789' },
      { name: 'static-2', token: '0123456789abcdef0123' },
      { name: 'bob', token: 'bob-token-with=equals-in-it' },
    ]);
    const problems = problemsOf({ EXAI_WS_TOKEN: 'carol=short,=nameless-token-0123456789' });
    expect(problems).toContain('EXAI_WS_TOKEN: the token of "carol" is shorter than 16 characters; use a long random value (openssl rand -hex 32)');
    expect(problems).toContain('EXAI_WS_TOKEN: an entry starts with "=": write name=token, or the token alone');
    expect(problems).toHaveLength(2);
  });

  it('reads lists, flags, URLs and the Redis prefix', () => {
    const config = loadDaemonConfig(
      {
        EXAI_STORAGE: 'memory',
        EXAI_JWKS_URL: 'https://auth.example.com/.well-known/jwks.json',
        EXAI_JWT_ISSUER: 'https://auth.example.com',
        EXAI_JWT_AUDIENCE: 'exai',
        EXAI_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
        EXAI_ALLOWED_HOSTS: 'exai.example.com',
        EXAI_PUBLIC_URL: 'https://exai.example.com/',
        EXAI_RATE_LIMIT_FAIL_OPEN: 'off',
        EXAI_DASHBOARD: 'false',
        REDIS_URL: 'redis://127.0.0.1:6379/2',
        EXAI_REDIS_PREFIX: 'exai-test:run-1',
      },
      freshDir(),
    );
    expect(config.auth).toMatchObject({ jwksUrl: 'https://auth.example.com/.well-known/jwks.json', issuer: 'https://auth.example.com', audience: 'exai' });
    expect(config.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.allowedHosts).toEqual(['exai.example.com']);
    expect(config.publicUrl).toBe('https://exai.example.com');
    expect(config.rate.failOpen).toBe(false);
    expect(config.dashboard).toBe(false);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379/2');
    expect(config.redisPrefix).toBe('exai-test:run-1');
    expect(problemsOf({ EXAI_JWT_SECRET: secret, EXAI_REDIS_PREFIX: 'has space', EXAI_DASHBOARD: 'maybe' })).toEqual([
      'EXAI_REDIS_PREFIX: must be letters, digits, "_", "-", "." or ":" (got "has space")',
      'EXAI_DASHBOARD: must be true or false (got "maybe")',
    ]);
  });

  it('does not call a malformed auth setting "no authentication"', () => {
    expect(problemsOf({ EXAI_JWKS_URL: 'ftp://keys' })).toEqual(['EXAI_JWKS_URL: must be an http(s) URL (got "ftp://keys")']);
    expect(problemsOf({ EXAI_ALLOW_ANONYMOUS: 'perhaps' })).toEqual(['EXAI_ALLOW_ANONYMOUS: must be true or false (got "perhaps")']);
  });
});
