import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDefaults } from '@exai/host';
import { describe, expect, it } from '@jest/globals';
import { daemonDefaults, daemonSettingNames } from '../daemon-config.js';

// Drift guards for the files the repository ships for deployment: they are not run here (no Docker),
// so these checks keep them in step with the code.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** Variable names a source file reads: the keys of its zod `schema` object and its `env['X']` look-ups. */
function settingsReadBy(path: string): string[] {
  const source = read(path);
  const names = new Set<string>();
  const schema = /const schema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(source)?.[1];
  for (const match of schema?.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm) ?? []) names.add(match[1] as string);
  for (const match of source.matchAll(/(?:env\[|text\(env, )'([A-Z][A-Z0-9_]+)'/g)) names.add(match[1] as string);
  return [...names];
}

/** Variables `.env.example` mentions, set or commented out (`# NAME=`). */
function exampleVariables(): Map<string, string> {
  const variables = new Map<string, string>();
  for (const line of read('.env.example').split('\n')) {
    const match = /^(?:# )?([A-Z][A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) variables.set(match[1] as string, line);
  }
  return variables;
}

/** A YAML block's lines: those after `key:` (at `indent` spaces) up to the next line indented as much or less. */
function yamlBlock(lines: readonly string[], key: string, indent: number): string[] {
  const start = lines.findIndex((line) => line === `${' '.repeat(indent)}${key}:`);
  if (start < 0) return [];
  const block: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() !== '' && !line.startsWith(' '.repeat(indent + 1))) break;
    block.push(line);
  }
  return block;
}

