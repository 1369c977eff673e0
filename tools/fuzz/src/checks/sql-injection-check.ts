import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolInfo } from '../arbitraries/fuzz-message.js';
import { quickSqlInjectionCorpus, sqlInjectionCorpus } from '../arbitraries/hostile-values.js';
import type { JsonSchema } from '../arbitraries/schema-arguments.js';
import { CategoryTally } from '../category-tally.js';
import type { ToolOutcome } from '../clients/http-mcp-session.js';
import { NORMAL_MODEL, type FuzzRun } from '../fuzz-run.js';
import { leakProblem } from '../judge.js';
import type { AliceData } from '../seed-alice-data.js';

/** Sessions calling at the same time. */
const WORKERS = 3;
/** A call slower than this with `pg_sleep` in it suggests the sleep ran. */
const SLEEP_SUSPICION_MS = 8_000;

/**
 * Category 5: SQL injection strings in every text field of every tool (prompts, steps, findings,
 * continuation ids, thread actions, activity filters, model names, file ids, paths), as alice, plus
 * file names made of injection strings (upload, download, query). Each call must end in a clear
 * error or a normal result, quickly (a `pg_sleep` that ran would show), and without a database
 * error in the answer. Afterwards alice's threads, workflow, stored file and activity are intact and
 * a continuation still works: the tables are there and nothing was dropped.
 */
export async function checkSqlInjection(run: FuzzRun, tools: readonly ToolInfo[], alice: AliceData): Promise<CategoryTally> {
  const tally = new CategoryTally('5. SQL injection strings in every text field');
  const corpus = run.options.sqlStrings === 'quick' ? quickSqlInjectionCorpus : sqlInjectionCorpus;
  const cases: Array<{ tool: string; field: string; args: Record<string, unknown>; text: string }> = [];
  for (const tool of tools) {
    const base = baseArguments(tool, run, alice);
    for (const [field, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
      const kind = stringKind(schema);
      if (!kind) continue;
      for (const text of corpus) cases.push({ tool: tool.name, field, args: { ...base, [field]: kind === 'array' ? [text] : text }, text });
    }
  }
  // Thread actions and filters with injection strings where they are ids, and file names made of them.
  const downloads = join(run.fixtures.root, 'downloads');
  for (const text of corpus) {
    cases.push({ tool: 'threads', field: 'show continuation_id', args: { action: 'show', continuation_id: text }, text });
    cases.push({ tool: 'threads', field: 'delete continuation_id', args: { action: 'delete', continuation_id: text }, text });
    cases.push({ tool: 'smart_file_download', field: 'destination file name', args: { file_id: alice.storedFileId, destination: join(downloads, `${text.replaceAll('/', '_').replaceAll('\u0000', '_')}.txt`) }, text });
  }
  cases.push({ tool: 'kimi_upload_files', field: 'file name', args: { files: [run.fixtures.files.sqlNamed] }, text: 'file name' });
  cases.push({ tool: 'smart_file_query', field: 'file name', args: { file_path: run.fixtures.files.sqlNamed, question: 'what is in it?' }, text: 'file name' });
  cases.push({ tool: 'kimi_chat_with_files', field: 'file name', args: { prompt: 'what is in it?', files: [run.fixtures.files.sqlNamed] }, text: 'file name' });

  const queue = [...cases];
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      const session = await run.http(run.secrets.alice);
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        const started = performance.now();
        const outcome = await session.callTool(item.tool, item.args);
        const ms = performance.now() - started;
        const problem = outcome.failure ? `no answer: ${outcome.failure}` : (leakProblem(outcome.text) ?? (/pg_sleep/.test(item.text) && ms > SLEEP_SUSPICION_MS ? `took ${Math.round(ms)} ms: the sleep may have run` : undefined));
        tally.check(problem, `${item.tool}.${item.field} = ${JSON.stringify(item.text)}`, outcome.rpcError ? 'JSON-RPC error' : outcome.result?.isError ? 'tool error' : 'normal result');
      }
      await session.close();
    }),
  );
  tally.check(existsSync('/tmp/exai-fuzz-pwned') ? 'COPY … TO PROGRAM ran: /tmp/exai-fuzz-pwned exists' : undefined, 'no command ran through COPY … PROGRAM');
  await checkAliceIntact(run, alice, tally, 'after the SQL injection strings');
  return tally;
}

