import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RoutedCall } from '@exai/router';
import type { DaemonContext, Principal } from '../daemon-context.js';
import { BodyError, readJsonBody, sendJson } from '../http-helpers.js';
import { parseChatCompletionRequest, type ChatCompletionRequest } from './chat-completion-schema.js';
import { chatCompletionBody, completionId, exaiHeaders, overheadMs } from './chat-completion-response.js';
import type { GatewaySessions } from './gateway-sessions.js';
import { OpenAiError, openAiErrorFrom, openAiErrorFromRefusal, sendOpenAiError } from './openai-error.js';
import { GATEWAY_TOOL, recordGatewayCall } from './record-gateway-call.js';
import { streamChatCompletion } from './stream-chat-completion.js';
import { toChatRequest } from './to-chat-request.js';

/** Everything one chat completion request needs. */
export interface ChatCompletionExchange {
  context: DaemonContext;
  sessions: GatewaySessions;
  principal: Principal;
  ip: string;
  request: IncomingMessage;
  response: ServerResponse;
  /** `performance.now()` when the request arrived (for the overhead header). */
  startedAt: number;
}

/**
 * `POST /v1/chat/completions`: reads and validates the body (413, 400 naming the field), refuses
 * while draining (503) or over a rate limit (429 with `Retry-After`), then routes the call like any
 * tool's — `auto` or a named model, retries and fallbacks, the user's gateway session for the
 * router's per-session in-flight limit — streamed or not. The client going away aborts the upstream
 * request; the call counts as in flight for graceful shutdown; usage lands in the user's storage.
 */
export async function handleChatCompletion(exchange: ChatCompletionExchange): Promise<void> {
  const { context, principal, ip, request, response, startedAt } = exchange;
  // Listen from the start: a client that leaves while the body is read or limits are checked cancels too.
  const controller = new AbortController();
  const onClose = (): void => {
    if (!response.writableFinished) controller.abort(new Error('the client closed the connection'));
  };
  response.once('close', onClose);
  let stream = false;
  const fail = (error: OpenAiError): void => {
    sendOpenAiError(response, error);
    recordGatewayCall(context, principal, { status: error.status, stream, durationMs: performance.now() - startedAt, ...(error.code ? { errorCode: error.code } : {}) });
  };

  let body: ChatCompletionRequest;
  try {
    body = parseChatCompletionRequest(await readJsonBody(request, context.config.maxMessageBytes));
  } catch (error) {
    if (error instanceof BodyError) {
      if (error.closeConnection) response.setHeader('connection', 'close');
      fail(new OpenAiError({ status: error.status, message: error.message, type: 'invalid_request_error', code: error.status === 413 ? 'request_too_large' : 'invalid_json' }));
      return;
    }
    if (error instanceof OpenAiError) {
      fail(error);
      return;
    }
    throw error;
  }
  stream = body.stream === true;
  if (context.draining) {
    fail(openAiErrorFromRefusal(context.limits.refuseDraining('requests')));
    return;
  }
  const refusal = await context.limits.admitCall(principal, ip);
  if (refusal) {
    fail(openAiErrorFromRefusal(refusal));
    return;
  }

  const session = exchange.sessions.begin(principal, ip);
  const call: RoutedCall = { model: body.model, request: toChatRequest(body), task: { tool: GATEWAY_TOOL }, session: session.sessionId };
  const signal = AbortSignal.any([controller.signal, context.shutdownSignal]);
  try {
    await context.inFlight.track(() => (stream ? streamed(exchange, call, body, signal, controller.signal) : whole(exchange, call, signal, controller.signal)));
  } finally {
    session.end();
    response.off('close', onClose);
  }
}

/** A non-streamed completion. */
async function whole(exchange: ChatCompletionExchange, call: RoutedCall, signal: AbortSignal, clientGone: AbortSignal): Promise<void> {
  const { context, principal, response, startedAt } = exchange;
  try {
    const result = await context.exai.router.generate(call, { signal });
    const overhead = overheadMs(performance.now() - startedAt, result.attemptLog);
    const id = completionId();
    sendJson(response, 200, chatCompletionBody(result, { id, created: Math.floor(Date.now() / 1000), overheadMs: overhead }), { ...exaiHeaders(result, overhead), 'x-request-id': id });
    recordGatewayCall(context, principal, {
      status: 200,
      stream: false,
      durationMs: performance.now() - startedAt,
      model: result.model.id,
      provider: result.model.provider,
      usage: result.totalUsage,
      webSearchCalls: result.webSearchCalls,
      costUsd: result.costUsd,
    });
  } catch (error) {
    failed(exchange, error, false, clientGone);
  }
}

/** A streamed completion. */
async function streamed(exchange: ChatCompletionExchange, call: RoutedCall, body: ChatCompletionRequest, signal: AbortSignal, clientGone: AbortSignal): Promise<void> {
  const { context, principal, response, startedAt } = exchange;
  const id = completionId();
  let outcome;
  try {
    const routed = context.exai.router.streamWithMetadata(call, { signal });
    outcome = await streamChatCompletion({ response, routed, includeUsage: body.stream_options?.include_usage === true, id, created: Math.floor(Date.now() / 1000), startedAt, signal });
  } catch (error) {
    // Before the first token: nothing was written, so this is an ordinary HTTP error.
    failed(exchange, error, true, clientGone);
    return;
  }
  const { summary, error, facts } = outcome;
  const status = error ? (clientGone.aborted ? 499 : error.status) : 200;
  if (error && !clientGone.aborted) context.logger.warn({ err: error.cause ?? error, model: facts.model.id, user: principal.subject }, 'gateway stream failed after its first token');
  recordGatewayCall(context, principal, {
    status,
    stream: true,
    durationMs: performance.now() - startedAt,
    model: facts.model.id,
    provider: facts.model.provider,
    ...(summary ? { usage: summary.totalUsage, webSearchCalls: summary.webSearchCalls, costUsd: summary.costUsd } : {}),
    ...(error ? { errorCode: clientGone.aborted ? 'cancelled' : (error.code ?? 'error') } : {}),
  });
}

/** Answers a failed call (unless the client has gone) and accounts for it. */
function failed(exchange: ChatCompletionExchange, caught: unknown, stream: boolean, clientGone: AbortSignal): void {
  const { context, principal, response, startedAt } = exchange;
  const durationMs = performance.now() - startedAt;
  if (clientGone.aborted) {
    recordGatewayCall(context, principal, { status: 499, stream, durationMs, errorCode: 'cancelled' });
    return;
  }
  const error = openAiErrorFrom(caught);
  const level = error.status >= 500 && error.code !== 'cancelled' ? 'warn' : 'debug';
  context.logger[level]({ err: caught, status: error.status, code: error.code, user: principal.subject }, 'gateway request failed');
  sendOpenAiError(response, error);
  recordGatewayCall(context, principal, { status: error.status, stream, durationMs, ...(error.code ? { errorCode: error.code } : {}) });
}
