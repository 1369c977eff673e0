import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from '@jest/globals';
import { loggerOptions } from './create-logger.js';
import { REDACTED, redactLogFields } from './redact-log-fields.js';

/** A logger as createLogger builds it, writing its lines to an array. */
function capture(): { logger: pino.Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({ write: (chunk, _encoding, done) => (chunks.push(String(chunk)), done()) });
  const logger = pino(loggerOptions({ level: 'debug', app: 'test' }), stream);
  return { logger, lines: () => chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('redactLogFields', () => {
  it('replaces credentials at the top level and one level down, and authorization headers', () => {
    const fields = {
      token: 'tok-1',
      apiKey: 'key-0',
      settings: { apiKey: 'key-1', authorization: 'Bearer a', token: 'tok-2', model: 'glm-4.5' },
      headers: { Authorization: 'Bearer b', accept: 'json' },
      req: { headers: { authorization: 'Bearer c', host: 'x' }, url: '/mcp' },
    };
    expect(redactLogFields(fields)).toEqual({
      token: REDACTED,
      apiKey: REDACTED,
      settings: { apiKey: REDACTED, authorization: REDACTED, token: REDACTED, model: 'glm-4.5' },
      headers: { Authorization: REDACTED, accept: 'json' },
      req: { headers: { authorization: REDACTED, host: 'x' }, url: '/mcp' },
    });
    // The caller's objects are never changed.
    expect(fields.settings.apiKey).toBe('key-1');
    expect(fields.req.headers.authorization).toBe('Bearer c');
  });

  it('returns the same object when there is nothing to hide', () => {
    const fields = { tool: 'chat', attempts: [{ model: 'glm-4.5' }], tokens: { input: 3, output: 4 } };
    expect(redactLogFields(fields)).toBe(fields);
  });

  it('redacts an error that carries a credential, keeping its message and stack', () => {
    const error = Object.assign(new Error('refused'), { token: 'tok-3', headers: { authorization: 'Bearer d' } });
    const redacted = redactLogFields({ err: error }) as { err: Error & Record<string, unknown> };
    expect(redacted.err).toBeInstanceOf(Error);
    expect(redacted.err).toMatchObject({ message: 'refused', token: REDACTED, headers: { authorization: REDACTED } });
    expect(redacted.err.stack).toBe(error.stack);
    expect(error.token).toBe('tok-3');
    const plain = new Error('plain');
    expect(redactLogFields({ err: plain }).err).toBe(plain);
  });
});

describe('createLogger redaction', () => {
  it('keeps credentials out of every written line', () => {
    const { logger, lines } = capture();
    logger.info({ settings: { apiKey: 'sk-secret-1' }, token: 'tok-secret-2' }, 'configured');
    logger.child({ component: 'x' }).warn({ token: 'tok-secret-3', headers: { authorization: 'Bearer secret-4' } }, 'child');
    logger.error(Object.assign(new Error('upstream refused'), { token: 'tok-secret-5' }));
    logger.info({ tool: 'chat', tokens: { input: 1 } }, 'chat answered');
    const written = JSON.stringify(lines());
    for (const secret of ['sk-secret-1', 'tok-secret-2', 'tok-secret-3', 'secret-4', 'tok-secret-5']) expect(written).not.toContain(secret);
    const [configured, child, failed, answered] = lines();
    expect(configured).toMatchObject({ app: 'test', settings: { apiKey: REDACTED }, token: REDACTED, msg: 'configured' });
    expect(child).toMatchObject({ component: 'x', token: REDACTED, headers: { authorization: REDACTED }, msg: 'child' });
    expect(failed).toMatchObject({ err: { type: 'Error', message: 'upstream refused', token: REDACTED }, msg: 'upstream refused' });
    expect(answered).toMatchObject({ tool: 'chat', tokens: { input: 1 }, msg: 'chat answered' });
  });
});
