import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { CategoryTally } from '../category-tally.js';
import { httpExchange } from '../clients/http-exchange.js';
import type { ToolOutcome } from '../clients/http-mcp-session.js';
import { NORMAL_MODEL, type FuzzRun } from '../fuzz-run.js';
import { isRefused, leakProblem } from '../judge.js';
import type { AliceData } from '../seed-alice-data.js';
import { checkAliceIntact } from './sql-injection-check.js';

/** One way bob reaches for alice's data: the call, given the id to use (hers, or a made-up one). */
interface Attempt {
  label: string;
  tool: string;
  args(id: string): Record<string, unknown>;
  /** Which of alice's ids it uses. */
  id: keyof Pick<AliceData, 'chatThread' | 'workflowThread' | 'storedFileId' | 'kimiFileId'>;
  /** A call that answers normally (a listing, a report) must just not act on or show alice's data. */
  listing?: boolean;
}

/**
 * Category 6: bob uses every tool that takes an id with alice's ids (her chat thread, her workflow,
 * her stored file, her Kimi file), over `/mcp`, `/ws` and the legacy protocol, and lists what he can
 * see. Each must be refused exactly as a made-up id of the same shape is (no existence oracle), and
 * no answer may carry alice's marker. Bob's token with alice's `/mcp` session gets 404. Afterwards
 * alice's data is intact.
 */
