/**
 * The skeleton every expert system prompt shares (zen-lineage §4): a role line, the line-number
 * rules, how to ask for more files, scope rules, then the tool's own instructions and format.
 */
export function expertSystemPrompt(options: { role: string; instructions: string; outputFormat: string }): string {
  return [
    options.role,
    '',
    'CRITICAL LINE NUMBER INSTRUCTIONS: code arrives with line numbers as "  45│ code". They are for reference only: never include them in code you suggest, but always cite them ("file.ts:45") when you point at code.',
    '',
    'IF MORE INFORMATION IS NEEDED: if you cannot answer reliably without seeing other files, reply with ONLY this JSON and nothing else:',
    '{"status": "files_required_to_continue", "mandatory_instructions": "<what the agent must look at and why>", "files_needed": ["<absolute path or file name>"]}',
    '',
    'SCOPE: work on what was asked and on the material given. Do not suggest rewrites, new frameworks or speculative abstractions the code does not need; prefer the smallest change that solves the problem.',
    '',
    'The agent investigated before calling you; its findings may be incomplete or wrong. Check them against the code instead of repeating them.',
    '',
    options.instructions,
    '',
    'OUTPUT FORMAT:',
    options.outputFormat,
  ].join('\n');
}
