import type { Conversation } from '@exai/storage';
import { z } from 'zod';
import { StorageConversationStore } from '../conversation/storage-conversation-store.js';
import { defineTool, type ToolContext } from '../tool-definition.js';
import { ToolInputError } from '../tool-input-error.js';
import { clip } from './time-window.js';

/** Characters of each turn `show` returns; the whole turn stays in storage. */
const TURN_CHARS = 1_000;

/** Inputs of `threads`. */
export const threadsInputShape = {
  action: z.enum(['list', 'show', 'delete']).default('list').describe('list (default), show or delete'),
  continuation_id: z.string().optional().describe('The thread, for show and delete'),
  limit: z.number().int().min(1).max(100).optional().describe('Threads to list (20) or newest turns to show (10)'),
};

const threadShape = z.object({
  continuation_id: z.string(),
  tool: z.string().optional(),
  title: z.string().optional(),
  updated_at: z.string(),
  expires_at: z.string().optional(),
  expired: z.boolean(),
});

/** Structured output of `threads`. */
export const threadsOutputShape = {
  action: z.enum(['list', 'show', 'delete']),
  /** list: the caller's threads; show: the one shown. */
  threads: z.array(threadShape).optional(),
  /** show: the newest turns, oldest first. */
  turns: z.array(z.object({ role: z.string(), at: z.string(), model: z.string().optional(), text: z.string(), clipped: z.boolean() })).optional(),
  older_turns_omitted: z.boolean().optional(),
  deleted: z.string().optional(),
};

export type ThreadsOutput = z.infer<z.ZodObject<typeof threadsOutputShape>>;
type ThreadOutput = z.infer<typeof threadShape>;

function threadOutput(conversation: Conversation, now: Date): ThreadOutput {
  return {
    continuation_id: conversation.continuationId,
    ...(conversation.tool === undefined ? {} : { tool: conversation.tool }),
    ...(conversation.title === undefined ? {} : { title: conversation.title }),
    updated_at: conversation.updatedAt.toISOString(),
    ...(conversation.expiresAt === undefined ? {} : { expires_at: conversation.expiresAt.toISOString() }),
    expired: conversation.expiresAt !== undefined && conversation.expiresAt.getTime() <= now.getTime(),
  };
}

function requireContinuationId(value: string | undefined, action: string): string {
  const id = value?.trim();
  if (!id) throw new ToolInputError('continuation_id', `threads ${action} needs continuation_id; call threads without arguments to list yours`);
  return id;
}

const notFound = (id: string): ToolInputError =>
  new ToolInputError('continuation_id', `No thread ${id} among yours (it may have expired or been deleted); call threads without arguments to list yours`);

function describeThread(thread: ThreadOutput): string {
  const about = [thread.tool, thread.title ? `"${thread.title}"` : undefined].filter(Boolean).join(' ');
  return `${thread.continuation_id}${about ? ` ${about}` : ''} — updated ${thread.updated_at}${thread.expired ? ' (expired: cannot be continued)' : thread.expires_at ? `, expires ${thread.expires_at}` : ''}`;
}

async function listThreads(limit: number | undefined, context: ToolContext, now: Date): Promise<{ output: ThreadsOutput; text: string }> {
  const deps = context.deps;
  const threads = (await deps.storage.conversations.list({ limit: limit ?? 20 })).map((conversation) => threadOutput(conversation, now));
  // Threads of an in-process store never reach storage; say so rather than list nothing silently.
  const where = deps.conversations instanceof StorageConversationStore ? `Threads are kept ${deps.conversations.retention}.` : `This server keeps new threads ${deps.conversations.retention}; only stored threads are listed.`;
  const text = threads.length
    ? `Your threads, newest first:\n${threads.map((thread) => `- ${describeThread(thread)}`).join('\n')}\n\nContinue one by passing its continuation_id to chat or any other tool. ${where}`
    : `You have no stored threads. ${where}`;
  return { output: { action: 'list', threads }, text };
}

async function showThread(id: string, limit: number | undefined, context: ToolContext, now: Date): Promise<{ output: ThreadsOutput; text: string }> {
  const loaded = await context.deps.storage.conversations.loadThread(id, { maxMessages: limit ?? 10 });
  if (!loaded) throw notFound(id);
  const turns = loaded.messages.map((message) => {
    const { text, clipped } = clip(message.content, TURN_CHARS);
    return {
      role: message.role,
      at: message.createdAt.toISOString(),
      ...(message.model === undefined ? {} : { model: message.model }),
      text,
      clipped,
    };
  });
  const thread = threadOutput(loaded.conversation, now);
  const lines = [describeThread(thread), ...(loaded.truncated ? ['(older turns omitted)'] : [])];
  for (const turn of turns) lines.push('', `[${turn.at}] ${turn.role}${turn.model ? ` (${turn.model})` : ''}:`, turn.text);
  return { output: { action: 'show', threads: [thread], turns, older_turns_omitted: loaded.truncated }, text: lines.join('\n') };
}

async function deleteThread(id: string, context: ToolContext): Promise<{ output: ThreadsOutput; text: string }> {
  const storage = context.deps.storage;
  const conversation = await storage.conversations.get(id);
  if (!conversation || !(await storage.conversations.delete(id))) {
    // Someone else's id (or a guessed one) is worth an audit record; failing to write it must not hide the answer.
    await storage.audit.append({ action: 'threads.delete', outcome: 'failure', resource: `conversation ${id}`, details: { reason: 'not_found' } }).catch((error: unknown) => {
      context.logger.warn({ tool: 'threads', err: error }, 'could not record the audit entry');
    });
    throw notFound(id);
  }
  // Workflow state is keyed by continuation id and tool, with no foreign key to the thread.
  if (conversation.tool !== undefined) await storage.workflows.delete(id, conversation.tool);
  await storage.audit.append({ action: 'threads.delete', outcome: 'success', resource: `conversation ${id}`, ...(conversation.tool ? { details: { tool: conversation.tool } } : {}) });
  return { output: { action: 'delete', deleted: id }, text: `Deleted thread ${id} and its turns; its continuation_id no longer works.` };
}

/** `threads`: list, show and delete the caller's conversation threads, to find a continuation again. */
export const threadsTool = defineTool({
  name: 'threads',
  title: 'Conversation threads',
  description: 'List, show or delete your conversation threads, to find a continuation_id again.',
  inputShape: threadsInputShape,
  outputShape: threadsOutputShape,
  // The annotations describe the tool as a whole, and `delete` destroys a thread.
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  profile: 'lean',
  async run(input, context) {
    const now = context.deps.now?.() ?? new Date();
    const { output, text } =
      input.action === 'show'
        ? await showThread(requireContinuationId(input.continuation_id, 'show'), input.limit, context, now)
        : input.action === 'delete'
          ? await deleteThread(requireContinuationId(input.continuation_id, 'delete'), context)
          : await listThreads(input.limit, context, now);
    return { content: [{ type: 'text', text }], structuredContent: output };
  },
});