describe('.env.example', () => {
  const example = exampleVariables();

  it("lists every setting of the daemon, of exai (host and storage) and of exai-stdio's remote bridge", () => {
    const sources = ['libs/host/src/load-exai-config.ts', 'libs/storage/src/storage-config.ts', 'apps/stdio/src/remote/run-remote-bridge.ts'].filter((path) => existsSync(join(root, path)));
    const expected = new Set([...daemonSettingNames, ...sources.flatMap(settingsReadBy)]);
    // The parsing above found the schemas (a refactor that hides them must update this test).
    expect(expected.has('LOG_LEVEL')).toBe(true);
    expect(expected.has('DATABASE_URL')).toBe(true);
    expect(expected.size).toBeGreaterThan(80);
    expect([...expected].filter((name) => !example.has(name))).toEqual([]);
  });

  it('names the variables docker-compose.yml interpolates', () => {
    const interpolated = [...read('docker-compose.yml').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((match) => match[1] as string);
    expect(interpolated.length).toBeGreaterThan(0);
    expect(interpolated.filter((name) => !example.has(name))).toEqual([]);
  });

  it('holds no secrets: every variable it sets is empty, and commented ones show the defaults', () => {
    const set = [...example.values()].filter((line) => !line.startsWith('#'));
    for (const line of set) expect(line).toMatch(/^[A-Z0-9_]+=$/);
    for (const [name, value] of Object.entries(daemonDefaults)) expect(example.get(name)).toMatch(new RegExp(`^# ${name}=${String(value)}(\\s|$)`));
    for (const [name, value] of Object.entries(configDefaults)) expect(example.get(name)).toMatch(new RegExp(`^# ${name}=${String(value).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(\\s|$)`));
  });
});

describe('apps/daemon/README.md', () => {
  it("has a row for every setting of the daemon's own, with its default", () => {
    const readme = read('apps/daemon/README.md');
    for (const name of daemonSettingNames) expect(readme).toMatch(new RegExp(`^\\| [^|]*\`${name}\`[^|]*\\|`, 'm'));
    for (const [name, value] of Object.entries(daemonDefaults)) expect(readme).toContain(`| \`${name}\` | \`${String(value)}\` |`);
  });

  it('describes every face by its path', () => {
    const readme = read('apps/daemon/README.md');
    for (const path of ['`/ws`', 'subprotocol `mcp`', '`/mcp`', '`POST /v1/chat/completions`', '`GET /v1/models`', '`GET /healthz`', '`GET /readyz`', '`GET /metrics`', '`GET /`', 'Mcp-Session-Id']) expect(readme).toContain(path);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('copies the manifest of every workspace before npm ci (else the lockfile does not match)', () => {
    const workspaces = (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces;
    const manifests = workspaces.flatMap((pattern) => {
      const folder = pattern.replace(/\/\*$/, '');
      return readdirSync(join(root, folder))
        .map((name) => `${folder}/${name}/package.json`)
        .filter((manifest) => existsSync(join(root, manifest)));
    });
    expect(manifests.length).toBeGreaterThan(5);
    const beforeInstall = dockerfile.slice(0, dockerfile.indexOf('RUN npm ci'));
    for (const manifest of manifests) expect(beforeInstall).toContain(`COPY ${manifest} ${dirname(manifest)}/`);
  });

  it('builds in one stage and runs the built daemon as an unprivileged user on 0.0.0.0:3000 in another', () => {
    expect(dockerfile.match(/^FROM node:24-slim AS \w+$/gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^COPY --from=build /m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^EXPOSE 3000$/m);
    expect(dockerfile).toMatch(/EXAI_WS_HOST=0\.0\.0\.0/);
    expect(dockerfile).toMatch(/^HEALTHCHECK [^\n]*\\\n {2}CMD \["node", "-e", "fetch\([^\n]*\/healthz/m);
    expect(dockerfile).toMatch(/^CMD \["node", "apps\/daemon\/dist\/main\.js"\]$/m);
  });

  it('keeps secrets and local state out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['.env', '**/node_modules', '**/dist', '.git']) expect(ignored).toContain(entry);
    expect(ignored).toContain('!.env.example');
  });
});

describe('docker-compose.yml', () => {
  const lines = read('docker-compose.yml').split('\n');
  const services = yamlBlock(lines, 'services', 0);
  const service = (name: string): string => yamlBlock(services, name, 2).join('\n');

  it('has the daemon, Redis, Redis Commander and an optional PostgreSQL', () => {
    const names = services.map((line) => /^ {2}([\w-]+):$/.exec(line)?.[1]).filter(Boolean);
    expect(names).toEqual(['exai-mcp-daemon', 'exai-redis', 'exai-redis-commander', 'exai-postgres']);
    expect(lines.filter((line) => line.includes('\t'))).toEqual([]);
  });

  it('runs the daemon from this repository with .env, on port 3000, after Redis, with a health check and a drain window', () => {
    const daemon = service('exai-mcp-daemon');
    expect(daemon).toMatch(/^ {4}build: \.$/m);
    expect(daemon).toMatch(/^ {4}env_file: \.env$/m);
    expect(daemon).toMatch(/^ {6}EXAI_WS_HOST: 0\.0\.0\.0$/m);
    expect(daemon).toMatch(/^ {6}REDIS_URL: redis:\/\/exai-redis:6379$/m);
    expect(daemon).toMatch(/^ {6}- "\$\{EXAI_PUBLISHED_PORT:-3000\}:3000"$/m);
    expect(daemon).toMatch(/^ {6}exai-redis:\n {8}condition: service_healthy$/m);
    expect(daemon).toMatch(/^ {6}exai-postgres:\n {8}condition: service_healthy\n(?: {8}#.*\n)* {8}required: false$/m);
    expect(daemon).toMatch(/^ {4}healthcheck:\n {6}test: \[.*\/healthz.*\]$/m);
    expect(daemon).toMatch(/^ {6}- exai-data:\/data$/m);
    const grace = Number(/^ {4}stop_grace_period: (\d+)s$/m.exec(daemon)?.[1]);
    expect(grace * 1000).toBeGreaterThan(daemonDefaults.EXAI_SHUTDOWN_DEADLINE_MS);
  });

  it('keeps Redis append-only, Redis Commander on loopback, and PostgreSQL behind the postgres profile', () => {
    expect(service('exai-redis')).toMatch(/^ {4}image: redis:7-alpine$/m);
    expect(service('exai-redis')).toMatch(/^ {4}command: \["redis-server", "--appendonly", "yes"\]$/m);
    expect(service('exai-redis-commander')).toMatch(/^ {4}image: rediscommander\/redis-commander/m);
    expect(service('exai-redis-commander')).toMatch(/^ {6}- "127\.0\.0\.1:8081:8081"$/m);
    expect(service('exai-postgres')).toMatch(/^ {4}image: postgres:16-alpine$/m);
    expect(service('exai-postgres')).toMatch(/^ {4}profiles: \[postgres\]$/m);
    const volumes = yamlBlock(lines, 'volumes', 0).map((line) => line.trim()).filter(Boolean);
    expect(volumes).toEqual(['exai-data:', 'exai-redis-data:', 'exai-postgres-data:']);
  });
});
