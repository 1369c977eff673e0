import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerConformancePrompts } from './register-conformance-prompts.js';
import { registerConformanceResources } from './register-conformance-resources.js';
import { registerConformanceTools } from './register-conformance-tools.js';

/**
 * Adds the fixtures of `@modelcontextprotocol/conformance`'s server scenarios to one session's
 * McpServer: the `test_*` tools, the `test://` resources (with subscriptions), the `test_*` prompts
 * and completions. Only with `EXAI_CONFORMANCE_FIXTURES=true` (tools/conformance sets it); never
 * in a deployment. Call it before the server is connected: it registers capabilities.
 */
export function registerConformanceFixtures(server: McpServer): void {
  registerConformanceTools(server);
  registerConformanceResources(server);
  registerConformancePrompts(server);
}
