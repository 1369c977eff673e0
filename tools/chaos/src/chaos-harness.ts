import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { raisedLimitsEnv, type DaemonProcess } from '@exai/harness';
import type { RecordedRequest, Simulator } from '@exai/provider-sim';
import { createStorage, type ToolCallStatus } from '@exai/storage';
import pg from 'pg';
import { classifyCall, type ClassifiedCall } from './call-outcome.js';
import { daemonEnv, spawnChaosDaemon, type StorageTarget } from './daemon-env.js';
import { signHs256Token } from './hs256-token.js';
import { McpWsClient, type ConnectOptions, type RequestOutcome } from './mcp-ws-client.js';

/** One row of a scenario's table. */
export interface ScenarioCheck {
  /** What should happen. */
  expectation: string;
  /** What the client (or the simulator, or the database) saw. */
  saw: string;
  pass: boolean;
}

/** A scripted fault scenario. */
export interface Scenario {
  id: number;
  title: string;
  /** Services it cannot run without. */
  needs?: ReadonlyArray<'postgres' | 'redis'>;
  run(harness: ChaosHarness): Promise<ScenarioCheck[]>;
}

/** Records of one user in storage. */
export interface RecordCounts {
  /** `chat` calls by status. */
  toolCalls: Partial<Record<ToolCallStatus, number>>;
  /** Error codes of failed calls. */
  errorCodes: Record<string, number>;
  usageEvents: number;
  conversations: number;
  messages: number;
}

/**
 * Timeouts and retries small enough for scripted faults to play out in seconds, nested as the daemon
 * requires (tool ≥ 1.5 × provider call ≥ 1.5 × attempt); limits raised so admission control stays out
 * of the way unless a scenario is about it.
 */
export const chaosDefaults: Readonly<Record<string, string>> = {
  ...raisedLimitsEnv(),
  LOG_LEVEL: 'warn',
  EXAI_MAX_RETRIES: '2',
  EXAI_RETRY_INITIAL_DELAY_MS: '50',
  EXAI_RETRY_MAX_DELAY_MS: '200',
  EXAI_ATTEMPT_TIMEOUT_MS: '2000',
  EXAI_PROVIDER_CALL_TIMEOUT_MS: '6000',
  EXAI_TOOL_TIMEOUT_MS: '10000',
  EXAI_SHUTDOWN_DEADLINE_MS: '3000',
};

/** What every scenario shares: the in-process simulator, storage, tokens, daemons and record counts. */
export class ChaosHarness {
  readonly #daemons = new Set<DaemonProcess>();

  constructor(
    readonly sim: Simulator,
    readonly options: {
      quick: boolean;
      jwtSecret: string;
      /** The run's scratch database (PostgreSQL storage), or undefined for PGlite. */
      databaseUrl: string | undefined;
      redisUrl: string | undefined;
      log: (line: string) => void;
    },
  ) {}

  get quick(): boolean {
    return this.options.quick;
  }

  /** A new storage user and its token. */
  newUser(): { userId: string; token: string } {
    const userId = randomUUID();
    return { userId, token: signHs256Token({ secret: this.options.jwtSecret, subject: userId }) };
  }

  /** Storage for one daemon: the run's database (with a data directory of its own for the journal), or a new PGlite directory. */
  newStorage(): StorageTarget {
    const dataDir = mkdtempSync(join(tmpdir(), 'exai-chaos-data-'));
    return this.options.databaseUrl ? { kind: 'postgres', url: this.options.databaseUrl, dataDir } : { kind: 'pglite', dataDir };
  }

