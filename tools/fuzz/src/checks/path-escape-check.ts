import { join } from 'node:path';
import { CategoryTally } from '../category-tally.js';
import type { HttpMcpSession, ToolOutcome } from '../clients/http-mcp-session.js';
import { NORMAL_MODEL, type FuzzRun } from '../fuzz-run.js';
import { isRefused, leakProblem } from '../judge.js';
import type { AliceData } from '../seed-alice-data.js';

/** A tool argument that takes paths: how to build the call around one path. */
interface PathField {
  name: string;
  args(path: string): Record<string, unknown>;
}

const VISION_MODEL = 'glm-4.5v';
const workflowTools = ['thinkdeep', 'debug', 'codereview', 'precommit', 'analyze', 'refactor', 'secaudit', 'testgen', 'tracer'];

/**
 * Category 2: path traversal and symlink escapes in every argument that takes a path: `../`,
 * encoded and backslashed traversal, absolute paths outside the root, `~/.ssh/id_rsa`, `.env`,
 * `/proc/self/environ`, a symlink inside the root to an outside file, a symlinked folder and paths
 * through it, NUL bytes, a dangling link. Each must be refused with an error that names the path.
 * Controls (an inside file through the same argument) must pass. Afterwards: the outside folder is
 * unchanged, and the wire tap saw none of the outside files' marker.
 */
export async function checkPathEscapes(run: FuzzRun, alice: AliceData): Promise<CategoryTally> {
  const tally = new CategoryTally('2. path traversal and symlink escapes');
  const { fixtures } = run;
  const { root, outside, home, files } = fixtures;
  const outsideBefore = fixtures.outsideListing();
  const reportBefore = await run.wiretap.report();

  const readPaths: Array<[string, string]> = [
    ['../ traversal', `${root}/../outside/secret.txt`],
    ['../ from a subfolder', `${root}/src/../../outside/secret.txt`],
    ['URL-encoded ../', `${root}/%2e%2e/outside/secret.txt`],
    ['URL-encoded slashes', `${root}/..%2f..%2foutside%2fsecret.txt`],
    ['backslash traversal', `${root}/..\\..\\outside\\secret.txt`],
    ['absolute, outside the root', files.outsideSecret],
    ['absolute, outside, nested', join(outside, 'nested', 'deep.txt')],
    ['/etc/passwd', '/etc/passwd'],
    ['/proc/self/environ (the daemon\'s keys)', '/proc/self/environ'],
    ['/proc/self/root prefix', `/proc/self/root${files.outsideSecret}`],
    ['~/.ssh/id_rsa', '~/.ssh/id_rsa'],
    ['$HOME/.ssh/id_rsa (inside the root)', join(home, '.ssh', 'id_rsa')],
    ['.env inside the root', files.env],
    ['.env outside the root', join(outside, '.env')],
    ['symlink to an outside file', files.linkToOutsideFile],
    ['symlinked folder', files.linkToOutsideDir],
    ['file through the symlinked folder', join(files.linkToOutsideDir, 'secret.txt')],
    ['nested through the symlinked folder', join(files.linkToOutsideDir, 'nested', 'deep.txt')],
    ['dangling symlink to outside', files.danglingLink],
    ['NUL byte then traversal', `${files.notes}\u0000/../../outside/secret.txt`],
    ['file:// URL', `file://${files.outsideSecret}`],
    ['the outside folder', `${root}/../outside`],
    ['two-dot leader lookalike', `${root}/\u2025/outside/secret.txt`],
    ['very long path', `${root}/${'a/'.repeat(3000)}x.txt`],
  ];
  const imagePaths: Array<[string, string]> = [
    ['outside image', join(outside, 'photo.png')],
    ['outside image through the symlinked folder', join(files.linkToOutsideDir, 'photo.png')],
    ['../ to an outside image', `${root}/../outside/photo.png`],
    ['/proc/self/environ as an image', '/proc/self/environ'],
  ];
  const folderPaths: Array<[string, string]> = [
    ['the outside folder', outside],
    ['../ to the outside folder', `${root}/../outside`],
    ['symlinked folder', files.linkToOutsideDir],
    ['/', '/'],
    ['~', '~'],
    ['$HOME/.ssh', join(home, '.ssh')],
  ];
  const workflowArgs = (tool: string, extra: Record<string, unknown>): Record<string, unknown> => ({
    step: 'look at these files',
    step_number: 1,
    total_steps: 1,
    next_step_required: false,
    findings: 'none yet',
    model: NORMAL_MODEL,
    ...(tool === 'tracer' ? { trace_mode: 'precision', target_description: 'the flow' } : {}),
    ...(tool === 'precommit' ? { path: run.fixtures.files.repo } : {}),
    ...extra,
  });
  const fields: Array<{ field: PathField; paths: Array<[string, string]>; control: string }> = [
    { field: { name: 'chat files', args: (path) => ({ prompt: 'read this', model: NORMAL_MODEL, files: [path] }) }, paths: readPaths, control: files.notes },
    { field: { name: 'chat images', args: (path) => ({ prompt: 'describe it', model: VISION_MODEL, images: [path] }) }, paths: [...imagePaths, ...readPaths.slice(0, 6)], control: files.image },
    ...workflowTools.map((tool) => ({ field: { name: `${tool} relevant_files`, args: (path: string) => workflowArgs(tool, { relevant_files: [path] }) }, paths: readPaths, control: files.code })),
    { field: { name: 'thinkdeep images', args: (path) => workflowArgs('thinkdeep', { images: [path] }) }, paths: imagePaths, control: files.image },
    { field: { name: 'refactor style_guide_examples', args: (path) => workflowArgs('refactor', { relevant_files: [files.code], style_guide_examples: [path] }) }, paths: readPaths.slice(0, 8), control: files.code },
    { field: { name: 'docgen relevant_files', args: (path) => ({ step: 'discover', step_number: 1, total_steps: 2, next_step_required: true, findings: 'f', num_files_documented: 0, total_files_to_document: 1, relevant_files: [path] }) }, paths: readPaths, control: files.code },
    { field: { name: 'consensus relevant_files', args: (path) => ({ step: 'proposal', models: [{ model: NORMAL_MODEL }, { model: 'kimi-k2-turbo-preview', stance: 'against' }], relevant_files: [path] }) }, paths: readPaths, control: files.code },
    { field: { name: 'precommit path', args: (path) => ({ step: 'check the changes', step_number: 1, total_steps: 2, next_step_required: true, findings: 'f', path }) }, paths: [...folderPaths, ...readPaths.slice(0, 6)], control: files.repo },
    { field: { name: 'kimi_upload_files files', args: (path) => ({ files: [path] }) }, paths: readPaths, control: files.notes },
    { field: { name: 'kimi_chat_with_files files', args: (path) => ({ prompt: 'what is in it?', files: [path] }) }, paths: readPaths, control: files.notes },
    { field: { name: 'smart_file_query file_path', args: (path) => ({ file_path: path, question: 'what is in it?' }) }, paths: readPaths, control: files.notes },
  ];

  const session = await run.http(run.secrets.alice);
  try {
    for (const { field, paths, control } of fields) {
      const ok = await session.callTool(field.name.split(' ')[0] as string, field.args(control));
      const controlProblem = ok.failure ?? (isRefused(ok) ? `an inside path was refused: ${ok.text.slice(0, 200)}` : undefined);
      tally.check(controlProblem, `${field.name} control (${control})`, 'control accepted');
      for (const [label, path] of paths) {
        const outcome = await session.callTool(field.name.split(' ')[0] as string, field.args(path));
        tally.check(refusalProblem(outcome, path), `${field.name} with ${label}`, 'refused, path named');
      }
    }
    await checkDestinations(run, session, alice, tally);
  } finally {
    await session.close();
  }

  const outsideAfter = fixtures.outsideListing();
  tally.check(outsideAfter.join() === outsideBefore.join() ? undefined : `the outside folder changed: ${outsideAfter.filter((entry) => !outsideBefore.includes(entry)).join(', ')}`, 'nothing written outside the root');
  const reportAfter = await run.wiretap.report();
  const leaked = Object.entries(reportAfter.counts).filter(([label, count]) => /outside|ssh|\.env/.test(label) && count > (reportBefore.counts[label] ?? 0));
  tally.check(leaked.length > 0 ? `sent upstream: ${leaked.map(([label, count]) => `${label} ×${count}`).join(', ')}` : undefined, 'no outside, ~/.ssh or .env content reached the provider');
  return tally;
}

