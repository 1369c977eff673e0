import { describe, expect, it } from '@jest/globals';
import { classifyCall, OutcomeTally, toolErrorCode } from './call-outcome.js';

const answer = (message: { result?: unknown; error?: { code: number; message: string; data?: unknown } }) => ({ kind: 'answer' as const, elapsedMs: 1, ...message });
const toolText = (text: string, isError = false) => answer({ result: { isError, content: [{ type: 'text', text }] } });

describe('classifyCall', () => {
  it('reads a result as ok, with the provider and model of its metadata', () => {
    const call = classifyCall(answer({ result: { content: [{ type: 'text', text: 'hi' }], structuredContent: { continuation_id: 'c-1', metadata: { provider: 'kimi', model: 'kimi-k2-turbo-preview' } } } }));
    expect(call).toMatchObject({ class: 'ok', provider: 'kimi', model: 'kimi-k2-turbo-preview', continuationId: 'c-1' });
  });

  it('counts -32029 with retry_after_ms, and [over_capacity] tool errors, as capacity refusals', () => {
    expect(classifyCall(answer({ error: { code: -32029, message: 'over', data: { limit: 'rate_user', retry_after_ms: 200 } } }))).toMatchObject({ class: 'capacity', code: 'rate_user', retryAfterMs: 200, label: 'rpc -32029 rate_user' });
    expect(classifyCall(toolText('exai is over capacity. Retry in 2 s. [over_capacity]', true))).toMatchObject({ class: 'capacity', label: 'tool over_capacity' });
  });

  it('calls a refusal without its retry-after, an internal error or a code-less tool error unexplained', () => {
    expect(classifyCall(answer({ error: { code: -32029, message: 'over', data: { limit: 'rate_user' } } })).class).toBe('unexplained');
    expect(classifyCall(answer({ error: { code: -32603, message: 'Internal error' } })).class).toBe('unexplained');
    expect(classifyCall(toolText('something broke', true)).class).toBe('unexplained');
    expect(classifyCall(toolText('Internal error in chat: boom [internal_error]', true)).class).toBe('unexplained');
  });

  it('keeps other coded errors as clear errors', () => {
    expect(classifyCall(toolText('The connection to GLM failed: retry the call [provider_unavailable]', true))).toMatchObject({ class: 'clear_error', code: 'provider_unavailable' });
    expect(classifyCall(answer({ error: { code: -32000, message: 'the server shut down before the call finished', data: { retry_after_ms: 5000 } } }))).toMatchObject({ class: 'clear_error', retryAfterMs: 5000 });
  });

  it('calls a request without an answer lost', () => {
    expect(classifyCall({ kind: 'closed', code: 1006, reason: '', elapsedMs: 5 })).toMatchObject({ class: 'lost', label: 'closed 1006' });
    expect(classifyCall({ kind: 'timeout', elapsedMs: 5 }).class).toBe('lost');
  });
});

describe('toolErrorCode', () => {
  it('takes the bracketed code at the end only', () => {
    expect(toolErrorCode('a [b] c [quota_exhausted]')).toBe('quota_exhausted');
    expect(toolErrorCode('[quota_exhausted] and more')).toBeUndefined();
  });
});

describe('OutcomeTally', () => {
  it('counts by class and label, and keeps one example per failing label', () => {
    const tally = new OutcomeTally();
    tally.add(classifyCall(toolText('fine')));
    tally.add(classifyCall(answer({ error: { code: -32029, message: 'slow down', data: { limit: 'rate_ip', retry_after_ms: 10 } } })));
    tally.add(classifyCall(answer({ error: { code: -32029, message: 'slow down again', data: { limit: 'rate_ip', retry_after_ms: 10 } } })));
    tally.addLabel('not sent', 3);
    expect(tally.total).toBe(3);
    expect(tally.byClass).toMatchObject({ ok: 1, capacity: 2 });
    expect(tally.describe()).toBe('not sent 3, rpc -32029 rate_ip 2, ok 1');
    expect(tally.examples.get('rpc -32029 rate_ip')).toBe('slow down');
  });
});
