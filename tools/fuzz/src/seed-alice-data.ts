import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolOutcome } from './clients/http-mcp-session.js';
import { NORMAL_MODEL, type FuzzRun } from './fuzz-run.js';

/** Alice's data, made before the hostile input and checked after it. */
export interface AliceData {
  /** A chat thread whose prompt holds {@link AliceData.marker}. */
  chatThread: string;
  /** A thinkdeep workflow paused after step 1. */
  workflowThread: string;
  /** Her upload of {@link AliceData.privateFile}: exai's stored file id and Kimi's file id. */
  storedFileId: string;
  kimiFileId: string;
  privateFile: string;
  /** In her prompt and her file: found in bob's answers, it proves a leak. */
  marker: string;
}

/** Alice makes a chat thread, a paused workflow and an upload (over `/mcp`, with her static token). */
export async function seedAliceData(run: FuzzRun): Promise<AliceData> {
  const marker = `ALICE-PRIVATE-${randomBytes(8).toString('hex')}`;
  const folder = join(run.fixtures.root, 'alice');
  mkdirSync(folder, { recursive: true });
  const privateFile = join(folder, 'private-notes.txt');
  writeFileSync(privateFile, `alice's private notes: ${marker}\n`);
  const session = await run.http(run.secrets.alice);
  try {
    const chat = expectResult(await session.callTool('chat', { prompt: `remember this: ${marker}`, model: NORMAL_MODEL }), 'chat');
    const workflow = expectResult(
      await session.callTool('thinkdeep', { step: `investigate ${marker}`, step_number: 1, total_steps: 3, next_step_required: true, findings: `alice's findings ${marker}` }),
      'thinkdeep',
    );
    const upload = expectResult(await session.callTool('kimi_upload_files', { files: [privateFile] }), 'kimi_upload_files');
    const file = (upload['files'] as Array<{ file_id?: string; stored_file_id?: string }> | undefined)?.[0];
    if (!file?.file_id || !file.stored_file_id) throw new Error(`alice's upload returned no ids: ${JSON.stringify(upload)}`);
    return {
      chatThread: String(chat['continuation_id']),
      workflowThread: String(workflow['continuation_id']),
      storedFileId: file.stored_file_id,
      kimiFileId: file.file_id,
      privateFile,
      marker,
    };
  } finally {
    await session.close();
  }
}

function expectResult(outcome: ToolOutcome, tool: string): Record<string, unknown> {
  const structured = outcome.result?.structuredContent;
  if (outcome.result?.isError || !structured) throw new Error(`alice's ${tool} call failed: ${outcome.text.slice(0, 300)}`);
  return structured;
}