  /** Starts a daemon with the chaos defaults, `storage` and `env` on top. */
  async startDaemon(options: { storage: StorageTarget; env?: Record<string, string>; cwd?: string }): Promise<DaemonProcess> {
    const daemon = await spawnChaosDaemon(
      daemonEnv({ glmBaseURL: this.sim.glmBaseURL, kimiBaseURL: this.sim.kimiBaseURL, storage: options.storage, jwtSecret: this.options.jwtSecret, extra: { ...chaosDefaults, ...options.env } }),
      options.cwd,
    );
    this.#daemons.add(daemon);
    void daemon.exited.then(() => this.#daemons.delete(daemon));
    return daemon;
  }

  /** SIGKILLs daemons a failed scenario left running. */
  async killLeftovers(): Promise<void> {
    await Promise.all([...this.#daemons].map((daemon) => daemon.stop('SIGKILL')));
  }

  connect(daemon: DaemonProcess, token: string, options: ConnectOptions = {}): Promise<McpWsClient> {
    return McpWsClient.connect(daemon.wsUrl, { token, ...options });
  }

  /** `count` clients of the same user. */
  connectMany(daemon: DaemonProcess, token: string, count: number): Promise<McpWsClient[]> {
    return Promise.all(Array.from({ length: count }, () => this.connect(daemon, token)));
  }

  /** One `chat` call, classified. `tag` goes into the prompt so the simulator's requests of the call can be found. */
  async chat(client: McpWsClient, tag: string, options: { model?: string; extra?: string; continuationId?: string; timeoutMs?: number; onProgress?: (params: Record<string, unknown>) => void } = {}): Promise<ChatOutcome> {
    const started = performance.now();
    const outcome = await client.callTool(
      'chat',
      {
        prompt: `${tagText(tag)} ${options.extra ?? ''}`.trim(),
        model: options.model ?? 'glm-4.5-flash',
        ...(options.continuationId ? { continuation_id: options.continuationId } : {}),
      },
      { timeoutMs: options.timeoutMs ?? 30_000, ...(options.onProgress ? { onProgress: options.onProgress } : {}) },
    );
    return { tag, outcome, call: classifyCall(outcome), elapsedMs: performance.now() - started };
  }

  /** The simulator's chat requests of the call tagged `tag`, in arrival order. */
  upstreamRequests(tag: string): RecordedRequest[] {
    const needle = tagText(tag);
    return this.sim.requests.filter((request) => request.path.endsWith('/chat/completions') && JSON.stringify(request.body ?? '').includes(needle));
  }

  /**
   * The user's records, read through @exai/storage (row-level security as that user): `chat` tool
   * calls by status and error code, usage events, threads and their messages. With PGlite the daemon
   * owning the data directory must have stopped.
   */
  async records(storage: StorageTarget, userId: string): Promise<RecordCounts> {
    const config =
      storage.kind === 'postgres'
        ? { kind: 'postgres' as const, connectionString: storage.url, dataDir: mkdtempSync(join(tmpdir(), 'exai-chaos-reader-')), migrate: false }
        : storage.kind === 'pglite'
          ? { kind: 'pglite' as const, dataDir: storage.dataDir }
          : undefined;
    if (!config) throw new Error('memory storage keeps no records outside the daemon');
    const opened = await createStorage({ config });
    try {
      const scope = opened.forUser(userId);
      const calls = await scope.toolCalls.list({ tool: 'chat', limit: 500 });
      const counts: RecordCounts = { toolCalls: {}, errorCodes: {}, usageEvents: 0, conversations: 0, messages: 0 };
      for (const call of calls) {
        counts.toolCalls[call.status] = (counts.toolCalls[call.status] ?? 0) + 1;
        if (call.errorCode) counts.errorCodes[call.errorCode] = (counts.errorCodes[call.errorCode] ?? 0) + 1;
      }
      counts.usageEvents = (await scope.usage.list({ limit: 500 })).length;
      const conversations = await scope.conversations.list({ limit: 500 });
      counts.conversations = conversations.length;
      for (const conversation of conversations) counts.messages += (await scope.conversations.loadThread(conversation.continuationId, { maxMessages: 500 }))?.messages.length ?? 0;
      return counts;
    } finally {
      await opened.close();
    }
  }

  /**
   * Rows of many users in the run's PostgreSQL database, read directly as its owner (row-level
   * security does not apply): `chat` tool calls by status, and usage events.
   */
  async databaseCounts(userIds: readonly string[]): Promise<{ toolCalls: Partial<Record<ToolCallStatus, number>>; usageEvents: number }> {
    if (!this.options.databaseUrl) throw new Error('needs PostgreSQL');
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    await client.connect();
    try {
      const calls = await client.query<{ status: ToolCallStatus; count: string }>("select status, count(*) from public.tool_calls where tool = 'chat' and user_id = any($1::uuid[]) group by status", [userIds]);
      const usage = await client.query<{ count: string }>('select count(*) from public.usage_events where user_id = any($1::uuid[])', [userIds]);
      return { toolCalls: Object.fromEntries(calls.rows.map((row) => [row.status, Number(row.count)])), usageEvents: Number(usage.rows[0]?.count ?? 0) };
    } finally {
      await client.end();
    }
  }

  /** Polls `read` until `done` holds (or `timeoutMs` passes) and returns the last value read. */
  async eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let value = await read();
    while (!done(value) && Date.now() < deadline) {
      await sleep(250);
      value = await read();
    }
    return value;
  }

  log(line: string): void {
    this.options.log(line);
  }
}

/** A `chat` call and what came of it. */
export interface ChatOutcome {
  tag: string;
  outcome: RequestOutcome;
  call: ClassifiedCall;
  elapsedMs: number;
}

/** `[#tag#]`: unique in prompts, so `#c1#` never matches `#c10#`. */
function tagText(tag: string): string {
  return `[#${tag}#]`;
}

/** Resolves after `ms` (Node's promise timer, re-exported for the scenarios). */
export { sleep };

/** `ok 3, tool provider_unavailable 1` */
export function describeCalls(outcomes: readonly ChatOutcome[]): string {
  const counts = new Map<string, number>();
  for (const { call } of outcomes) counts.set(call.label, (counts.get(call.label) ?? 0) + 1);
  return [...counts.entries()].map(([label, count]) => `${label} ${count}`).join(', ') || 'none';
}

/** `glm 3, kimi 2` — which provider answered the successful calls. */
export function describeProviders(outcomes: readonly ChatOutcome[]): string {
  const counts = new Map<string, number>();
  for (const { call } of outcomes) if (call.class === 'ok') counts.set(call.provider ?? '?', (counts.get(call.provider ?? '?') ?? 0) + 1);
  return [...counts.entries()].map(([provider, count]) => `${provider} ${count}`).join(', ') || 'none';
}

/** `success 3, error 1` */
export function describeStatuses(counts: RecordCounts): string {
  return Object.entries(counts.toolCalls).map(([status, count]) => `${status} ${count}`).join(', ') || 'none';
}

/** Checks that storage holds exactly the expected chat calls of a user, finished, with their usage. */
export function recordChecks(counts: RecordCounts, expected: { success: number; error?: number; cancelled?: number; usage?: number; other?: Partial<Record<ToolCallStatus, number>> }): ScenarioCheck[] {
  const want: Partial<Record<ToolCallStatus, number>> = { success: expected.success, ...(expected.error ? { error: expected.error } : {}), ...(expected.cancelled ? { cancelled: expected.cancelled } : {}), ...expected.other };
  const same = Object.keys({ ...want, ...counts.toolCalls }).every((status) => (want[status as ToolCallStatus] ?? 0) === (counts.toolCalls[status as ToolCallStatus] ?? 0));
  const usage = expected.usage ?? expected.success;
  return [
    {
      expectation: `storage: every accepted call recorded and finished (tool_calls ${Object.entries(want).map(([status, count]) => `${status} ${count}`).join(', ')}; none running)`,
      saw: `tool_calls ${describeStatuses(counts)}`,
      pass: same,
    },
    { expectation: `storage: usage of every answered call (${usage} usage events)`, saw: `${counts.usageEvents} usage events`, pass: counts.usageEvents === usage },
  ];
}
