// `node --import taskhub/testing/register --test`: makes an app's `durable-functions` and `@azure/functions` imports
// resolve to Taskhub in the test process (whether or not the real packages are installed), runs `.ts` test and app
// files through tsx with the project's tsconfig.json, and under node:test closes every test hub after each test, so a
// failed test never leaves the runner waiting on an open hub.
import { findAppTsconfig } from '../app/app-sources.js';
import { installCompatModules } from '../app/loader.js';
import { installTypeScriptHooks } from '../app/module-hooks.js';
import { closeTestHubs } from './test-hub.js';

installCompatModules();
await installTypeScriptHooks(findAppTsconfig(process.cwd()));

// Only under the test runner (its child processes carry NODE_TEST_CONTEXT): a hook on node:test's root test would
// otherwise make any process that preloads this module print an empty test report.
if (process.env.NODE_TEST_CONTEXT !== undefined || process.execArgv.includes('--test')) {
  const { afterEach } = await import('node:test');
  afterEach(closeTestHubs);
}
