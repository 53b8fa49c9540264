// The CLI as a user runs it: from an app folder (a copy of fixtures/app in a temp folder, so `.taskhub/` lands there),
// as real child processes, reading what they print and their exit codes.
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliCommand, type CliResult } from '../e2e/host.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/app');

/** Environment every run starts from: no inherited log, colour or key settings that would change what is printed. */
function baseEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, TASKHUB_LOG_LEVEL: 'warn' };
  for (const name of ['TASKHUB_LOG_FORMAT', 'TASKHUB_KEY', 'NO_COLOR', 'FORCE_COLOR', 'CLI_HUB']) delete base[name];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return base;
}

/** A fresh copy of the fixture app; removed by the returned function. */
export function makeApp(): { dir: string; remove: () => void } {
  const parent = mkdtempSync(path.join(tmpdir(), 'taskhub-cli-'));
  const dir = path.join(parent, 'app');
  cpSync(FIXTURE, dir, { recursive: true });
  return { dir, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: Record<string, string | undefined>;
}

/** Runs `taskhub <args>` to its end (stdin is not a terminal, as in a script). */
export function taskhub(args: readonly string[], options: RunOptions): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...cliCommand(), ...args],
      { cwd: options.cwd, env: baseEnv(options.env ?? {}) },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ stdout, stderr, code });
      },
    );
  });
}

export interface AppHost {
  readonly url: string;
  output(): string;
  /** SIGTERM, then waits for the exit; returns the exit code. */
  stop(): Promise<number | null>;
}

/**
 * `taskhub start --port 0` in the app folder (its default store, its host.json hub), once it serves; `command`
 * 'dashboard' serves the dashboard the same way.
 */
export async function startAppHost(
  cwd: string,
  args: readonly string[] = [],
  env: Record<string, string | undefined> = {},
  command: 'start' | 'dashboard' = 'start',
): Promise<AppHost> {
  const child = spawn(process.execPath, [...cliCommand(), command, '--port', '0', ...args], {
    cwd,
    env: baseEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`taskhub ${command} did not come up in 60 s:\n${output}`)), 60_000);
    child.stdout.on('data', () => {
      const match = /Management API: (http:\/\/[^/\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`taskhub ${command} exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A loopback port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
