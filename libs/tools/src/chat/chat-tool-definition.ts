import { fileAccessPolicyOf } from '../files/file-access.js';
import { defineTool } from '../tool-definition.js';
import { chatInputShape, chatOutputShape } from './chat-schema.js';
import { runChat } from './chat-tool.js';

/** `chat`: a second opinion, brainstorming or an explanation from a GLM or Kimi model. */
export const chatTool = defineTool({
  name: 'chat',
  title: 'Chat with GLM or Kimi',
  description:
    'Ask a GLM or Kimi model for a second opinion, brainstorming or an explanation. Pass files as absolute paths; reuse continuation_id to continue a conversation.',
  inputShape: chatInputShape,
  outputShape: chatOutputShape,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  profile: 'lean',
  run(input, context) {
    const deps = context.deps;
    return runChat(
      input,
      {
        router: deps.router,
        memory: deps.conversations,
        logger: context.logger,
        promptMaxChars: deps.limits.promptMaxChars,
        maxFileBytes: deps.limits.maxFileBytes,
        fileAccess: fileAccessPolicyOf(deps),
        session: deps.session,
        ...(deps.now ? { now: deps.now } : {}),
      },
      { signal: context.signal, progress: context.progress },
    );
  },
});
