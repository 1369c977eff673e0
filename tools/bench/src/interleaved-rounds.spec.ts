import { describe, expect, it } from '@jest/globals';
import { addedLatency, roundLatency, runInterleavedRounds } from './interleaved-rounds.js';

describe('interleaved rounds', () => {
  it('gives every contender the same calls, in an order that rotates each round', async () => {
    const order: string[] = [];
    const contender = (name: string) => ({ name, call: async () => void order.push(name) });
    const samples = await runInterleavedRounds([contender('a'), contender('b'), contender('c')], { rounds: 3, callsPerRound: 2, warmup: 1 });
    expect(order.slice(0, 3)).toEqual(['a', 'b', 'c']);
    expect(order.slice(3).join('')).toBe('aabbcc' + 'bbccaa' + 'ccaabb');
    expect(samples.get('b')?.map((round) => round.length)).toEqual([2, 2, 2]);
  });

  it('takes the median of the round medians and of the round p99s', () => {
    expect(roundLatency([[1, 2, 3], [10, 20, 30], [4, 5, 6]])).toEqual({ calls: 9, p50Ms: 5, p99Ms: 6 });
  });

  it('pairs rounds to measure what a contender adds over the baseline', () => {
    const baseline = [[1, 1, 1], [5, 5, 5], [2, 2, 2]];
    const contender = [[2, 2, 3], [7, 7, 9], [3, 3, 4]];
    const added = addedLatency(contender, baseline);
    expect(added.p50Ms).toBe(1);
    expect(added.p99Ms).toBe(2);
    expect(added.p50IqrMs).toEqual([1, 2]);
  });
});
