import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallEvent } from '@exai/router';
import { AuthError } from '../auth/auth-error.js';
import type { DaemonContext, DaemonFace, Principal } from '../daemon-context.js';
import { clientIp, sendJson } from '../http-helpers.js';
import { dashboardPage } from './dashboard-page.js';
import { DashboardSampler } from './dashboard-sampler.js';
import { dashboardState, queuedCalls } from './dashboard-state.js';

/** How long a user's successful dashboard logins from one address are audited once (the page polls every 2 s). */
const auditSuccessEveryMs = 10 * 60_000;

/**
 * The team lead's dashboard: `GET /` and `/dashboard` serve a static page (public, holds no data),
 * `GET /api/dashboard` its data, authenticated like every API (Bearer token; anonymous when the
 * daemon allows it). Keeps a server-side history of samples (`EXAI_DASHBOARD_SAMPLE_MS`, 10 s) so
 * charts start with the last hour.
 * With `EXAI_DASHBOARD=false` it serves nothing (404).
 */
export function createDashboardFace(context: DaemonContext): DaemonFace {
  if (!context.config.dashboard) return { name: 'dashboard' };
  const router = context.exai.router;
  const intervalMs = context.config.dashboardSampleMs;
  const sampler = new DashboardSampler({
    intervalMs,
    // An hour of history (3,600 points at most, whatever the interval).
    capacity: Math.min(3600, Math.ceil(3_600_000 / intervalMs)),
    gauges: () => ({ inFlight: context.inFlight.count, queued: queuedCalls(router.status()), sessions: context.sessions.size }),
  });
  const unsubscribe = context.metrics.onCall((call) => sampler.recordCall(call));
  const onModelCall = (event: CallEvent) => sampler.recordCost(event.costUsd);
  router.events.on('call', onModelCall);
  sampler.start();
  const modelProvider = new Map(router.listModels().map((model) => [model.info.id, model.info.provider]));
  const page = dashboardPage();
  const audited = new Map<string, number>();

  const authenticate = async (request: IncomingMessage, response: ServerResponse): Promise<Principal | undefined> => {
    const ip = clientIp(request);
    try {
      const principal = await context.auth.authenticate(request);
      context.metrics.countAuth({ principal });
      const key = `${principal.subject}\u0000${ip}`;
      const last = audited.get(key);
      if (last === undefined || Date.now() - last > auditSuccessEveryMs) {
        if (audited.size > 1000) audited.clear();
        audited.set(key, Date.now());
        context.audit.record({ action: 'auth', outcome: 'success', userId: principal.userId, ip, resource: 'dashboard', details: { method: principal.method, subject: principal.subject } });
      }
      return principal;
    } catch (error) {
      if (!AuthError.isInstance(error)) throw error;
      context.metrics.countAuth({ error, presented: request.headers.authorization !== undefined });
      context.audit.record({ action: 'auth', outcome: 'failure', ip, resource: 'dashboard', details: { code: error.code } });
      sendJson(response, error.status, { error: { code: error.code, message: error.message } }, { 'www-authenticate': 'Bearer realm="exai"', 'x-content-type-options': 'nosniff' });
      return undefined;
    }
  };

  return {
    name: 'dashboard',
    async handleRequest(request, response, url) {
      const path = url.pathname;
      const isPage = path === '/' || path === '/dashboard' || path === '/dashboard/';
      if (!isPage && path !== '/api/dashboard') return false;
      const method = request.method ?? 'GET';
      if (method !== 'GET' && method !== 'HEAD') {
        // POST / belongs to nobody here; let the dispatcher answer 404 for it rather than claim the root.
        if (path === '/') return false;
        sendJson(response, 405, { error: { code: 'method_not_allowed', message: `${method} ${path}: use GET` } }, { allow: 'GET, HEAD' });
        return true;
      }
      const problem = context.checkOrigin(request);
      if (problem) {
        sendJson(response, 403, { error: { code: 'forbidden_origin', message: problem } });
        return true;
      }
      if (isPage) {
        response.writeHead(200, { ...page.headers, 'content-length': Buffer.byteLength(page.html) });
        response.end(method === 'HEAD' ? undefined : page.html);
        return true;
      }
      if (!(await authenticate(request, response))) return true;
      sendJson(response, 200, dashboardState(context, sampler, modelProvider), { 'x-content-type-options': 'nosniff' });
      return true;
    },
    async close() {
      sampler.stop();
      unsubscribe();
      router.events.off('call', onModelCall);
    },
  };
}
