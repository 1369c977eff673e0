import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parseBaseURLs, providerSimCli, spawnSimulator } from './spawn-simulator.js';
import { stopChild } from './stop-child.js';
import { waitForOutput } from './wait-for-output.js';

describe('parseBaseURLs', () => {
  it('finds both base URLs once both are printed', () => {
    expect(parseBaseURLs('GLM  http://127.0.0.1:4100/api/paas/v4\n')).toBeUndefined();
    expect(parseBaseURLs('GLM  http://127.0.0.1:4100/api/paas/v4\nKimi http://127.0.0.1:4100/v1\n')).toEqual({ glm: 'http://127.0.0.1:4100/api/paas/v4', kimi: 'http://127.0.0.1:4100/v1' });
  });
});

describe('waitForOutput and stopChild', () => {
  it('resolves with what the child printed, then stops it', async () => {
    const child = spawn(process.execPath, ['-e', "process.stdout.write('listening 4321\\n'); setInterval(() => {}, 1000)"], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await waitForOutput(child, (output) => /listening (\d+)/.exec(output)?.[1], { name: 'the child' });
    expect(port).toBe('4321');
    await stopChild(child, 5_000);
    expect(child.signalCode).toBe('SIGTERM');
    await stopChild(child);
  });

  it('rejects when the child exits first', async () => {
    const child = spawn(process.execPath, ['-e', "process.stdout.write('nope'); process.exit(3)"], { stdio: ['ignore', 'pipe', 'inherit'] });
    await expect(waitForOutput(child, () => undefined, { name: 'the child' })).rejects.toThrow(/the child exited with 3/);
  });
});

describe('spawnSimulator', () => {
  // Needs the built simulator (`npm run build`); skipped without it.
  (existsSync(providerSimCli) ? it : it.skip)('starts the built provider-sim and stops it', async () => {
    const sim = await spawnSimulator();
    try {
      expect(sim.glmBaseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/paas\/v4$/);
      expect(sim.kimiBaseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      expect((await fetch(`${sim.kimiBaseURL}/models`)).status).toBeLessThan(500);
    } finally {
      await sim.stop();
    }
  });
});
