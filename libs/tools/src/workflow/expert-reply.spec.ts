import { describe, expect, it } from '@jest/globals';
import { parseExpertReply } from './expert-reply.js';

describe('parseExpertReply', () => {
  it.each([
    ['raw JSON', '{"status": "no_bug_found", "summary": "fine"}', { status: 'no_bug_found', summary: 'fine' }],
    ['fenced JSON after prose', 'Analysis:\n```json\n{"status": "analysis_complete", "n": 1}\n```\nThanks', { status: 'analysis_complete', n: 1 }],
    ['an unlabelled fence', '```\n{"status": "files_required_to_continue", "files_needed": ["a.ts"]}\n```', { status: 'files_required_to_continue', files_needed: ['a.ts'] }],
    ['JSON inside prose', 'Result: {"status": "test_sample_needed", "reason": "none"} — done', { status: 'test_sample_needed', reason: 'none' }],
    ['an object without status', '{"summary": "x"}', { status: 'analysis_complete', summary: 'x' }],
    ['JSON after a bracketed tag', '[CRITICAL] {"status": "analysis_complete", "severity": "high"}', { status: 'analysis_complete', severity: 'high' }],
  ])('reads %s', (_name, text, expected) => {
    expect(parseExpertReply(text)).toEqual(expected);
  });

  it.each([
    ['prose', '## Findings\n1. The cache never expires.'],
    ['broken JSON', '{"status": "analysis_complete", '],
    ['a JSON array', '[{"status": "x"}]'],
    ['a JSON string', '"just text"'],
  ])('keeps %s verbatim as raw_analysis', (_name, text) => {
    expect(parseExpertReply(text)).toEqual({ status: 'analysis_complete', raw_analysis: text.trim() });
  });
});
