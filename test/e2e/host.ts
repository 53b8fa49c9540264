// Runs `taskhub start` as a real child process on a free port with its own SQLite file, and speaks HTTP to it.
// The CLI runs from source through tsx, so the tests need no build; one test also runs the built bin/taskhub.js.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI_SOURCE = path.join(ROOT, 'src/cli/main.ts');
export const CLI_BIN = path.join(ROOT, 'bin/taskhub.js');

export interface RunningHost {
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly dir: string;
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM, wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
}

export interface StartHostOptions {
  readonly env?: Record<string, string>;
  readonly args?: readonly string[];
  /** Run the built bin/taskhub.js instead of the sources. */
  readonly built?: boolean;
  /** The current directory of the CLI (default: the repository root). */
  readonly cwd?: string;
}

export interface CliResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** Runs the `taskhub` CLI (from source) to its end; `env` adds to (or, with '', blanks) the test's environment. */
export async function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...cliCommand(), ...args], {
      cwd: ROOT,
      env: { ...process.env, TASKHUB_LOG_LEVEL: 'warn', ...env },
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

/** tsx by absolute URL, so the CLI runs from source in any current directory. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export function cliCommand(built = false): string[] {
  return built ? [CLI_BIN] : ['--import', TSX, CLI_SOURCE];
}

export async function startHost(app: string, options: StartHostOptions = {}): Promise<RunningHost> {
  const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-e2e-'));
  const args = [
    ...cliCommand(options.built),
    'start',
    path.resolve(ROOT, app),
    '--port',
    '0',
    '--store',
    `sqlite:${path.join(dir, 'hub.db')}`,
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, TASKHUB_LOG_LEVEL: process.env.TASKHUB_LOG_LEVEL ?? 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`taskhub start did not come up in 30 s:\n${output}`)), 30_000);
    const check = (): void => {
      const match = /Management API: (http:\/\/[^/\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`taskhub start exited with ${code}:\n${output}`));
    });
  });

  return {
    url,
    dir,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Polls a status URL until the instance is no longer running (202). */
export async function pollUntilDone(
  statusUrl: string,
  timeoutMs = 30_000,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(statusUrl);
    const body = (await response.json()) as Record<string, unknown>;
    if (response.status !== 202) return { status: response.status, body };
    if (Date.now() > deadline) throw new Error(`still running after ${timeoutMs} ms: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** POSTs JSON (or nothing) and returns status, headers and parsed body. */
export async function post(
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** Starts an orchestration through a starter URL and waits for its final status. */
export async function runToCompletion(
  startUrl: string,
  input?: unknown,
  timeoutMs?: number,
): Promise<{ id: string; status: number; body: Record<string, unknown> }> {
  const started = await post(startUrl, input);
  if (started.status !== 202) throw new Error(`start answered ${started.status}: ${JSON.stringify(started.body)}`);
  const id = String(started.body.id);
  const done = await pollUntilDone(String(started.body.statusQueryGetUri), timeoutMs);
  return { id, ...done };
}
