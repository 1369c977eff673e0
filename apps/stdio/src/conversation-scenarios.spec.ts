/**
 * Conversation memory end to end: the Zen MCP server's simulator scenarios (zen-lineage.md §2, §5)
 * run against the built `exai-stdio` over the MCP SDK client, with the provider simulator standing in
 * for GLM and Kimi. Every scenario checks the tool result and what really reached the model (the
 * simulator's request log).
 */
import { mkdirSync, mkdtempSync, realpathSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startSimulator, type Simulator } from '@exai/provider-sim';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startStdio, textOf, type StdioSession } from './test-support/stdio-harness.js';

type Structured = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Vendor = 'glm' | 'kimi';

let sim: Simulator;
/** Default limits. */
let session: StdioSession;
/** MAX_CONVERSATION_TURNS=2: one exchange fills a thread. */
let limited: StdioSession;
/** CONVERSATION_TIMEOUT_HOURS=0.0004 (1.44 s). */
let shortLived: StdioSession;
const SHORT_TTL_HOURS = 0.0004;

/** The only folder the servers may read (real path, so it matches the paths the tools report). */
const root = realpathSync(mkdtempSync(join(tmpdir(), 'exai-conversations-')));
// 1x1 transparent PNG.
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

// ---------------------------------------------------------------------------------------------
// Helpers

async function call(name: string, args: Record<string, unknown>, on: StdioSession = session): Promise<CallToolResult> {
  return (await on.client.callTool({ name, arguments: args })) as CallToolResult;
}

function chat(args: Record<string, unknown>, on: StdioSession = session): Promise<CallToolResult> {
  return call('chat', args, on);
}

/** The structured output of a successful call (fails the test with the tool's message otherwise). */
function ok(result: CallToolResult): Structured {
  if (result.isError) throw new Error(`tool error: ${textOf(result)}`);
  return result.structuredContent as Structured;
}

/** The bodies of the chat completions the simulator received, oldest first. */
function chatBodies(vendor?: Vendor): Structured[] {
  return sim.requests
    .filter((entry) => entry.path.endsWith('/chat/completions') && (vendor === undefined || entry.vendor === vendor))
    .map((entry) => entry.body as Structured);
}

function lastBody(vendor: Vendor): Structured {
  const body = chatBodies(vendor).at(-1);
  if (!body) throw new Error(`no ${vendor} chat request`);
  return body;
}

/** A message's text (string content, or its text parts). */
function contentOf(message: Structured): string {
  if (typeof message['content'] === 'string') return message['content'];
  return (message['content'] as Structured[]).map((part) => (part['type'] === 'text' ? part['text'] : '')).join('');
}

function roles(body: Structured): string[] {
  return (body['messages'] as Structured[]).map((message) => message['role']);
}

/** How often `needle` occurs in a text, or in every message text of a request body. */
function occurrences(haystack: string | Structured, needle: string): number {
  const text = typeof haystack === 'string' ? haystack : (haystack['messages'] as Structured[]).map(contentOf).join('\n');
  return text.split(needle).length - 1;
}

/** A fresh folder under the allowed root. */
function folder(): string {
  return mkdtempSync(join(root, 'case-'));
}

/**
 * The lines of a source file whose last line holds `marker`. The padding keeps the marker past the
 * first 200 characters of any user turn, so the simulator's echo ("You said: …") never repeats it and
 * counting the marker counts the embedded copies.
 */
function sourceLines(name: string, marker: string, count = 12): string[] {
  return [...Array.from({ length: count - 1 }, (_, index) => `// ${name} padding line ${index + 1} for the echo window`), `export const marker = '${marker}';`];
}

function sourceFile(dir: string, name: string, marker: string, count = 12): string {
  const path = join(dir, name);
  writeFileSync(path, `${sourceLines(name, marker, count).join('\n')}\n`);
  return path;
}

/** A file as exai embeds it: framed, with right-aligned line numbers. */
function embeddedBlock(path: string, lines: readonly string[]): string {
  const width = String(lines.length).length;
  const numbered = lines.map((line, index) => `${String(index + 1).padStart(width)}│ ${line}`);
  return [`--- BEGIN FILE: ${path} (${lines.length} lines) ---`, ...numbered, `--- END FILE: ${path} ---`].join('\n');
}

/**
 * The zen split for windows under 300K tokens (zen-lineage.md §2, build-history.ts): content 60 %,
 * of it files 30 % and history 50 %; tokens are 4 characters.
 */
