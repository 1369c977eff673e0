import { parseCliArgs, usage } from './cli-args.js';
import { startSimulator } from './simulator.js';

/** Runs the simulator until SIGINT/SIGTERM, printing the base URLs (tools/bench reads them from stdout). */
async function main(): Promise<void> {
  let options: ReturnType<typeof parseCliArgs>;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`exai-provider-sim: ${(error as Error).message}\n${usage}`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    process.stdout.write(usage);
    return;
  }
  const sim = await startSimulator(options);
  process.stdout.write(`provider-sim listening on ${sim.url}\nGLM:  ${sim.glmBaseURL}\nGLM coding: ${sim.glmCodingBaseURL}\nKimi: ${sim.kimiBaseURL}\n`);
  const stop = (): void => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`exai-provider-sim: ${(error as Error).message}\n`);
  process.exit(1);
});
