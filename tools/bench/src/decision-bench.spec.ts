import { describe, expect, it } from '@jest/globals';
import { runDecisionBench } from './decision-bench.js';

describe('runDecisionBench', () => {
  it('times real auto decisions over the whole registry', () => {
    const result = runDecisionBench({ samples: 200, warmup: 20 });
    expect(result.samples).toBe(200);
    expect(result.models).toBe(19);
    expect(result.chosen).toBe('glm-4.5-flash');
    expect(result.p50Us).toBeGreaterThan(0);
    expect(result.p99Us).toBeGreaterThanOrEqual(result.p50Us);
  });
});