function budgetOf(contextWindow: number): { contentTokens: number; historyTokens: number; fileChars: number } {
  const contentTokens = Math.floor(contextWindow * 0.6);
  return { contentTokens, historyTokens: Math.floor(contentTokens * 0.5), fileChars: Math.floor(contentTokens * 0.3) * 4 };
}

/** A single, final workflow step that calls the expert (an issue is enough to need one). */
function finalStep(args: Record<string, unknown>): Record<string, unknown> {
  return {
    step: 'Decide whether the cache needs a lock',
    step_number: 1,
    total_steps: 1,
    next_step_required: false,
    findings: 'Two writers can interleave.',
    issues_found: [{ severity: 'medium', description: 'unsynchronised writes' }],
    ...args,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The first word of each user turn of a request (the TURN-n tags of the token allocation scenario). */
const userTags = (messages: Structured[]) => messages.filter((message) => message['role'] === 'user').map((message) => contentOf(message).split(' ')[0]);

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  sim = await startSimulator();
  const env = {
    GLM_API_KEY: 'sim-glm-key',
    GLM_BASE_URL: sim.glmBaseURL,
    KIMI_API_KEY: 'sim-kimi-key',
    KIMI_BASE_URL: sim.kimiBaseURL,
    EXAI_RETRY_INITIAL_DELAY_MS: '10',
    EXAI_ALLOWED_ROOTS: root,
  };
  [session, limited, shortLived] = await Promise.all([
    startStdio(env),
    startStdio({ ...env, MAX_CONVERSATION_TURNS: '2' }),
    startStdio({ ...env, CONVERSATION_TIMEOUT_HOURS: String(SHORT_TTL_HOURS) }),
  ]);
});

afterAll(async () => {
  await Promise.all([session?.close(), limited?.close(), shortLived?.close()]);
  await sim?.close();
});

beforeEach(() => sim.reset());