export async function checkCrossUser(run: FuzzRun, alice: AliceData): Promise<CategoryTally> {
  const tally = new CategoryTally('6. cross-user access by id');
  const downloads = join(run.fixtures.root, 'bob');
  const attempts: Attempt[] = [
    { label: 'chat continues her thread', tool: 'chat', id: 'chatThread', args: (id) => ({ prompt: 'what did I say before?', continuation_id: id, model: NORMAL_MODEL }) },
    { label: 'thinkdeep continues her workflow', tool: 'thinkdeep', id: 'workflowThread', args: (id) => ({ step: 'step 2', step_number: 2, total_steps: 3, next_step_required: true, findings: 'more', continuation_id: id }) },
    { label: 'thinkdeep final step on her workflow', tool: 'thinkdeep', id: 'workflowThread', args: (id) => ({ step: 'done', step_number: 3, total_steps: 3, next_step_required: false, findings: 'all', continuation_id: id, model: NORMAL_MODEL }) },
    { label: 'codereview on her workflow thread', tool: 'codereview', id: 'workflowThread', args: (id) => ({ step: 'review', step_number: 2, total_steps: 2, next_step_required: false, findings: 'f', continuation_id: id, model: NORMAL_MODEL }) },
    { label: 'consensus added to her thread', tool: 'consensus', id: 'chatThread', args: (id) => ({ step: 'proposal', models: [{ model: NORMAL_MODEL }, { model: 'kimi-k2-turbo-preview', stance: 'against' }], continuation_id: id }) },
    { label: 'planner on her thread', tool: 'planner', id: 'chatThread', args: (id) => ({ step: 'plan', step_number: 2, total_steps: 3, next_step_required: true, continuation_id: id }) },
    { label: 'smart_file_query continues her thread', tool: 'smart_file_query', id: 'chatThread', args: (id) => ({ file_path: run.fixtures.files.notes, question: 'and before?', continuation_id: id }) },
    { label: 'kimi_chat_with_files continues her thread', tool: 'kimi_chat_with_files', id: 'chatThread', args: (id) => ({ prompt: 'and before?', files: [run.fixtures.files.notes], continuation_id: id }) },
    { label: 'threads show', tool: 'threads', id: 'chatThread', args: (id) => ({ action: 'show', continuation_id: id }) },
    { label: 'threads show her workflow', tool: 'threads', id: 'workflowThread', args: (id) => ({ action: 'show', continuation_id: id }) },
    { label: 'threads delete', tool: 'threads', id: 'chatThread', args: (id) => ({ action: 'delete', continuation_id: id }) },
    { label: 'threads delete her workflow', tool: 'threads', id: 'workflowThread', args: (id) => ({ action: 'delete', continuation_id: id }) },
    { label: 'smart_file_download her stored file', tool: 'smart_file_download', id: 'storedFileId', args: (id) => ({ file_id: id, destination: `${downloads}/` }) },
    { label: 'smart_file_download by her Kimi file id', tool: 'smart_file_download', id: 'kimiFileId', args: (id) => ({ file_id: id, destination: `${downloads}/` }) },
    { label: 'kimi_chat_with_files with her file_ids', tool: 'kimi_chat_with_files', id: 'kimiFileId', args: (id) => ({ prompt: 'summarise', file_ids: [id] }) },
    { label: 'kimi_manage_files delete her file', tool: 'kimi_manage_files', id: 'kimiFileId', args: (id) => ({ operation: 'delete', file_ids: [id] }) },
    { label: 'kimi_manage_files delete her file, include_untracked', tool: 'kimi_manage_files', id: 'kimiFileId', args: (id) => ({ operation: 'delete', file_ids: [id], include_untracked: true }) },
    { label: 'kimi_manage_files delete her file, dry run', tool: 'kimi_manage_files', id: 'kimiFileId', args: (id) => ({ operation: 'delete', file_ids: [id], include_untracked: true, dry_run: true }) },
  ];
  const listings: Array<{ label: string; tool: string; args: Record<string, unknown> }> = [
    { label: 'kimi_manage_files list', tool: 'kimi_manage_files', args: { operation: 'list' } },
    { label: 'kimi_manage_files list, include_untracked', tool: 'kimi_manage_files', args: { operation: 'list', include_untracked: true } },
    { label: 'kimi_manage_files cleanup_orphaned, include_untracked (not a dry run)', tool: 'kimi_manage_files', args: { operation: 'cleanup_orphaned', include_untracked: true } },
    { label: 'kimi_manage_files cleanup_expired 0 days', tool: 'kimi_manage_files', args: { operation: 'cleanup_expired', unused_days: 0 } },
    { label: 'threads list', tool: 'threads', args: { action: 'list', limit: 100 } },
    { label: 'activity', tool: 'activity', args: { limit: 100 } },
    { label: 'status', tool: 'status', args: {} },
  ];
  const aliceIds = [alice.chatThread, alice.workflowThread, alice.storedFileId, alice.kimiFileId];
  const mentionsAlice = (outcome: ToolOutcome): string | undefined => {
    const text = `${outcome.text}\n${JSON.stringify(outcome.result?.structuredContent ?? {})}`;
    if (text.includes(alice.marker)) return "alice's marker is in bob's answer";
    const id = aliceIds.find((candidate) => text.includes(candidate));
    return id ? `alice's id ${id} is in bob's answer` : undefined;
  };

  const bob = {
    http: await run.http(run.secrets.bob),
    ws: await run.ws(run.secrets.bob),
    legacy: await run.legacy(run.secrets.bob),
  };
  try {
    // Before bob names alice's ids himself (his activity and errors would then echo them back).
    for (const listing of listings) {
      const outcome = await bob.http.callTool(listing.tool, listing.args);
      tally.check(outcome.failure ?? leakProblem(outcome.text) ?? mentionsAlice(outcome), `bob ${listing.label}`, 'shows nothing of alice');
    }
    for (const attempt of attempts) {
      const theirs = alice[attempt.id];
      const madeUp = lookalike(theirs);
      for (const face of ['http', 'ws', 'legacy'] as const) {
        // Every attempt over /mcp; the thread and file attempts over the WebSocket faces too.
        if (face !== 'http' && !['chat', 'threads', 'smart_file_download', 'kimi_manage_files'].includes(attempt.tool)) continue;
        const outcome = await bob[face].callTool(attempt.tool, attempt.args(theirs));
        const control = await bob[face].callTool(attempt.tool, attempt.args(madeUp));
        let problem = outcome.failure ?? leakProblem(outcome.text) ?? mentionsAliceExceptEcho(outcome, theirs, mentionsAlice);
        if (!problem && attempt.tool === 'kimi_manage_files') problem = manageProblem(outcome, theirs);
        else if (!problem && !isRefused(outcome)) problem = `not refused: ${outcome.text.slice(0, 200)}`;
        if (!problem && normalise(outcome, theirs) !== normalise(control, madeUp)) problem = `answered differently from a made-up id (existence oracle): "${normalise(outcome, theirs).slice(0, 160)}" vs "${normalise(control, madeUp).slice(0, 160)}"`;
        tally.check(problem, `bob ${attempt.label} (${face})`, 'refused as not found');
      }
    }
    // Kimi listings and cleanups again, after bob tried her file: still nothing of hers, nothing deleted.
    for (const listing of listings.filter((candidate) => candidate.tool === 'kimi_manage_files')) {
      const outcome = await bob.http.callTool(listing.tool, listing.args);
      tally.check(outcome.failure ?? leakProblem(outcome.text) ?? mentionsAlice(outcome), `bob ${listing.label} (after the attempts)`, 'shows nothing of alice');
    }
  } finally {
    await Promise.all([bob.http.close(), bob.ws.close(), bob.legacy.close()]);
  }

  // Bob's token on alice's /mcp session: the same 404 as an unknown session.
  const aliceSession = await run.http(run.secrets.alice);
  const hijack = await httpExchange(`${run.daemon.url}/mcp`, {
    headers: { ...aliceSession.headers(), authorization: `Bearer ${run.secrets.bob}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'threads', arguments: { action: 'list' } } }),
    timeoutMs: run.timeoutMs,
    scanner: run.scanner,
  });
  tally.check(hijack.status === 404 && !hijack.text.includes(alice.chatThread) ? undefined : `answered ${hijack.status}: ${hijack.text.slice(0, 160)}`, "bob's token on alice's /mcp session", 'HTTP 404');
  await aliceSession.close();

  await checkAliceIntact(run, alice, tally, 'after bob');
  return tally;
}

/** `kimi_manage_files` on alice's file: nothing deleted, nothing of hers shown. */
function manageProblem(outcome: ToolOutcome, id: string): string | undefined {
  if (outcome.result?.isError || outcome.rpcError) return undefined;
  const files = (outcome.result?.structuredContent?.['files'] as Array<{ file_id: string; action: string; filename?: string }> | undefined) ?? [];
  const entry = files.find((file) => file.file_id === id);
  if (entry && (entry.action === 'deleted' || entry.action === 'would_delete')) return `alice's Kimi file: ${entry.action}`;
  return undefined;
}

/** Like {@link mentionsAlice}, but an id bob sent himself may be echoed (an error naming what was asked for). */
function mentionsAliceExceptEcho(outcome: ToolOutcome, sent: string, mentionsAlice: (outcome: ToolOutcome) => string | undefined): string | undefined {
  const problem = mentionsAlice(outcome);
  return problem?.includes(sent) ? undefined : problem;
}

/** The answer with the id and volatile numbers (durations, times) blanked, to compare two answers. */
function normalise(outcome: ToolOutcome, id: string): string {
  const kind = outcome.rpcError ? 'rpc' : outcome.result?.isError ? 'error' : outcome.failure ? 'failure' : 'result';
  const structured = outcome.result?.structuredContent ? JSON.stringify(outcome.result.structuredContent) : '';
  return `${kind}: ${outcome.text}${structured}`
    .split(id)
    .join('<id>')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>')
    .replace(/\b\d+(\.\d+)? ?ms\b/g, '<ms>')
    .replace(/"duration_ms":\d+/g, '"duration_ms":0')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>');
}

/** A made-up id of the same shape as `id` (a UUID for a UUID, same prefix and length otherwise). */
function lookalike(id: string): string {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return randomUUID();
  const prefix = /^[a-z]+[-_]/i.exec(id)?.[0] ?? '';
  const rest = id.length - prefix.length;
  const alphabet = /^[0-9a-f]+$/.test(id.slice(prefix.length)) ? '0123456789abcdef' : 'abcdefghijklmnopqrstuvwxyz0123456789';
  return prefix + [...randomBytes(rest)].map((byte) => alphabet[byte % alphabet.length]).join('');
}
