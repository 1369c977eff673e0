import { describe, expect, it } from '@jest/globals';
import { benchSettings, SECTIONS, sized, sizedList } from './bench-settings.js';

describe('benchSettings', () => {
  it('runs every section at full size by default', () => {
    expect(benchSettings([], {})).toEqual({ quick: false, sections: [...SECTIONS] });
  });

  it('selects sections with BENCH_ONLY or --only, in run order', () => {
    expect(benchSettings([], { BENCH_ONLY: 'daemon' }).sections).toEqual(['daemon']);
    expect(benchSettings(['--only=tools-list,gateways'], {}).sections).toEqual(['gateways', 'tools-list']);
    expect(() => benchSettings([], { BENCH_ONLY: 'gateway' })).toThrow('unknown section gateway');
  });

  it('turns on the quick run with --quick or BENCH_QUICK', () => {
    expect(benchSettings(['--quick'], {}).quick).toBe(true);
    expect(benchSettings([], { BENCH_QUICK: '1' }).quick).toBe(true);
  });

  it('sizes from the environment first, then the quick or full default', () => {
    expect(sized({}, 'N', true, { quick: 2, full: 20 })).toBe(2);
    expect(sized({ N: '7' }, 'N', true, { quick: 2, full: 20 })).toBe(7);
    expect(sizedList({}, 'L', false, { quick: [1], full: [1, 16, 64] })).toEqual([1, 16, 64]);
    expect(sizedList({ L: '2,4' }, 'L', false, { quick: [1], full: [1] })).toEqual([2, 4]);
  });
});
