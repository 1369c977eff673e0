/**
 * The daemon URL of `exai-stdio --remote <url>` (or `--remote=<url>`, or `EXAI_REMOTE_URL`), checked:
 * a ws:// or wss:// URL. Undefined when exai-stdio should run locally.
 */
export function remoteUrl(args: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  let value: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === '--remote') value = args[index + 1] ?? '';
    else if (arg.startsWith('--remote=')) value = arg.slice('--remote='.length);
  }
  value ??= env['EXAI_REMOTE_URL'] || undefined;
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(`--remote needs the daemon's WebSocket URL, such as ws://host:3000/ws (got "${value}")`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') fail(`--remote needs a ws:// or wss:// URL (got "${value}")`);
  return url.href;
}

function fail(message: string): never {
  process.stderr.write(`exai-stdio: ${message}\n`);
  process.exit(78);
}
