import { z } from 'zod';

/**
 * Frames of the original daemon's WebSocket protocol (original-system.md §4), as its clients send
 * them. Unknown fields are ignored, as the original did.
 */
const requestId = z.union([z.string().min(1).max(256), z.number().int()]);
const toolArguments = z.record(z.string(), z.unknown()).optional();

/** A request id as clients send it (a string, or a number). */
export type LegacyRequestId = z.infer<typeof requestId>;

export const legacyFrameSchemas = {
  hello: z.object({ request_id: requestId.optional(), token: z.string().optional(), jwt: z.string().optional(), session_id: z.string().optional() }),
  list_tools: z.object({ request_id: requestId.optional() }),
  call_tool: z.object({ request_id: requestId, name: z.string().min(1).max(256), arguments: toolArguments }),
  tool_call: z.object({ request_id: requestId, tool: z.object({ name: z.string().min(1).max(256) }), arguments: toolArguments }),
  cancel: z.object({ request_id: requestId }),
  ping: z.object({ request_id: requestId.optional() }),
  rotate_token: z.object({ request_id: requestId.optional(), old: z.string().optional(), new: z.string().min(1) }),
} as const;

/** The ops a client may send. */
export type LegacyOp = keyof typeof legacyFrameSchemas;

export function isLegacyOp(op: string): op is LegacyOp {
  return Object.hasOwn(legacyFrameSchemas, op);
}

/** A client-provided `session_id`: 3–64 characters of `[A-Za-z0-9_-]` (the original's rule). */
export const legacySessionIdPattern = /^[A-Za-z0-9_-]{3,64}$/;

/** Error codes of the original protocol, kept so its clients' handling still applies. */
export type LegacyErrorCode =
  | 'INVALID_REQUEST'
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'TIMEOUT'
  | 'VALIDATION_ERROR'
  | 'OVER_CAPACITY'
  | 'INTERNAL_ERROR'
  | 'SERVICE_UNAVAILABLE'
  | 'TOOL_NOT_FOUND'
  | 'TOOL_EXECUTION_ERROR';

/**
 * An error frame. Unlike the original, it always carries `op` and `request_id` (also inside
 * `error`, where the original put it), so a client can match it to its request.
 */
export function legacyErrorFrame(requestId: LegacyRequestId | null, code: LegacyErrorCode, message: string, retryAfterMs?: number): Record<string, unknown> {
  return {
    op: 'error',
    request_id: requestId,
    error: { code, message, request_id: requestId, ...(retryAfterMs === undefined ? {} : { retry_after_ms: retryAfterMs }) },
  };
}

/** The fields zod found wrong, in one line. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'frame'}: ${issue.message}`).join('; ');
}

/** The `request_id` of a frame that failed validation, when it has a usable one. */
export function requestIdOf(frame: Record<string, unknown>): LegacyRequestId | null {
  const parsed = requestId.safeParse(frame['request_id']);
  return parsed.success ? parsed.data : null;
}
