import { describe, expect, it } from '@jest/globals';
import { closeProblem, leakProblem, rpcShapeProblem } from './judge.js';

describe('judge', () => {
  it('flags stack traces, internal errors and database errors, and lets clear errors pass', () => {
    expect(leakProblem('TypeError: x\n    at run (/work/main/libs/tools/dist/a.js:10:5)')).toMatch(/stack trace/);
    expect(leakProblem('Internal error in chat: boom [internal_error]')).toMatch(/internal error/);
    expect(leakProblem('input: invalid byte sequence for encoding "UTF8": 0x00')).toMatch(/database error/);
    expect(leakProblem('syntax error at or near "DROP"')).toMatch(/database error/);
    expect(leakProblem('continuation_id x was not found or has expired [invalid_argument]')).toBeUndefined();
    expect(leakProblem('storage: pglite, up')).toBeUndefined();
  });

  it('accepts well-formed JSON-RPC and refuses -32603, malformed errors and non-messages', () => {
    expect(rpcShapeProblem({ jsonrpc: '2.0', id: 1, result: {} })).toBeUndefined();
    expect(rpcShapeProblem({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } })).toBeUndefined();
    expect(rpcShapeProblem({ jsonrpc: '2.0', method: 'notifications/message', params: {} })).toBeUndefined();
    expect(rpcShapeProblem({ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'oops' } })).toMatch(/-32603/);
    expect(rpcShapeProblem({ jsonrpc: '2.0', id: 1, error: { code: 'x', message: '' } })).toMatch(/malformed/);
    expect(rpcShapeProblem('text')).toMatch(/not a JSON-RPC object/);
  });

  it('wants a close code and a reason', () => {
    expect(closeProblem({ code: 1009, reason: 'message over the limit' })).toBeUndefined();
    expect(closeProblem({ code: 1007, reason: '' })).toMatch(/no reason/);
    expect(closeProblem({ code: 1006, reason: '' })).toMatch(/without a close frame/);
  });
});
