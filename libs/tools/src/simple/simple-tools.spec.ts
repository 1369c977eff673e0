import { describe, expect, it } from '@jest/globals';
import { AuthenticationError } from '@exai/router/spec';
import { FakeRouter } from '../test-support/fake-router.js';
import { connectClient, fakeServerOptions } from '../test-support/tool-harness.js';
import { simpleTools } from './index.js';
import { glmAndKimi, SECRET_KEY, TroubledRouter } from './test-support/troubled-router.js';

describe('simple tools', () => {
  it('keep their definitions short and fully annotated', async () => {
    const { client, close } = await connectClient(fakeServerOptions({ tools: { profile: 'full' } }));
    const listed = new Map((await client.listTools()).tools.map((tool) => [tool.name, tool]));
    for (const definition of simpleTools) {
      const tool = listed.get(definition.name);
      expect(tool).toBeDefined();
      expect(tool!.title).toBeTruthy();
      // One sentence.
      expect(tool!.description).toMatch(/^[^.]+(\([^)]*\))?\.$/);
      expect(tool!.description!.length).toBeLessThanOrEqual(120);
      expect(tool!.outputSchema).toBeDefined();
      expect(tool!.annotations).toEqual(expect.objectContaining({ readOnlyHint: expect.any(Boolean), destructiveHint: expect.any(Boolean), openWorldHint: expect.any(Boolean) }));
      for (const property of Object.values(tool!.inputSchema.properties ?? {}) as Array<{ description?: string }>) {
        expect(property.description).toBeTruthy();
        expect(property.description!.length).toBeLessThanOrEqual(60);
      }
    }
    const size = Math.ceil(JSON.stringify([...listed.values()].filter((tool) => simpleTools.some((definition) => definition.name === tool.name))).length / 4);
    process.stderr.write(`simple tools in tools/list: ~${size} tokens\n`);
    expect(size).toBeLessThan(3_000);
    await close();
  });

  it('serve lean: listmodels, version, status, threads; standard adds challenge, activity, provider_capabilities', async () => {
    const names = async (profile: 'lean' | 'standard') => {
      const { client, close } = await connectClient(fakeServerOptions({ tools: { profile } }));
      const served = (await client.listTools()).tools.map((tool) => tool.name).filter((name) => simpleTools.some((tool) => tool.name === name));
      await close();
      return served;
    };
    expect(await names('lean')).toEqual(['listmodels', 'version', 'status', 'threads']);
    expect(await names('standard')).toEqual(['challenge', 'listmodels', 'version', 'status', 'activity', 'threads', 'provider_capabilities']);
  });

  it('never print a key, even when an error message quotes one', async () => {
    for (const router of [new FakeRouter(), new TroubledRouter()]) {
      const options = fakeServerOptions({ router, providers: glmAndKimi, vendors: { glm: [{ apiKey: SECRET_KEY }], kimi: [{ apiKey: SECRET_KEY }] }, tools: { profile: 'full' } });
      const { call, close } = await connectClient(options);
      router.failWith = new AuthenticationError({ provider: 'glm', status: 401, message: `invalid api_key=${SECRET_KEY}` });
      await call('chat', { prompt: 'hi', model: router.models[0]!.id });
      for (const definition of simpleTools) {
        const result = await call(definition.name, definition.name === 'challenge' ? { prompt: 'is this safe?' } : {});
        expect(result.isError).toBeFalsy();
        expect(JSON.stringify(result)).not.toContain(SECRET_KEY);
      }
      await close();
    }
  });
});
