import { randomUUID } from 'node:crypto';
import type { AuditRepository, RoutingDecisionRepository, SessionRepository, ToolCallRepository, UsageRepository } from '../storage.js';
import type {
  AuditEntry,
  NewAuditEntry,
  NewRoutingDecision,
  NewSession,
  NewToolCall,
  NewUsageEvent,
  RoutingDecisionRecord,
  SessionRecord,
  ToolCall,
  ToolCallFilter,
  ToolCallFinish,
  UsageEvent,
  UsageTotals,
} from '../storage-records.js';
import type { SupabaseGateway, UserScope } from './supabase-gateway.js';
import {
  AUDIT_COLUMNS,
  ROUTING_DECISION_COLUMNS,
  SESSION_COLUMNS,
  TOOL_CALL_COLUMNS,
  USAGE_COLUMNS,
  toAuditEntry,
  toRoutingDecision,
  toSession,
  toToolCall,
  toUsageEvent,
  toUsageTotals,
  type AuditRow,
  type RoutingDecisionRow,
  type SessionRow,
  type ToolCallRow,
  type UsageRow,
  type UsageTotalsRow,
} from './supabase-rows.js';
import { listLimit, requireText, requireUuid } from './supabase-validation.js';

// Records (audit, usage, routing decisions) are append-only for users under row-level security:
// every append is an insert that ignores a duplicate id (`Prefer: resolution=ignore-duplicates`),
// so a retried or replayed write is a no-op, and nothing here ever updates them.

/**
 * The audit trail of one user (`userId`), or of the service (`undefined`): the service appends for
 * any user or none and reads everything.
 */
export function createSupabaseAudit(db: SupabaseGateway, userId: string | undefined): AuditRepository {
  const audit = () => db.client.from('audit_logs');
  return {
    async append(entry: NewAuditEntry): Promise<void> {
      const row = {
        id: requireUuid(entry.id ?? randomUUID(), 'id'),
        // A user scope always records its own id, whatever the entry says.
        user_id: userId ?? (entry.userId === undefined ? null : requireUuid(entry.userId, 'userId')),
        action: requireText(entry.action, 'action'),
        resource: entry.resource,
        outcome: entry.outcome,
        ip: entry.ip,
        details: entry.details ?? {},
        created_at: entry.createdAt?.toISOString(),
      };
      await db.rows('audit.append', audit().upsert(row, { onConflict: 'id', ignoreDuplicates: true }));
    },

    async list(options: { action?: string; since?: Date; limit?: number } = {}): Promise<AuditEntry[]> {
      let query = audit().select(AUDIT_COLUMNS);
      if (userId !== undefined) query = query.eq('user_id', userId);
      if (options.action !== undefined) query = query.eq('action', options.action);
      if (options.since !== undefined) query = query.gte('created_at', options.since.toISOString());
      const rows = await db.rows<AuditRow>('audit.list', query.order('created_at', { ascending: false }).limit(listLimit(options.limit)));
      return rows.map(toAuditEntry);
    },
  };
}

/** Tokens and cost of one user's model calls. */
export function createSupabaseUsage({ db, ownerId }: UserScope): UsageRepository {
  const usage = () => db.client.from('usage_events');
  return {
    async append(event: NewUsageEvent): Promise<void> {
      const row = {
        id: requireUuid(event.id ?? randomUUID(), 'id'),
        user_id: ownerId,
        provider: event.provider,
        model: event.model,
        tool: event.tool,
        continuation_id: event.continuationId,
        input_tokens: event.usage.inputTokens,
        cached_input_tokens: event.usage.cachedInputTokens,
        output_tokens: event.usage.outputTokens,
        reasoning_tokens: event.usage.reasoningTokens,
        total_tokens: event.usage.totalTokens,
        web_search_calls: event.webSearchCalls ?? 0,
        cost_usd: event.costUsd,
        created_at: event.createdAt?.toISOString(),
      };
      await db.rows('usage.append', usage().upsert(row, { onConflict: 'id', ignoreDuplicates: true }));
    },

    async list(options: { since?: Date; limit?: number } = {}): Promise<UsageEvent[]> {
      let query = usage().select(USAGE_COLUMNS).eq('user_id', ownerId);
      if (options.since !== undefined) query = query.gte('created_at', options.since.toISOString());
      const rows = await db.rows<UsageRow>('usage.list', query.order('created_at', { ascending: false }).limit(listLimit(options.limit)));
      return rows.map(toUsageEvent);
    },

    async totalsByDay(options: { since: Date; until?: Date }): Promise<UsageTotals[]> {
      // Grouped by UTC day in SQL (`exai_usage_totals_by_day`): PostgREST has no GROUP BY of its own.
      const rows = await db.rows<UsageTotalsRow>(
        'usage.totalsByDay',
        db.client.rpc('exai_usage_totals_by_day', {
          p_user_id: ownerId,
          p_since: options.since.toISOString(),
          p_until: (options.until ?? new Date()).toISOString(),
        }),
      );
      return rows.map(toUsageTotals);
    },
  };
}

