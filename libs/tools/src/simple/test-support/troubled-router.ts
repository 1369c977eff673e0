import type { KeyStatus, ModelAvailability, RouterStatus } from '@exai/router';
import { FakeRouter, fakeModel } from '../../test-support/fake-router.js';

type Breaker = KeyStatus['breaker'];

/** A breaker snapshot for tests. */
export function breaker(name: string, state: Breaker['state'] = 'closed', retryAfterMs?: number): Breaker {
  return { name, state, consecutiveFailures: state === 'closed' ? 0 : 5, windowRequests: 0, windowFailures: 0, retryAfterMs };
}

/**
 * A fake router with GLM and Kimi models and a status with trouble: `glm#1` open, `glm#2` out of
 * rotation, the model `glm-4.6` open, a queue on the Kimi bulkhead, and two sessions.
 */
export class TroubledRouter extends FakeRouter {
  override readonly models = [
    fakeModel('glm-4.6', { provider: 'glm', aliases: ['glm'], description: 'GLM flagship' }),
    fakeModel('glm-4.5-air', { provider: 'glm', description: 'GLM fast' }),
    fakeModel('kimi-k2', { provider: 'kimi', aliases: ['kimi'], contextWindow: 262_144, capabilities: { ...fakeModel('x').capabilities, partialMode: true }, description: 'Kimi K2' }),
    fakeModel('kimi-latest', { provider: 'kimi', description: 'Kimi latest' }),
  ];

  keys: KeyStatus[] = [
    { label: 'glm#1', provider: 'glm', inFlight: 0, breaker: breaker('glm#1', 'open', 12_000) },
    { label: 'glm#2', provider: 'glm', inFlight: 0, breaker: breaker('glm#2', 'isolated'), isolatedBy: 'quota_exhausted' },
    { label: 'kimi#1', provider: 'kimi', inFlight: 2, breaker: breaker('kimi#1') },
  ];

  override listModels(): ModelAvailability[] {
    return this.models.map((info) => (info.id === 'kimi-latest' ? { info, available: false, reason: 'not in KIMI_ALLOWED_MODELS' } : { info, available: true }));
  }

  override status(): RouterStatus {
    return {
      keys: this.keys,
      models: [breaker('glm-4.6', 'open', 30_000), breaker('glm-4.5-air'), breaker('kimi-k2')],
      bulkheads: [
        { scope: 'global', name: 'global', limit: 24, inFlight: 3, queued: 0, queueLimit: 100 },
        { scope: 'provider', name: 'kimi', limit: 2, inFlight: 2, queued: 1, queueLimit: 10 },
        { scope: 'session', name: 'session-mine', limit: 8, inFlight: 1, queued: 0, queueLimit: 10 },
        { scope: 'session', name: 'session-of-someone-else', limit: 8, inFlight: 2, queued: 0, queueLimit: 10 },
      ],
    };
  }
}

/** Provider summaries as the stdio app builds them. */
export const glmAndKimi = [
  { provider: 'glm', configured: true, baseUrl: 'https://api.z.ai/api/paas/v4' },
  { provider: 'kimi', configured: true, baseUrl: 'https://api.moonshot.ai/v1' },
];

/** A key-shaped secret; no tool output may ever contain it. */
export const SECRET_KEY = 'sk-THIS1IS2A3SECRET4KEY5VALUE6';
