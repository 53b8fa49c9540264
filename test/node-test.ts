// Runs a test file as a user runs it with Node's own runner: `node --test`, in a child process, with the
// taskhub/testing/register preload (the node:test preset), from the repository root.
import { spawn } from 'node:child_process';
import { ROOT } from './e2e/host.js';

export interface NodeTestRun {
  readonly code: number | null;
  /** stdout and stderr together, in the order they came: the runner's TAP report (`# pass 3`, `# fail 0`). */
  readonly output: string;
  /** The run outlived its time and was killed: a hang, not a failure. */
  readonly hung: boolean;
}

/** `node --test` of one file (relative to the repository root) with the preload; killed after `timeoutMs`. */
export function runNodeTest(file: string, timeoutMs = 45_000): Promise<NodeTestRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', './src/testing/register.ts', '--test', file],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    let hung = false;
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, hung });
    });
  });
}
