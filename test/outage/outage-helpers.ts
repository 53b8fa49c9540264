// Helpers of the store-outage tests: waiting for a state (never for wall time), `taskhub worker` as a child process,
// and an HTTP client that starts chains the way a careful caller does (retrying 503s and refused connections).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { cliCommand, ROOT } from '../e2e/host.js';

/** Polls `check` until it returns true; fails after `timeoutMs` saying what it waited for. */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 120_000,
  details: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${details()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface RunningWorker {
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM, wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
}

export function startWorker(app: string, args: readonly string[], env: Record<string, string> = {}): RunningWorker {
  const child = spawn(process.execPath, [...cliCommand(), 'worker', path.resolve(ROOT, app), ...args], {
    cwd: ROOT,
    env: { ...process.env, TASKHUB_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Log lines (pino JSON) of `output` with this event name. */
export function logEvents(output: string, event: string): number {
  return output.split('\n').filter((line) => line.includes(`"event":"${event}"`)).length;
}

export interface StartOutcome {
  /** 202: the instance exists (or a 409 after a failed try: the earlier try created it). */
  readonly accepted: boolean;
  /** Every status answered on the way (503s, 507s …), and 'refused' for a connection that failed. */
  readonly answers: readonly (number | 'refused')[];
}

/**
 * Starts `Chain` with this instance id through the built-in starter. A 503 or a refused connection is retried (a
 * try that failed may still have created the instance; then the retry meets 409, which counts as accepted);
 * `retry: false` gives up at the first answer that is not 202.
 */
export async function startChain(baseUrl: string, id: string, input: number, retry = true): Promise<StartOutcome> {
  const answers: (number | 'refused')[] = [];
  for (;;) {
    let status: number | 'refused';
    try {
      const response = await fetch(`${baseUrl}/api/orchestrators/Chain/${id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      await response.arrayBuffer();
      status = response.status;
    } catch {
      status = 'refused';
    }
    answers.push(status);
    if (status === 202) return { accepted: true, answers };
    if (status === 409 && answers.length > 1) return { accepted: true, answers };
    if (!retry || (status !== 503 && status !== 'refused')) return { accepted: false, answers };
    await new Promise((r) => setTimeout(r, 100));
  }
}