/** `string` or `array` (of strings) when the field takes text, else undefined. */
function stringKind(schema: JsonSchema): 'string' | 'array' | undefined {
  if (schema.type === 'string') return 'string';
  if (schema.type === 'array' && schema.items?.type === 'string') return 'array';
  if (schema.anyOf?.some((option) => option.type === 'string')) return 'string';
  return undefined;
}

/** Arguments that pass validation, so an injected field is the only odd one. */
function baseArguments(tool: ToolInfo, run: FuzzRun, alice: AliceData): Record<string, unknown> {
  const { files, root } = run.fixtures;
  const known: Record<string, unknown> = {
    prompt: 'a short question',
    step: 'one step',
    findings: 'nothing yet',
    step_number: 1,
    total_steps: 1,
    next_step_required: false,
    num_files_documented: 0,
    total_files_to_document: 1,
    file_path: files.notes,
    question: 'what is in it?',
    file_id: alice.storedFileId,
    destination: join(root, 'downloads') + '/',
    files: [files.notes],
    query: 'exai fuzz',
    operation: 'list',
    messages: 'hello',
    models: [{ model: NORMAL_MODEL }, { model: 'kimi-k2-turbo-preview', stance: 'against' }],
  };
  const args: Record<string, unknown> = {};
  const properties = tool.inputSchema.properties ?? {};
  for (const name of tool.inputSchema.required ?? []) {
    const schema = properties[name] ?? {};
    args[name] = known[name] ?? schema.enum?.[0] ?? (schema.type === 'string' ? 'text' : schema.type === 'boolean' ? false : schema.type === 'array' ? [] : 1);
  }
  if ('model' in properties && tool.name !== 'kimi_chat_with_files' && tool.name !== 'kimi_chat_with_tools' && tool.name !== 'kimi_intent_analysis') args['model'] = NORMAL_MODEL;
  // What some tools need beyond their schema's required fields to get past their own checks.
  if ('relevant_files' in properties) args['relevant_files'] = [files.code];
  if ('models' in properties) args['models'] = known['models'];
  if (tool.name === 'precommit') args['path'] = files.repo;
  return args;
}

/**
 * Alice's data is all there: her threads listed and shown with their turns, her workflow continues,
 * her stored file downloads, her activity lists calls, and a chat continues her thread.
 */
export async function checkAliceIntact(run: FuzzRun, alice: AliceData, tally: CategoryTally, when: string): Promise<void> {
  const session = await run.http(run.secrets.alice);
  try {
    const expect = async (label: string, tool: string, args: Record<string, unknown>, ok: (outcome: ToolOutcome) => boolean): Promise<void> => {
      const outcome = await session.callTool(tool, args);
      tally.check(outcome.failure ?? (outcome.result?.isError || outcome.rpcError || !ok(outcome) ? `${outcome.text.slice(0, 240)}` : undefined), `alice's ${label} ${when}`, 'intact');
    };
    const structured = (outcome: ToolOutcome): string => JSON.stringify(outcome.result?.structuredContent ?? {});
    await expect('threads listed', 'threads', { action: 'list', limit: 100 }, (outcome) => /continuation|thread/i.test(outcome.text));
    await expect('chat thread shown with her prompt', 'threads', { action: 'show', continuation_id: alice.chatThread }, (outcome) => outcome.text.includes(alice.marker) || structured(outcome).includes(alice.marker));
    await expect('workflow thread shown', 'threads', { action: 'show', continuation_id: alice.workflowThread }, (outcome) => outcome.text.includes('thinkdeep'));
    await expect('workflow continued', 'thinkdeep', { step: 'go on', step_number: 2, total_steps: 3, next_step_required: true, findings: 'more findings', continuation_id: alice.workflowThread }, (outcome) => structured(outcome).includes(alice.workflowThread));
    await expect('activity', 'activity', { limit: 50 }, (outcome) => /chat|thinkdeep/.test(outcome.text));
    await expect('stored file', 'smart_file_download', { file_id: alice.storedFileId, destination: join(run.fixtures.root, 'alice', `check-${Date.now()}.txt`) }, () => true);
    await expect('chat continuation', 'chat', { prompt: 'continue please', continuation_id: alice.chatThread, model: NORMAL_MODEL }, (outcome) => outcome.text.includes('You said'));
    await expect('Kimi upload record', 'kimi_manage_files', { operation: 'list' }, (outcome) => structured(outcome).includes(alice.kimiFileId));
  } finally {
    await session.close();
  }
}
