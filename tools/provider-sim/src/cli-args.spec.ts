import { describe, expect, it } from '@jest/globals';
import { parseCliArgs } from './cli-args.js';

describe('parseCliArgs', () => {
  it('reads port, host, latency and balance in both spellings', () => {
    expect(parseCliArgs([])).toEqual({ port: 4010 });
    expect(parseCliArgs(['--port', '0', '--host=0.0.0.0', '--latency', '25', '--kimi-balance=-1'])).toEqual({
      port: 0,
      host: '0.0.0.0',
      latencyMs: 25,
      kimiBalance: -1,
    });
    expect(parseCliArgs(['-h'])).toMatchObject({ help: true });
  });

  it('names the bad argument', () => {
    expect(() => parseCliArgs(['--port'])).toThrow('--port needs a non-negative number, got nothing');
    expect(() => parseCliArgs(['--latency', 'soon'])).toThrow('--latency needs a non-negative number, got soon');
    expect(() => parseCliArgs(['--verbose'])).toThrow('unknown argument --verbose');
  });
});
