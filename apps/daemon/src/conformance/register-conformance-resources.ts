import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { FIXTURE_PNG_BASE64 } from './conformance-media.js';

/** The URI of the resource clients may subscribe to. */
export const WATCHED_RESOURCE_URI = 'test://watched-resource';

/**
 * The resources of the conformance suite's `resources-*` scenarios: a text and a binary resource,
 * a template (`test://template/{id}/data`, with completion of `id`), and a resource clients may
 * subscribe to. Subscriptions are kept per server, that is per session; the watched resource never
 * changes, so no `notifications/resources/updated` is due.
 */
export function registerConformanceResources(server: McpServer): void {
  server.registerResource('static-text', 'test://static-text', { title: 'Static text', description: 'Conformance fixture: a text resource.', mimeType: 'text/plain' }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }],
  }));

  server.registerResource('static-binary', 'test://static-binary', { title: 'Static binary', description: 'Conformance fixture: a binary (PNG) resource.', mimeType: 'image/png' }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'image/png', blob: FIXTURE_PNG_BASE64 }],
  }));

  server.registerResource(
    'template',
    new ResourceTemplate('test://template/{id}/data', { list: undefined, complete: { id: (value) => ['1', '42', '123'].filter((id) => id.startsWith(value)) } }),
    { title: 'Template', description: 'Conformance fixture: a resource template whose content names its id.', mimeType: 'application/json' },
    (uri, variables) => {
      const id = String(variables['id']);
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }] };
    },
  );

  server.registerResource('watched-resource', WATCHED_RESOURCE_URI, { title: 'Watched resource', description: 'Conformance fixture: a resource clients may subscribe to.', mimeType: 'text/plain' }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'Watched resource content' }],
  }));

  // Before connect (the caller's contract): capabilities cannot change once a transport is attached.
  server.server.registerCapabilities({ resources: { subscribe: true } });
  const subscriptions = new Set<string>();
  server.server.setRequestHandler(SubscribeRequestSchema, (request) => {
    subscriptions.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscriptions.delete(request.params.uri);
    return {};
  });
}
