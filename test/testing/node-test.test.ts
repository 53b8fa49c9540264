// The node:test example of docs/testing.md is a real test: run it with Node's own runner in a child process.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { ROOT } from '../e2e/host.js';

it('the node:test example passes under node --test', async () => {
  const file = path.join(ROOT, 'test/testing/approval.node-test.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--test', file], { cwd: ROOT });
  expect(stdout).toMatch(/# pass 2/);
  expect(stdout).toMatch(/# fail 0/);
});
