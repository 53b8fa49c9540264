// `taskhub/testing/jest`: Jest configuration for apps tested with Taskhub. Jest resolves every import itself (it
// ignores Node's module hooks), so `durable-functions` and `@azure/functions` are mapped to Taskhub's modules here,
// and a setup file closes every test hub still open after a test (Jest otherwise waits on it forever).
import { fileURLToPath } from 'node:url';
import { compatModuleFiles } from './vitest.js';

/** The Jest options this helper sets or extends; every other option passes through unchanged. */
export interface JestConfigWithTaskhub {
  readonly [option: string]: unknown;
  readonly moduleNameMapper?: Readonly<Record<string, string | readonly string[]>>;
  readonly setupFilesAfterEnv?: readonly string[];
}

/**
 * `jest.config.js`: `export default withTaskhub({ ...your options })`. Sets `testEnvironment: 'node'` and
 * `transform: {}` (ES modules as they are; run Jest with `NODE_OPTIONS=--experimental-vm-modules`) unless given.
 */
export function withTaskhub(config: JestConfigWithTaskhub = {}): JestConfigWithTaskhub {
  const mapper: Record<string, string> = {};
  for (const [name, file] of Object.entries(compatModuleFiles())) mapper[`^${name}$`] = file;
  return {
    testEnvironment: 'node',
    transform: {},
    ...config,
    moduleNameMapper: { ...mapper, ...config.moduleNameMapper },
    setupFilesAfterEnv: [
      fileURLToPath(new URL('./jest-setup.js', import.meta.url)),
      ...(config.setupFilesAfterEnv ?? []),
    ],
  };
}
