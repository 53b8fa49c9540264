// createTestHub({ app }) and the node:test preload (taskhub/testing/register), run as users run them: node --test in a
// child process, the app importing 'durable-functions' and '@azure/functions' by name.
import { expect, it } from 'vitest';
import { runNodeTest } from '../node-test.js';

it('createTestHub({ app }) loads an app that imports the Azure packages by name, as taskhub start does', async () => {
  const { code, output } = await runNodeTest('test/testing/app-option.node-test.ts');
  expect(output).toMatch(/# pass 3\b/);
  expect(output).toMatch(/# fail 0\b/);
  expect(code).toBe(0);
});

it('a test that fails with its hub open ends node --test (the preset closes the hub) and fails the run', async () => {
  const { code, output, hung } = await runNodeTest('test/testing/left-open.node-test.ts');
  expect(hung).toBe(false);
  expect(output).toMatch(/# fail 1\b/);
  expect(code).toBe(1);
});
