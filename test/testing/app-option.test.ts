// createTestHub({ app }) and the node:test preload (taskhub/testing/register), run as users run them: node --test in a
// child process, the app importing 'durable-functions' and '@azure/functions' by name.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../e2e/host.js';

/** node --test with the preload; a run that outlives `timeoutMs` is killed and reported as hanging. */
function nodeTest(file: string, timeoutMs = 45_000): Promise<{ code: number | null; stdout: string; hung: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', './src/testing/register.ts', '--test', path.join('test/testing', file)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let hung = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, hung });
    });
  });
}

it('createTestHub({ app }) loads an app that imports the Azure packages by name, as taskhub start does', async () => {
  const { code, stdout } = await nodeTest('app-option.node-test.ts');
  expect(stdout).toMatch(/# pass 3\b/);
  expect(stdout).toMatch(/# fail 0\b/);
  expect(code).toBe(0);
});

it('a test that fails with its hub open ends node --test (the preset closes the hub) and fails the run', async () => {
  const { code, stdout, hung } = await nodeTest('left-open.node-test.ts');
  expect(hung).toBe(false);
  expect(stdout).toMatch(/# fail 1\b/);
  expect(code).toBe(1);
});
