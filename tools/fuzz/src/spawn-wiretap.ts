import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WiretapCommand, WiretapEvent } from './wiretap-simulator.js';

/** What crossed the wire to the providers so far. */
export type WiretapReport = Extract<WiretapEvent, { type: 'report' }>;

/** The simulator behind its wire tap, in a child process. */
export interface Wiretap {
  glmBaseURL: string;
  kimiBaseURL: string;
  /** The simulator itself, without the tap (for the runner's own look-ups, which must not count). */
  simulatorURL: string;
  /** Adds secrets and markers that must never be sent upstream. */
  watch(needles: Array<{ label: string; value: string }>): void;
  report(): Promise<WiretapReport>;
  stop(): Promise<void>;
}

const entry = fileURLToPath(new URL('./wiretap-simulator.js', import.meta.url));

/** Starts `wiretap-simulator.js` (built) and waits for its URLs. */
export async function spawnWiretap(): Promise<Wiretap> {
  const child: ChildProcess = fork(entry, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const ready = await new Promise<Extract<WiretapEvent, { type: 'ready' }>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the wiretap simulator did not start within 10 s')), 10_000);
    child.once('exit', (code) => reject(new Error(`the wiretap simulator exited with ${code}`)));
    child.on('message', (event: WiretapEvent) => {
      if (event.type !== 'ready') return;
      clearTimeout(timer);
      resolve(event);
    });
  });
  const command = (message: WiretapCommand): void => {
    child.send(message);
  };
  return {
    glmBaseURL: ready.glmBaseURL,
    kimiBaseURL: ready.kimiBaseURL,
    simulatorURL: ready.simulatorURL,
    watch: (needles) => command({ type: 'needles', needles }),
    report: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the wiretap simulator did not report within 10 s')), 10_000);
        const onMessage = (event: WiretapEvent): void => {
          if (event.type !== 'report') return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(event);
        };
        child.on('message', onMessage);
        command({ type: 'report' });
      }),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        command({ type: 'stop' });
      }),
  };
}