/** `smart_file_download` destinations: writes outside the root, through links, onto secrets. */
async function checkDestinations(run: FuzzRun, session: HttpMcpSession, alice: AliceData, tally: CategoryTally): Promise<void> {
  const { root, outside, home, files } = run.fixtures;
  const control = await session.callTool('smart_file_download', { file_id: alice.storedFileId, destination: join(root, 'downloads') + '/' });
  tally.check(control.failure ?? (isRefused(control) ? `an inside destination was refused: ${control.text.slice(0, 200)}` : undefined), 'smart_file_download destination control', 'control accepted');
  const destinations: Array<[string, string, boolean]> = [
    ['outside folder', `${outside}/`, false],
    ['outside file', join(outside, 'stolen.txt'), false],
    ['../ traversal', `${root}/../outside/stolen.txt`, false],
    ['through the symlinked folder', join(files.linkToOutsideDir, 'stolen.txt'), false],
    ['the symlinked folder itself', files.linkToOutsideDir, true],
    ['onto a symlink to an outside file (overwrite)', files.linkToOutsideFile, true],
    ['onto a dangling link to outside', files.danglingLink, false],
    ['$HOME/.ssh/authorized_keys', join(home, '.ssh', 'authorized_keys'), true],
    ['.env in the root', files.env, true],
    ['~/', '~/', false],
    ['relative', 'downloads/x.txt', false],
    ['/tmp', '/tmp/exai-fuzz-escape.txt', false],
    ['NUL byte', `${root}/x.txt\u0000/../../outside/stolen.txt`, false],
  ];
  for (const [label, destination, overwrite] of destinations) {
    const outcome = await session.callTool('smart_file_download', { file_id: alice.storedFileId, destination, overwrite });
    tally.check(refusalProblem(outcome, destination), `smart_file_download destination ${label}${overwrite ? ' (overwrite)' : ''}`, 'refused, path named');
  }
}

/** Undefined when the call was refused with an error naming `path` (or its first 200 characters). */
function refusalProblem(outcome: ToolOutcome, path: string): string | undefined {
  if (outcome.failure) return `no answer: ${outcome.failure}`;
  if (!isRefused(outcome)) return `accepted: ${outcome.text.slice(0, 200)}`;
  const leak = leakProblem(outcome.text);
  if (leak) return leak;
  // A path with a NUL is named JSON-escaped (the error says which character it refused).
  if (!outcome.text.includes(path.slice(0, 200)) && !outcome.text.includes(JSON.stringify(path).slice(1, 200))) return `refused without naming the path: ${outcome.text.slice(0, 200)}`;
  return undefined;
}
