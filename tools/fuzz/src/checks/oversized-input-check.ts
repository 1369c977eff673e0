import { randomBytes } from 'node:crypto';
import { CategoryTally } from '../category-tally.js';
import { httpExchange } from '../clients/http-exchange.js';
import { isRecord, type ToolOutcome } from '../clients/http-mcp-session.js';
import { MAX_MESSAGE_BYTES, NORMAL_MODEL, type FuzzRun } from '../fuzz-run.js';
import { leakProblem } from '../judge.js';

/** The prompt limit (`EXAI_PROMPT_MAX_CHARS`, default 60,000). */
const PROMPT_MAX_CHARS = 60_000;

/**
 * Category 3: input over the limits. A WebSocket frame over `EXAI_WS_MAX_BYTES` closes the socket
 * with 1009 and a reason (MCP and legacy); an HTTP body over it gets 413 (declared or streamed, on
 * `/mcp` and `/v1/chat/completions`); a prompt over 60,000 characters comes back as `resend_prompt`
 * (chat) or a refusal naming the limit (other tools), and is not sent upstream; the 2 MB file is
 * skipped with a note and not sent upstream. Frames and bodies just under the limit still work.
 */
export async function checkOversizedInput(run: FuzzRun): Promise<CategoryTally> {
  const tally = new CategoryTally('3. oversized frames, bodies, prompts and files');
  const { secrets } = run;
  const over = MAX_MESSAGE_BYTES + 4096;

  // WebSocket frames, MCP and legacy: under the limit answered, over it closed 1009 with a reason.
  for (const protocols of [['mcp'], []]) {
    const name = protocols.length > 0 ? '/ws (MCP)' : '/ws (legacy)';
    const session = protocols.length > 0 ? await run.ws(secrets.alice) : await run.legacy(secrets.alice);
    const under = protocols.length > 0 ? { jsonrpc: '2.0', id: 'under', method: 'ping', params: { _meta: { pad: 'x'.repeat(MAX_MESSAGE_BYTES - 200) } } } : { op: 'ping', request_id: 'under', pad: 'x'.repeat(MAX_MESSAGE_BYTES - 200) };
    session.peer.send(JSON.stringify(under));
    const answer = await session.peer.next((message) => isRecord(message) && (message['id'] === 'under' || message['request_id'] === 'under'), run.timeoutMs);
    tally.check(answer === undefined ? `a frame of ${MAX_MESSAGE_BYTES - 100} bytes (under the limit) was not answered` : undefined, `${name} frame under the limit`);
    session.peer.send(JSON.stringify({ jsonrpc: '2.0', id: 'over', method: 'ping', params: { pad: 'x'.repeat(over) } }));
    const close = await Promise.race([session.peer.closed, delay(run.timeoutMs)]);
    tally.check(
      !close ? 'still open after an oversized frame' : close.code !== 1009 ? `closed with ${close.code} "${close.reason}", not 1009` : close.reason.trim() === '' ? 'closed 1009 without a reason' : undefined,
      `${name} frame of ${over} bytes`,
      close ? `closed ${close.code}: ${close.reason}` : undefined,
    );
  }

  // HTTP bodies: declared (Content-Length) and streamed (chunked), on /mcp and /v1/chat/completions.
  const http = await run.http(secrets.alice);
  const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(over) } });
  for (const [path, headers] of [
    ['/mcp', http.headers()],
    ['/v1/chat/completions', { 'content-type': 'application/json', authorization: `Bearer ${secrets.alice}` }],
  ] as const) {
    for (const streamed of [false, true]) {
      const answer = await httpExchange(`${run.daemon.url}${path}`, { method: 'POST', headers, body: streamed ? streamOf(big) : big, timeoutMs: run.timeoutMs, scanner: run.scanner });
      const problem = answer.failure ? `no answer: ${answer.failure}` : answer.status !== 413 ? `answered ${answer.status}, not 413: ${answer.text.slice(0, 160)}` : leakProblem(answer.text);
      tally.check(problem, `POST ${path} body of ${big.length} bytes${streamed ? ' (chunked, no Content-Length)' : ''}`, `HTTP ${answer.status}`);
    }
  }

  // Prompts over 60,000 characters: resend_prompt or a refusal naming the limit, and nothing sent upstream.
  const longMarker = `EXAI-FUZZ-LONGPROMPT-${randomBytes(8).toString('hex')}`;
  run.wiretap.watch([{ label: 'long prompt marker', value: longMarker }]);
  const long = `${longMarker} ${'lorem ipsum dolor sit amet '.repeat(Math.ceil((PROMPT_MAX_CHARS + 100) / 27))}`;
  const ws = await run.ws(secrets.alice);
  const calls: Array<[string, string, Record<string, unknown>, (outcome: ToolOutcome) => string | undefined]> = [
    ['/mcp', 'chat', { prompt: long, model: NORMAL_MODEL }, resendPrompt],
    ['/ws', 'chat', { prompt: long, model: NORMAL_MODEL }, resendPrompt],
    ['/mcp', 'thinkdeep', { step: long, step_number: 1, total_steps: 1, next_step_required: false, findings: 'f' }, resendPrompt],
    ['/mcp', 'consensus', { step: long, models: [{ model: NORMAL_MODEL }, { model: 'kimi-k2-turbo-preview' }] }, resendPrompt],
    ['/mcp', 'kimi_chat_with_files', { prompt: long, files: [run.fixtures.files.notes] }, namesTheLimit],
    ['/mcp', 'smart_file_query', { file_path: run.fixtures.files.notes, question: long }, namesTheLimit],
    ['/mcp', 'challenge', { prompt: long }, namesTheLimit],
  ];
  for (const [face, tool, args, judge] of calls) {
    const outcome = face === '/ws' ? await ws.callTool(tool, args) : await http.callTool(tool, args);
    tally.check(outcome.failure ?? judge(outcome) ?? leakProblem(outcome.text), `${face} ${tool} with a ${long.length}-character prompt`, outcome.result?.isError ? 'refused (isError)' : 'resend_prompt');
  }
  const afterPrompts = await run.wiretap.report();
  tally.check(afterPrompts.counts['long prompt marker'] ? `the long prompt reached the provider ${afterPrompts.counts['long prompt marker']} time(s)` : undefined, 'long prompts never sent upstream');

  // The 2 MB file: skipped with a note, never sent upstream (chat files, workflow relevant_files, a folder holding it).
  const before = afterPrompts.counts['2 MB file marker'] ?? 0;
  const bigName = 'big.log';
  const fileCalls: Array<[string, Record<string, unknown>]> = [
    ['chat', { prompt: 'summarise the log', model: NORMAL_MODEL, files: [run.fixtures.files.big] }],
    ['chat', { prompt: 'summarise the folder', model: NORMAL_MODEL, files: [run.fixtures.root] }],
    ['codereview', { step: 'review', step_number: 1, total_steps: 1, next_step_required: false, findings: 'f', relevant_files: [run.fixtures.files.big, run.fixtures.files.code], model: NORMAL_MODEL }],
  ];
  for (const [tool, args] of fileCalls) {
    const outcome = await http.callTool(tool, args);
    const problem = outcome.failure ?? (outcome.result?.isError ? `refused instead of skipping: ${outcome.text.slice(0, 200)}` : !outcome.text.includes(bigName) && !JSON.stringify(outcome.result?.structuredContent ?? {}).includes(bigName) ? 'no note names the skipped file' : undefined);
    tally.check(problem, `${tool} with the 2 MB file (${JSON.stringify(Object.keys(args))})`, 'skipped with a note');
  }
  const afterFiles = await run.wiretap.report();
  const sent = (afterFiles.counts['2 MB file marker'] ?? 0) - before;
  tally.check(sent > 0 ? `the 2 MB file's content reached the provider ${sent} time(s)` : undefined, '2 MB file never sent upstream by chat or a workflow');
  await ws.close();
  await http.close();
  return tally;
}

function resendPrompt(outcome: ToolOutcome): string | undefined {
  const status = outcome.result?.structuredContent?.['status'];
  if (status === 'resend_prompt' || /resend_prompt/.test(outcome.text)) return undefined;
  return `no resend_prompt: ${outcome.text.slice(0, 200)}`;
}

function namesTheLimit(outcome: ToolOutcome): string | undefined {
  if (outcome.result?.structuredContent?.['status'] === 'resend_prompt') return undefined;
  if ((outcome.result?.isError || outcome.rpcError) && /60000|60,000|limit|EXAI_PROMPT_MAX_CHARS/.test(outcome.text)) return undefined;
  return `not refused with the limit named: ${outcome.text.slice(0, 200)}`;
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms));
}

/** A body streamed in 64 KiB pieces, so it goes out chunked, without a Content-Length. */
function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = Buffer.from(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 65_536));
      offset += 65_536;
    },
  });
}