/** One user's tool calls. */
export function createSupabaseToolCalls({ db, ownerId }: UserScope): ToolCallRepository {
  const calls = () => db.client.from('tool_calls');
  return {
    async start(call: NewToolCall): Promise<string> {
      const id = requireUuid(call.id ?? randomUUID(), 'id');
      const row = {
        id,
        user_id: ownerId,
        tool: requireText(call.tool, 'tool'),
        status: 'running',
        session_id: call.sessionId,
        continuation_id: call.continuationId,
        started_at: call.startedAt?.toISOString(),
      };
      await db.rows('toolCalls.start', calls().upsert(row, { onConflict: 'id', ignoreDuplicates: true }));
      return id;
    },

    async finish(id: string, outcome: ToolCallFinish): Promise<void> {
      const changes = {
        status: outcome.status,
        duration_ms: outcome.durationMs === undefined ? undefined : Math.round(outcome.durationMs),
        provider: outcome.provider,
        model: outcome.model,
        continuation_id: outcome.continuationId,
        error_code: outcome.errorCode,
        error_message: outcome.errorMessage,
        finished_at: (outcome.finishedAt ?? new Date()).toISOString(),
      };
      await db.rows('toolCalls.finish', calls().update(changes).eq('id', requireUuid(id, 'id')).eq('user_id', ownerId));
    },

    async list(filter: ToolCallFilter = {}): Promise<ToolCall[]> {
      let query = calls().select(TOOL_CALL_COLUMNS).eq('user_id', ownerId);
      if (filter.tool !== undefined) query = query.eq('tool', filter.tool);
      if (filter.status !== undefined) query = query.eq('status', filter.status);
      if (filter.since !== undefined) query = query.gte('started_at', filter.since.toISOString());
      const rows = await db.rows<ToolCallRow>('toolCalls.list', query.order('started_at', { ascending: false }).limit(listLimit(filter.limit, 50, 500)));
      return rows.map(toToolCall);
    },
  };
}

/** One user's routing decisions. */
export function createSupabaseRoutingDecisions({ db, ownerId }: UserScope): RoutingDecisionRepository {
  const decisions = () => db.client.from('routing_decisions');
  return {
    async append(decision: NewRoutingDecision): Promise<void> {
      const row = {
        id: requireUuid(decision.id ?? randomUUID(), 'id'),
        user_id: ownerId,
        tool_call_id: decision.toolCallId === undefined ? undefined : requireUuid(decision.toolCallId, 'toolCallId'),
        tool: decision.tool,
        mode: decision.mode,
        category: decision.category,
        chosen_model: decision.chosenModel,
        chain: decision.chain ?? [],
        reasons: decision.reasons ?? [],
        rejected: decision.rejected ?? [],
        estimated_cost_usd: decision.estimatedCostUsd,
        created_at: decision.createdAt?.toISOString(),
      };
      await db.rows('routingDecisions.append', decisions().upsert(row, { onConflict: 'id', ignoreDuplicates: true }));
    },

    async list(options: { since?: Date; limit?: number } = {}): Promise<RoutingDecisionRecord[]> {
      let query = decisions().select(ROUTING_DECISION_COLUMNS).eq('user_id', ownerId);
      if (options.since !== undefined) query = query.gte('created_at', options.since.toISOString());
      const rows = await db.rows<RoutingDecisionRow>('routingDecisions.list', query.order('created_at', { ascending: false }).limit(listLimit(options.limit)));
      return rows.map(toRoutingDecision);
    },
  };
}

/** One user's MCP sessions. */
export function createSupabaseSessions({ db, ownerId }: UserScope): SessionRepository {
  const sessions = () => db.client.from('sessions');
  return {
    async open(session: NewSession): Promise<void> {
      const row = {
        id: requireText(session.id, 'id'),
        user_id: ownerId,
        transport: session.transport,
        client_name: session.clientName,
        client_version: session.clientVersion,
        ip: session.ip,
        replica: session.replica,
      };
      // Opening an open session again (a reconnect, a replay) keeps the first record.
      await db.rows('sessions.open', sessions().upsert(row, { onConflict: 'id', ignoreDuplicates: true }));
    },

    async seen(sessionId: string, at?: Date): Promise<void> {
      await db.rows('sessions.seen', sessions().update({ last_seen_at: (at ?? new Date()).toISOString() }).eq('id', sessionId).eq('user_id', ownerId));
    },

    async close(sessionId: string, at?: Date): Promise<void> {
      const when = (at ?? new Date()).toISOString();
      await db.rows('sessions.close', sessions().update({ ended_at: when, last_seen_at: when }).eq('id', sessionId).eq('user_id', ownerId));
    },

    async list(options: { open?: boolean; limit?: number } = {}): Promise<SessionRecord[]> {
      let query = sessions().select(SESSION_COLUMNS).eq('user_id', ownerId);
      if (options.open === true) query = query.is('ended_at', null);
      if (options.open === false) query = query.not('ended_at', 'is', null);
      const rows = await db.rows<SessionRow>('sessions.list', query.order('last_seen_at', { ascending: false }).limit(listLimit(options.limit)));
      return rows.map(toSession);
    },
  };
}