describe('conversation memory (zen simulator scenarios) over exai-stdio', () => {
  it('basic_conversation: a continuation embeds a repeated file once, adds the new one and replays the earlier turns', async () => {
    const dir = folder();
    const cache = sourceFile(dir, 'cache.ts', 'CACHE-MARKER');
    const store = sourceFile(dir, 'store.ts', 'STORE-MARKER');

    const first = ok(await chat({ prompt: 'Is the cache eviction right?', model: 'glm-4.5-flash', files: [cache] }));
    const id = first.continuation_id;
    expect(occurrences(lastBody('glm'), 'CACHE-MARKER')).toBe(1);

    const second = ok(await chat({ prompt: 'Compare it with the store.', model: 'glm-4.5-flash', files: [cache, store], continuation_id: id }));
    expect(second.continuation_id).toBe(id);
    let body = lastBody('glm');
    // The earlier exchange comes back as messages; its file is named there, embedded once with the new request.
    expect(roles(body)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(body['messages'][1].content).toBe(`Is the cache eviction right?\n\n[files: ${cache}]`);
    expect(body['messages'][2].content).toBe(first.content);
    expect(contentOf(body['messages'][3]).startsWith('Compare it with the store.\n\nFiles:\n\n')).toBe(true);
    expect(occurrences(body, 'CACHE-MARKER')).toBe(1);
    expect(occurrences(body, 'STORE-MARKER')).toBe(1);
    // (The first answer echoes the start of its question, file header included: count the requests' own turns.)
    expect(occurrences(contentOf(body['messages'][3]), `--- BEGIN FILE: ${cache} `)).toBe(1);

    // Without files, on another vendor: the thread's files are replayed once each, before the turns.
    ok(await chat({ prompt: 'Summarise both files.', model: 'kimi-k2-turbo-preview', continuation_id: id }));
    body = lastBody('kimi');
    expect(roles(body)).toEqual(['system', 'user', 'user', 'assistant', 'user', 'assistant', 'user']);
    const context = contentOf(body['messages'][1]);
    expect(context).toContain('Files referenced earlier in this conversation');
    expect(occurrences(context, 'CACHE-MARKER')).toBe(1);
    expect(occurrences(context, 'STORE-MARKER')).toBe(1);
    expect(occurrences(body, 'CACHE-MARKER')).toBe(1);
    expect(occurrences(body, 'STORE-MARKER')).toBe(1);
    expect(body['messages'][4].content).toBe(`Compare it with the store.\n\n[files: ${cache}, ${store}]`);
    expect(body['messages'][5].content).toBe(second.content);
    expect(body['messages'][6].content).toBe('Summarise both files.');
  });

  it('cross_tool_continuation: chat (GLM) → thinkdeep (Kimi) → chat (Kimi) → codereview (GLM) → chat share one thread', async () => {
    const dir = folder();
    const cache = sourceFile(dir, 'cache.ts', 'CACHE-MARKER');
    const store = sourceFile(dir, 'store.ts', 'STORE-MARKER');

    const started = ok(await chat({ prompt: 'CHAT-1: where can the cache go stale?', model: 'glm-4.5-flash', files: [cache] }));
    const id = started.continuation_id;

    const thought = ok(
      await call('thinkdeep', {
        step: 'THINK-1: reason about stale reads',
        step_number: 1,
        total_steps: 1,
        next_step_required: false,
        findings: 'Reads race the TTL refresh.',
        relevant_files: [cache],
        model: 'kimi-k2-0905-preview',
        continuation_id: id,
      }),
    );
    expect(thought.status).toBe('calling_expert_analysis');
    expect(thought.continuation_id).toBe(id);
    expect(thought.metadata).toMatchObject({ tool_name: 'thinkdeep', model: 'kimi-k2-0905-preview', provider: 'kimi' });
    const expertAnswer = thought.expert_analysis.raw_analysis as string;
    // The expert gets its relevant files in full, once.
    expect(occurrences(lastBody('kimi'), 'CACHE-MARKER')).toBe(1);

    ok(await chat({ prompt: 'CHAT-2: which fix first?', model: 'kimi-k2-turbo-preview', continuation_id: id }));
    let body = lastBody('kimi');
    expect(body['model']).toBe('kimi-k2-turbo-preview');
    expect(roles(body)).toEqual(['system', 'user', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(contentOf(body['messages'][2])).toContain('CHAT-1: where can the cache go stale?');
    expect(body['messages'][3].content).toBe(started.content);
    expect(contentOf(body['messages'][4])).toContain('thinkdeep workflow, 1 step(s): THINK-1: reason about stale reads');
    expect(contentOf(body['messages'][4])).toContain('Reads race the TTL refresh.');
    expect(body['messages'][5].content).toBe(expertAnswer);
    expect(occurrences(body, 'CACHE-MARKER')).toBe(1);

    // A two-step review joins the thread: the paused step calls no model.
    const before = chatBodies().length;
    const paused = ok(
      await call('codereview', {
        step: 'REVIEW-1: review the store',
        step_number: 1,
        total_steps: 2,
        next_step_required: true,
        findings: 'Store writes are not atomic.',
        relevant_files: [store],
        continuation_id: id,
      }),
    );
    expect(paused.status).toBe('pause_for_code_review');
    expect(paused.continuation_id).toBe(id);
    expect(chatBodies()).toHaveLength(before);
    const reviewed = ok(
      await call('codereview', {
        step: 'REVIEW-2: confirm',
        step_number: 2,
        total_steps: 2,
        next_step_required: false,
        findings: 'Confirmed the race.',
        issues_found: [{ severity: 'high', description: 'non-atomic write in store.ts' }],
        model: 'glm-4.6',
        continuation_id: id,
      }),
    );
    expect(reviewed.status).toBe('calling_expert_analysis');
    expect(reviewed.metadata).toMatchObject({ model: 'glm-4.6', provider: 'glm' });

    ok(await chat({ prompt: 'CHAT-3: summarise the thread', model: 'glm-4.5-flash', continuation_id: id }));
    body = lastBody('glm');
    const replay = (body['messages'] as Structured[]).slice(1, -1).map(contentOf).join('\n');
    const order = ['CHAT-1', 'THINK-1', 'CHAT-2', 'codereview workflow, 2 step(s): REVIEW-1'].map((tag) => replay.indexOf(tag));
    expect(order.every((position) => position >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(occurrences(body, 'CACHE-MARKER')).toBe(1);
    expect(occurrences(body, 'STORE-MARKER')).toBe(1);

    // The thread keeps the starting tool and, per answer, the model that gave it.
    const shown = ok(await call('threads', { action: 'show', continuation_id: id, limit: 20 }));
    expect(shown.threads[0].tool).toBe('chat');
    expect(shown.turns.filter((turn: Structured) => turn.role === 'assistant').map((turn: Structured) => turn.model)).toEqual([
      'glm-4.5-flash',
      'kimi-k2-0905-preview',
      'kimi-k2-turbo-preview',
      'glm-4.6',
      'glm-4.5-flash',
    ]);
  });

  it('cross_tool_continuation: a workflow joined to a chat thread replays the chat turns to its expert', async () => {
    const started = ok(await chat({ prompt: 'CHAT-ONLY-CONTEXT: the TTL comes from the environment', model: 'glm-4.5-flash' }));
    ok(await call('thinkdeep', finalStep({ model: 'kimi-k2-0905-preview', continuation_id: started.continuation_id })));
    expect(occurrences(lastBody('kimi'), 'CHAT-ONLY-CONTEXT')).toBeGreaterThan(0);
  });

  it('conversation_chain_validation: threads started and continued in parallel never see each other', async () => {
    const chains = ['ALPHA', 'BRAVO'] as const;
    const ids: Partial<Record<(typeof chains)[number], string>> = {};
    for (let round = 1; round <= 3; round++) {
      const results = await Promise.all(
        chains.map((name) => chat({ prompt: `${name}-ROUND-${round}: keep going`, model: 'glm-4.5-flash', ...(ids[name] ? { continuation_id: ids[name] } : {}) })),
      );
      results.forEach((result, index) => {
        const name = chains[index]!;
        const id = ok(result).continuation_id;
        if (round === 1) ids[name] = id;
        else expect(id).toBe(ids[name]);
      });
    }
    expect(ids.ALPHA).not.toBe(ids.BRAVO);

    const bodies = chatBodies('glm');
    expect(bodies).toHaveLength(6);
    for (const body of bodies) {
      const text = (body['messages'] as Structured[]).map(contentOf).join('\n');
      expect(text.includes('ALPHA') !== text.includes('BRAVO')).toBe(true);
    }
    for (const name of chains) {
      const third = bodies.find((body) => occurrences(body, `${name}-ROUND-3`) > 0)!;
      expect((third['messages'] as Structured[]).filter((message) => message['role'] === 'user').map(contentOf)).toEqual([
        `${name}-ROUND-1: keep going`,
        `${name}-ROUND-2: keep going`,
        `${name}-ROUND-3: keep going`,
      ]);
    }
  });

  it('token_allocation_validation: a small-context model replays only the newest turns that fit, saying "[showing N of M turns]"', async () => {
    // About 1,000 tokens a user turn: 8 turns fit a 256K model's history share, not a 8K model's.
    const filler = 'lorem ipsum dolor sit amet '.repeat(150);
    let id: string | undefined;
    for (let turn = 1; turn <= 4; turn++) {
      id = ok(await chat({ prompt: `TURN-${turn} ${filler}`, model: 'glm-4.5-flash', ...(id ? { continuation_id: id } : {}) })).continuation_id;
    }

    ok(await chat({ prompt: 'TURN-5 on the large model', model: 'kimi-k2-0905-preview', continuation_id: id }));
    const large = lastBody('kimi');
    expect(occurrences(large, '[showing')).toBe(0);
    expect(userTags(large['messages'])).toEqual(['TURN-1', 'TURN-2', 'TURN-3', 'TURN-4', 'TURN-5']);

    const answered = ok(await chat({ prompt: 'TURN-6 on the small model', model: 'moonshot-v1-8k', continuation_id: id }));
    const small = lastBody('kimi');
    const messages = small['messages'] as Structured[];
    const note = /^\[showing (\d+) of 10 turns\] The (\d+) oldest turns/.exec(contentOf(messages[1]!));
    expect(note).not.toBeNull();
    const shown = Number(note![1]);
    expect(shown).toBeGreaterThanOrEqual(2);
    expect(shown).toBeLessThan(10);
    expect(Number(note![2])).toBe(10 - shown);
    // The newest turns, oldest first, opening on a question.
    const replayed = messages.slice(2, -1);
    expect(replayed).toHaveLength(shown);
    expect(replayed[0]!['role']).toBe('user');
    const tags = userTags(replayed);
    expect(tags).toEqual(['TURN-1', 'TURN-2', 'TURN-3', 'TURN-4', 'TURN-5'].slice(-tags.length));
    expect(tags).not.toContain('TURN-1');
    expect(contentOf(messages.at(-1)!)).toBe('TURN-6 on the small model');
    // Within moonshot-v1-8k's shares: history 2,457 tokens, everything sent 4,915.
    const budget = budgetOf(8192);
    const historyTokens = replayed.reduce((sum, message) => sum + Math.ceil(contentOf(message).length / 4) + 4, 0);
    expect(historyTokens).toBeLessThanOrEqual(budget.historyTokens);
    expect(answered.metadata.tokens.input).toBeLessThanOrEqual(budget.contentTokens);
  });

  it('token_allocation_validation: files over the model\'s budget are skipped with a note, in the request and in the replayed history', async () => {
    const dir = folder();
    // About 33,000 characters: over what moonshot-v1-8k leaves for files, well within glm-4.5-flash's.
    const big = sourceFile(dir, 'big.ts', 'BIG-MARKER', 600);
    const small = sourceFile(dir, 'small.ts', 'SMALL-MARKER');
    const size = statSync(big).size;

    const direct = await chat({ prompt: 'Review both.', model: 'moonshot-v1-8k', files: [big, small] });
    const directOutput = ok(direct);
    const request = contentOf(lastBody('kimi')['messages'].at(-1));
    expect(occurrences(request, 'SMALL-MARKER')).toBe(1);
    expect(occurrences(request, 'BIG-MARKER')).toBe(0);
    expect(request).toMatch(new RegExp(`Files not embedded:\\n- ${escapeRegExp(big)}: ${size} bytes do not fit the \\d+ characters left of the file budget for this model`));
    expect(textOf(direct)).toContain(`Files the model did not see:\n- ${big}: ${size} bytes do not fit`);
    expect(directOutput.metadata.warnings).toContainEqual(expect.stringContaining(`file not embedded: ${big}`));

    // The file fits glm-4.5-flash; when the thread moves to the 8K model, the history's file share is too small.
    const first = ok(await chat({ prompt: 'Review the big one.', model: 'glm-4.5-flash', files: [big] }));
    expect(occurrences(lastBody('glm'), 'BIG-MARKER')).toBe(1);
    const moved = ok(await chat({ prompt: 'Go on.', model: 'moonshot-v1-8k', continuation_id: first.continuation_id }));
    const body = lastBody('kimi');
    expect(occurrences(body, 'BIG-MARKER')).toBe(0);
    expect(contentOf(body['messages'][1])).toContain(
      `Files not embedded:\n- ${big}: ${size} bytes do not fit the ${budgetOf(8192).fileChars} characters left of the file budget for this model`,
    );
    expect(moved.metadata.warnings).toContainEqual(expect.stringContaining(`file not embedded: ${big}`));
  });

  it('line_number_validation: files arrive line-numbered in chat, in the replayed history and in a workflow expert request', async () => {
    const file = sourceFile(folder(), 'numbers.ts', 'LINE-MARKER', 12);
    const block = embeddedBlock(file, sourceLines('numbers.ts', 'LINE-MARKER', 12));
    expect(block).toContain(` 9│ // numbers.ts padding line 9`);
    expect(block).toContain(`12│ export const marker = 'LINE-MARKER';`);

    const first = ok(await chat({ prompt: 'Where is the marker?', model: 'kimi-k2-turbo-preview', files: [file] }));
    expect(contentOf(lastBody('kimi')['messages'].at(-1))).toContain(block);

    ok(await chat({ prompt: 'And the line before it?', model: 'glm-4.5-air', continuation_id: first.continuation_id }));
    expect(contentOf(lastBody('glm')['messages'][1])).toContain(block);

    const review = ok(await call('codereview', finalStep({ step: 'Review numbers.ts', relevant_files: [file], model: 'glm-4.6' })));
    expect(review.status).toBe('calling_expert_analysis');
    const expert = lastBody('glm');
    expect(contentOf(expert['messages'][1])).toContain(block);
    expect(contentOf(expert['messages'][0])).toContain('LINE NUMBER');
  });

  it('model_thinking_config: thinking is sent only to models that take the switch', async () => {
    // GLM's hybrid models take an on/off switch (no levels): any level turns it on.
    const glm = ok(await chat({ prompt: 'Think it through', model: 'glm-4.5-air', thinking_mode: 'minimal' }));
    expect(lastBody('glm')['thinking']).toEqual({ type: 'enabled' });
    expect(glm.reasoning).toContain('Thinking about');

    // Kimi K2 never thinks and has no switch: nothing is sent, the model is kept, and the caller is told.
    for (const mode of ['high', 'off']) {
      const k2 = ok(await chat({ prompt: 'Think it through', model: 'kimi-k2-0905-preview', thinking_mode: mode }));
      expect(lastBody('kimi')).not.toHaveProperty('thinking');
      expect(k2.metadata.model).toBe('kimi-k2-0905-preview');
      expect(k2.reasoning).toBeUndefined();
      if (mode === 'high') expect(k2.metadata.warnings).toContain('kimi-k2-0905-preview does not think; thinking was turned off');
    }

    // kimi-k2-thinking always thinks: "off" cannot be sent either, and it still reasons.
    const always = ok(await chat({ prompt: 'Quick answer', model: 'kimi-k2-thinking', thinking_mode: 'off' }));
    expect(lastBody('kimi')).not.toHaveProperty('thinking');
    expect(always.reasoning).toContain('Thinking about');
    expect(always.metadata.warnings).toContain('kimi-k2-thinking always thinks; thinking cannot be turned off');

    // Workflow experts think at "high" by default: sent to GLM, not to Kimi K2.
    ok(await call('thinkdeep', finalStep({ model: 'glm-4.5-flash' })));
    expect(lastBody('glm')['thinking']).toEqual({ type: 'enabled' });
    const expert = ok(await call('thinkdeep', finalStep({ model: 'kimi-k2-0905-preview' })));
    expect(lastBody('kimi')).not.toHaveProperty('thinking');
    expect(expert.metadata.model).toBe('kimi-k2-0905-preview');
  });

  it('prompt_size_limit_bug: a short continuation after a long history goes through; an oversized continuation prompt or workflow field is sent back', async () => {
    const long = (tag: string) => `${tag} ${'x'.repeat(50_000)}`;
    const id = ok(await chat({ prompt: long('LONG-1'), model: 'glm-4.6' })).continuation_id;
    ok(await chat({ prompt: long('LONG-2'), model: 'glm-4.6', continuation_id: id }));
    // Over 100,000 characters of history: only the caller's own text counts against the limit.
    const short = ok(await chat({ prompt: 'Short follow-up?', model: 'glm-4.6', continuation_id: id }));
    expect(short.status).toBe('ok');
    expect((lastBody('glm')['messages'] as Structured[]).map(contentOf).join('').length).toBeGreaterThan(100_000);

    const before = sim.requests.length;
    const oversized = ok(await chat({ prompt: 'y'.repeat(60_001), model: 'glm-4.6', continuation_id: id }));
    expect(oversized.status).toBe('resend_prompt');
    expect(oversized.content).toContain('60001 characters, over the 60000-character limit');
    expect(sim.requests).toHaveLength(before);
    // The refused prompt was not recorded: the thread still has three exchanges.
    ok(await chat({ prompt: 'Still there?', model: 'glm-4.6', continuation_id: id }));
    expect(roles(lastBody('glm'))).toHaveLength(1 + 6 + 1);

    const paused = ok(await call('thinkdeep', { step: 'Plan the fix', step_number: 1, total_steps: 2, next_step_required: true, findings: 'Started.', continuation_id: id }));
    expect(paused.status).toBe('pause_for_deep_thinking');
    const tooLong = ok(
      await call('thinkdeep', { step: 'Conclude', step_number: 2, total_steps: 2, next_step_required: false, findings: 'z'.repeat(60_001), model: 'glm-4.6', continuation_id: id }),
    );
    expect(tooLong.status).toBe('resend_prompt');
    expect(tooLong.continuation_id).toBe(id);
    expect(tooLong.content).toContain('"findings" is 60001 characters');
    expect(sim.requests).toHaveLength(before + 1);
  });

  it('MAX_CONVERSATION_TURNS=2: a full thread is refused by name, in chat and in workflows, before any model call', async () => {
    const id = ok(await chat({ prompt: 'One exchange fills this thread.', model: 'glm-4.5-flash' }, limited)).continuation_id;
    const before = sim.requests.length;

    const refused = await chat({ prompt: 'One more?', model: 'glm-4.5-flash', continuation_id: id }, limited);
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain(`continuation_id ${id} has reached the limit of 2 turns (1 exchange; MAX_CONVERSATION_TURNS)`);
    expect(textOf(refused)).toContain('call again without continuation_id');
    const workflow = await call('thinkdeep', finalStep({ continuation_id: id }), limited);
    expect(workflow.isError).toBe(true);
    expect(textOf(workflow)).toContain('has reached the limit of 2 turns');
    expect(sim.requests).toHaveLength(before);

    // A new thread still works.
    ok(await chat({ prompt: 'Fresh start.', model: 'glm-4.5-flash' }, limited));
  });

  it('CONVERSATION_TIMEOUT_HOURS takes a fraction: every turn restarts the clock, an idle thread expires with a message naming the setting', async () => {
    const ttlMs = SHORT_TTL_HOURS * 3_600_000;
    const id = ok(await chat({ prompt: 'Remember 42.', model: 'glm-4.5-flash' }, shortLived)).continuation_id;
    await sleep(ttlMs * 0.55);
    ok(await chat({ prompt: 'Still 42?', model: 'glm-4.5-flash', continuation_id: id }, shortLived));
    await sleep(ttlMs * 0.55);
    // Over the TTL since the first turn, within it since the last.
    ok(await chat({ prompt: 'And now?', model: 'glm-4.5-flash', continuation_id: id }, shortLived));

    await sleep(ttlMs + 300);
    const before = sim.requests.length;
    const expired = await chat({ prompt: 'Hello again', model: 'glm-4.5-flash', continuation_id: id }, shortLived);
    expect(expired.isError).toBe(true);
    expect(textOf(expired)).toContain(`continuation_id ${id} was not found or has expired (threads are kept for ${SHORT_TTL_HOURS} hours after the last turn`);
    expect(textOf(expired)).toContain('CONVERSATION_TIMEOUT_HOURS');
    expect(sim.requests).toHaveLength(before);
    const listed = ok(await call('threads', {}, shortLived));
    expect(listed.threads.find((thread: Structured) => thread.continuation_id === id)).toMatchObject({ expired: true });
  });

  it('an unknown continuation_id is refused by name in workflows; threads lists, shows and deletes a thread', async () => {
    const unknown = 'no-such-thread-7';
    const think = await call('thinkdeep', { step: 'Start', step_number: 1, total_steps: 2, next_step_required: true, findings: 'f', continuation_id: unknown });
    expect(think.isError).toBe(true);
    expect(textOf(think)).toContain(`continuation_id ${unknown} was not found or has expired`);
    const review = await call('codereview', { step: 'Finish', step_number: 2, total_steps: 2, next_step_required: false, findings: 'f', continuation_id: unknown });
    expect(review.isError).toBe(true);
    expect(textOf(review)).toContain(`No codereview workflow is in progress for continuation_id ${unknown}`);
    expect(sim.requests).toHaveLength(0);

    const id = ok(await chat({ prompt: 'THREAD-TOOL first', model: 'kimi-k2-turbo-preview' })).continuation_id;
    ok(await chat({ prompt: 'THREAD-TOOL second', model: 'glm-4.5-flash', continuation_id: id }));

    const listed = ok(await call('threads', {}));
    expect(listed.threads[0]).toMatchObject({ continuation_id: id, tool: 'chat', expired: false });
    const shown = ok(await call('threads', { action: 'show', continuation_id: id }));
    expect(shown.turns.map((turn: Structured) => [turn.role, turn.model ?? '-'])).toEqual([
      ['user', '-'],
      ['assistant', 'kimi-k2-turbo-preview'],
      ['user', '-'],
      ['assistant', 'glm-4.5-flash'],
    ]);
    expect(shown.turns[0].text).toBe('THREAD-TOOL first');
    expect(shown.turns[2].text).toBe('THREAD-TOOL second');

    expect(ok(await call('threads', { action: 'delete', continuation_id: id })).deleted).toBe(id);
    const gone = await chat({ prompt: 'Still there?', continuation_id: id });
    expect(gone.isError).toBe(true);
    expect(textOf(gone)).toContain(`continuation_id ${id} was not found or has expired`);
    const notShown = await call('threads', { action: 'show', continuation_id: id });
    expect(notShown.isError).toBe(true);
    expect(textOf(notShown)).toContain(`No thread ${id}`);
    expect(ok(await call('threads', {})).threads.map((thread: Structured) => thread.continuation_id)).not.toContain(id);
  });

  it('folders expand without node_modules or .git; binary and over-1 MB files are skipped with a note the model sees too', async () => {
    const project = folder();
    for (const sub of ['src', 'node_modules/lib', '.git']) mkdirSync(join(project, sub), { recursive: true });
    const main = sourceFile(join(project, 'src'), 'main.ts', 'MAIN-MARKER');
    const util = sourceFile(join(project, 'src'), 'util.ts', 'UTIL-MARKER');
    writeFileSync(join(project, 'node_modules/lib/index.js'), 'NODE-MODULES-MARKER\n');
    writeFileSync(join(project, '.git/config'), 'GIT-MARKER\n');
    const binary = join(project, 'logo.bin');
    writeFileSync(binary, Buffer.from([0x89, 0x00, 0x01, 0x02]));
    const huge = join(project, 'huge.log');
    writeFileSync(huge, 'x'.repeat(1024 * 1024 + 1));

    const result = await chat({ prompt: 'Review the project.', model: 'glm-4.6', files: [project] });
    const output = ok(result);
    const request = contentOf(lastBody('glm')['messages'].at(-1));
    expect(occurrences(request, `--- BEGIN FILE: ${main} `)).toBe(1);
    expect(occurrences(request, `--- BEGIN FILE: ${util} `)).toBe(1);
    expect(request).not.toContain('NODE-MODULES-MARKER');
    expect(request).not.toContain('GIT-MARKER');
    expect(request).not.toContain('node_modules');
    const binaryNote = `- ${binary}: binary file; only text files are embedded`;
    const hugeNote = `- ${huge}: 1048577 bytes is over the 1048576-byte limit (EXAI_MAX_FILE_BYTES)`;
    for (const note of [binaryNote, hugeNote]) {
      expect(request).toContain(note);
      expect(textOf(result)).toContain(note);
    }
    expect(output.metadata.warnings).toHaveLength(2);
  });

  it('a file of an earlier turn that is gone is noted, not fatal; bad paths fail by name and leave the thread as it was', async () => {
    const dir = folder();
    const gone = sourceFile(dir, 'gone.ts', 'GONE-MARKER');
    const id = ok(await chat({ prompt: 'Look at gone.ts.', model: 'glm-4.5-flash', files: [gone] })).continuation_id;
    unlinkSync(gone);

    const after = ok(await chat({ prompt: 'Is it still there?', model: 'glm-4.5-flash', continuation_id: id }));
    expect(contentOf(lastBody('glm')['messages'][1])).toContain(`Files not embedded:\n- ${gone}: no such file`);
    expect(after.metadata.warnings).toContain(`file not embedded: ${gone}: no such file`);

    const before = sim.requests.length;
    const missing = join(dir, 'missing.ts');
    const bad = await chat({ prompt: 'And these?', model: 'glm-4.5-flash', files: ['src/relative.ts', missing], continuation_id: id });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toContain('src/relative.ts: not an absolute path');
    expect(textOf(bad)).toContain(`${missing}: no such file`);
    expect(sim.requests).toHaveLength(before);
    ok(await chat({ prompt: 'Last one.', model: 'glm-4.5-flash', continuation_id: id }));
    expect(roles(lastBody('glm')).filter((role) => role === 'assistant')).toHaveLength(2);

    // Workflows name the field.
    const relative = await call('codereview', finalStep({ relevant_files: ['src/relative.ts'] }));
    expect(relative.isError).toBe(true);
    expect(textOf(relative)).toContain('relevant_files must hold absolute paths; relative: src/relative.ts');
    const absent = await call('codereview', finalStep({ relevant_files: [missing] }));
    expect(absent.isError).toBe(true);
    expect(textOf(absent)).toContain(`${missing}: no such file`);
    expect(sim.requests).toHaveLength(before + 1);
  });

  it('images: more than 5 are refused by name; a workflow expert that cannot see refuses them', async () => {
    const dir = folder();
    const six = Array.from({ length: 6 }, (_, index) => {
      const path = join(dir, `pixel-${index}.png`);
      writeFileSync(path, png);
      return path;
    });
    const image = six[0]!;
    for (const result of [
      await chat({ prompt: 'Compare these', model: 'glm-4.5v', images: six }),
      await call('thinkdeep', finalStep({ model: 'glm-4.5v', images: six })),
    ]) {
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/images/);
      expect(textOf(result)).toMatch(/5/);
    }
    const blind = await call('thinkdeep', finalStep({ model: 'kimi-k2-0905-preview', images: [image] }));
    expect(blind.isError).toBe(true);
    expect(textOf(blind)).toContain('kimi-k2-0905-preview cannot read images; use a vision model such as');
    expect(sim.requests).toHaveLength(0);

    // Five images to a vision expert are fine.
    const seen = ok(await call('thinkdeep', finalStep({ model: 'glm-4.5v', images: six.slice(0, 5) })));
    expect(seen.status).toBe('calling_expert_analysis');
    expect(lastBody('glm')['messages'][1].content.filter((part: Structured) => part['type'] === 'image_url')).toHaveLength(5);
  });
});
