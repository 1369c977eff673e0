import type { SimulatorOptions } from './types.js';

/** Usage text of the CLI. */
export const usage = `Usage: exai-provider-sim [--port <n>] [--host <addr>] [--latency <ms>] [--kimi-balance <usd>]
  --port           TCP port (default 4010; 0 = random free port)
  --host           interface (default 127.0.0.1)
  --latency        delay before a non-streamed answer and before each stream chunk, ms (default 0)
  --kimi-balance   Kimi balance in USD (default 100)
`;

function number(flag: string, value: string | undefined): number {
  const parsed = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(parsed) || parsed < 0) {
    throw new Error(`${flag} needs a non-negative number, got ${value ?? 'nothing'}`);
  }
  return parsed;
}

/** Parses the CLI arguments (`--flag value` or `--flag=value`); throws with a readable message. */
export function parseCliArgs(argv: readonly string[]): SimulatorOptions & { help?: boolean } {
  const options: SimulatorOptions & { help?: boolean } = { port: 4010 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const value = (): string | undefined => (eq < 0 ? argv[++i] : arg.slice(eq + 1));
    switch (flag) {
      case '--port':
        options.port = number(flag, value());
        break;
      case '--host': {
        const host = value();
        if (!host) throw new Error('--host needs an address');
        options.host = host;
        break;
      }
      case '--latency':
        options.latencyMs = number(flag, value());
        break;
      case '--kimi-balance':
        options.kimiBalance = Number(value());
        if (!Number.isFinite(options.kimiBalance)) throw new Error('--kimi-balance needs a number');
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new Error(`unknown argument ${arg}`);
    }
  }
  return options;
}
