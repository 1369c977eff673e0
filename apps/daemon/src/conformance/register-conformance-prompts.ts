import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { FIXTURE_PNG_BASE64 } from './conformance-media.js';

/** Values `arg1` of `test_prompt_with_arguments` completes to (completion-complete scenario). */
const argumentSuggestions = ['paris', 'park', 'party', 'test', 'testing'];

/**
 * The prompts of the conformance suite's `prompts-*` scenarios, and through the completable
 * `arg1` the `completions` capability and `completion/complete` handler of completion-complete.
 */
export function registerConformancePrompts(server: McpServer): void {
  server.registerPrompt('test_simple_prompt', { title: 'Simple prompt', description: 'Conformance fixture: a prompt without arguments.' }, () => ({
    messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }],
  }));

  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      title: 'Prompt with arguments',
      description: 'Conformance fixture: a prompt with two required arguments.',
      argsSchema: {
        arg1: completable(z.string().describe('First test argument'), (value) => argumentSuggestions.filter((suggestion) => suggestion.startsWith(value))),
        arg2: z.string().describe('Second test argument'),
      },
    },
    ({ arg1, arg2 }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } }] }),
  );

  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    { title: 'Prompt with an embedded resource', description: 'Conformance fixture: a prompt that embeds the resource it is given.', argsSchema: { resourceUri: z.string().describe('URI of the resource to embed') } },
    ({ resourceUri }) => ({
      messages: [
        { role: 'user', content: { type: 'resource', resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
        { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
      ],
    }),
  );

  server.registerPrompt('test_prompt_with_image', { title: 'Prompt with an image', description: 'Conformance fixture: a prompt with image content.' }, () => ({
    messages: [
      { role: 'user', content: { type: 'image', data: FIXTURE_PNG_BASE64, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
    ],
  }));
}
