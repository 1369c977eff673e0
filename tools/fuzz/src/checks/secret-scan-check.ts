import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CategoryTally } from '../category-tally.js';
import type { FuzzRun } from '../fuzz-run.js';
import type { WiretapReport } from '../spawn-wiretap.js';

/** The places the scan covers, as they appear in the scanner's sources. */
const SCANNED = ['daemon stderr', 'daemon stdout', 'daemon log file', 'health file', 'data folder', 'HTTP responses', 'WebSocket frames and close reasons', 'upstream requests'];

/**
 * Category 7: no API key, token, JWT secret or planted marker anywhere it must not be: the daemon's
 * stderr, stdout and log file (EXAI_LOG_FILE, LOG_LEVEL=debug), its health file, its data folder
 * (PGlite, journal), every response body, header, frame and close reason collected during the run,
 * and (tokens, secret and markers only: the keys go upstream by design) every request sent upstream.
 * Call after the daemon has stopped, so its files are complete.
 */
export async function checkSecrets(run: FuzzRun, upstream: WiretapReport): Promise<CategoryTally> {
  const tally = new CategoryTally('7. secrets in logs, results and upstream');
  const { scanner, fixtures } = run;
  await scanFile(run, 'daemon log file', fixtures.logFile);
  const healthFile = join(fixtures.work, 'logs', 'ws_daemon.health.json');
  if (existsSync(healthFile)) await scanFile(run, 'health file', healthFile);
  for (const file of filesUnder(fixtures.dataDir)) await scanFile(run, 'data folder', file);
  // Whole-file uploads may carry the 2 MB file (the Kimi files API takes up to 100 MB); that it is never
  // embedded into a prompt is checked by category 3, around the calls that must skip it.
  const hits = [...scanner.hits, ...upstream.hits.filter((hit) => !hit.label.startsWith('2 MB file marker'))];
  const cases = scanner.needleCount * SCANNED.length;
  for (const hit of hits) tally.fail(`${hit.label} found in ${hit.source}: …${hit.context}…`);
  for (let index = hits.length; index < cases; index++) tally.pass();
  tally.count(`characters scanned locally: ${scanner.scannedChars}`);
  tally.count(`upstream requests scanned: ${upstream.requests} (${upstream.bytes} bytes)`);
  return tally;
}

function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile() && statSync(path).size > 0) out.push(path);
  }
  return out;
}

async function scanFile(run: FuzzRun, source: string, path: string): Promise<void> {
  if (!existsSync(path)) return;
  const label = `${source} ${path.slice(run.fixtures.base.length + 1)}`;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) run.scanner.scan(label, chunk as Buffer);
}
