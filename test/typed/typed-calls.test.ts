// An app using the typed calls runs end to end: typed-app.node-test.ts, in a child process under node:test with the
// taskhub/testing/register preload, loads test/typed/fixtures/app.ts with createTestHub({ app }) as `taskhub start`
// loads an app ('durable-functions' and 'taskhub' imported by name) and checks every output.
import { expect, it } from 'vitest';
import { runNodeTest } from '../node-test.js';

it('the typed app runs in a test hub with the declared outputs (generator orchestrators, client, entity, event)', async () => {
  const { code, output, hung } = await runNodeTest('test/typed/typed-app.node-test.ts');
  expect(hung).toBe(false);
  expect(output).toMatch(/# fail 0\b/);
  // 6, and 7 once async orchestrators make durable tasks awaitable (the last test is skipped until then).
  expect(Number(/# pass (\d+)/.exec(output)?.[1])).toBeGreaterThanOrEqual(6);
  expect(code).toBe(0);
});
