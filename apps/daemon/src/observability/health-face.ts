import type { DaemonContext, DaemonFace } from '../daemon-context.js';
import { sendJson } from '../http-helpers.js';

/**
 * `/healthz` (the process answers), `/readyz` (storage usable, at least one provider configured,
 * not draining: 503 with the reasons otherwise) and `/metrics` (Prometheus).
 */
export function createHealthFace(context: DaemonContext): DaemonFace {
  context.metrics.describeDaemon({ version: context.version, replicaId: context.config.replicaId, startedAt: context.startedAt, draining: () => context.draining });
  return {
    name: 'health',
    async handleRequest(request, response, url) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return false;
      if (url.pathname === '/healthz') {
        sendJson(response, 200, { status: 'ok', service: 'exai-daemon', version: context.version, uptime_s: Math.round((Date.now() - context.startedAt.getTime()) / 1000) });
        return true;
      }
      if (url.pathname === '/readyz') {
        const storage = context.exai.storage.status();
        const providers = context.exai.providers.filter((provider) => provider.configured).map((provider) => provider.provider);
        const problems: string[] = [];
        if (context.draining) problems.push('draining: the server is shutting down');
        if (storage.state === 'down') problems.push(`storage (${storage.kind}) is down${storage.lastError ? `: ${storage.lastError}` : ''}`);
        if (providers.length === 0) problems.push('no provider is configured (set GLM_API_KEY or KIMI_API_KEY)');
        sendJson(response, problems.length === 0 ? 200 : 503, {
          status: problems.length === 0 ? 'ready' : 'not_ready',
          problems,
          storage: { kind: storage.kind, state: storage.state, journal_backlog: storage.journalBacklog },
          providers,
          draining: context.draining,
        });
        return true;
      }
      if (url.pathname === '/metrics') {
        const { contentType, body } = await context.metrics.render();
        response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        response.end(body);
        return true;
      }
      return false;
    },
  };
}
