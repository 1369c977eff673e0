import type { Usage } from '@exai/router/spec';
import type { DaemonContext, Principal } from '../daemon-context.js';

/** The name gateway calls carry in usage records and the dashboard's recent calls. */
export const GATEWAY_TOOL = 'openai:chat.completions';

/** How one gateway request ended. */
export interface GatewayCallOutcome {
  /** HTTP status answered (499: the client went away first). */
  status: number;
  stream: boolean;
  durationMs: number;
  model?: string;
  provider?: string;
  /** Tokens summed over every attempt (what was billed), when a model answered. */
  usage?: Usage;
  webSearchCalls?: number;
  costUsd?: number;
  errorCode?: string;
}

/**
 * Accounts for one gateway request: `exai_gateway_requests_total`, the dashboard's recent calls and,
 * when a model answered, a usage event in the user's storage (tokens and cost, as tool calls record
 * theirs). Storage trouble is logged, never answered: the client already has its completion.
 */
export function recordGatewayCall(context: DaemonContext, principal: Principal, outcome: GatewayCallOutcome): void {
  context.metrics.gatewayRequests.inc({ status: String(outcome.status), stream: String(outcome.stream) });
  const status = outcome.status < 400 ? 'success' : outcome.status === 499 ? 'cancelled' : 'error';
  context.metrics.remember({
    at: Date.now(),
    tool: GATEWAY_TOOL,
    status,
    durationMs: Math.round(outcome.durationMs),
    ...(outcome.model ? { model: outcome.model } : {}),
    ...(outcome.provider ? { provider: outcome.provider } : {}),
    ...(outcome.costUsd === undefined ? {} : { costUsd: outcome.costUsd }),
    ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}),
  });
  if (!outcome.usage || !outcome.model || !outcome.provider) return;
  // Only the user's usage records: no conversation store is needed for them.
  context.exai.storage
    .forUser(principal.userId)
    .usage.append({
      provider: outcome.provider,
      model: outcome.model,
      tool: GATEWAY_TOOL,
      usage: outcome.usage,
      webSearchCalls: outcome.webSearchCalls ?? 0,
      costUsd: outcome.costUsd ?? 0,
    })
    .catch((error: unknown) => context.logger.warn({ err: error, user: principal.subject }, 'could not record the gateway call usage'));
}
