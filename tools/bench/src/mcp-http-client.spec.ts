import { describe, expect, it } from '@jest/globals';
import { answerIn } from './mcp-http-client.js';

describe('answerIn', () => {
  it('finds the answer in a JSON body, a batch or an SSE stream', () => {
    expect(answerIn('{"jsonrpc":"2.0","id":3,"result":{"ok":true}}', 3)).toEqual({ jsonrpc: '2.0', id: 3, result: { ok: true } });
    expect(answerIn('[{"jsonrpc":"2.0","id":1,"result":1},{"jsonrpc":"2.0","id":2,"result":2}]', 2)).toMatchObject({ result: 2 });
    const sse = 'event: message\nid: a\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{}}\n\nevent: message\ndata: {"jsonrpc":"2.0","id":7,"result":{"content":[]}}\n\n';
    expect(answerIn(sse, 7)).toMatchObject({ id: 7, result: { content: [] } });
  });

  it('says so when the body holds no answer with that id', () => {
    expect(answerIn('data: {"jsonrpc":"2.0","id":1,"result":1}\n\n', 2).error).toMatchObject({ message: expect.stringContaining('no answer with id 2') });
  });
});
