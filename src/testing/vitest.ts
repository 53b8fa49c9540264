// `taskhub/testing/vitest`: a Vitest (Vite) plugin. Test files that import the app's modules themselves get Taskhub's
// `durable-functions` and `@azure/functions`, and every test hub still open after a test is closed.
import { fileURLToPath } from 'node:url';

/** The part of Vite's plugin shape this plugin uses, so Taskhub's declarations need no Vite types. */
export interface TaskhubVitestPlugin {
  readonly name: string;
  config(): {
    resolve: { alias: { find: RegExp; replacement: string }[] };
    test: { setupFiles: string[] };
  };
}

/**
 * The plugin for `vitest.config.ts`: `defineConfig({ plugins: [taskhub()] })`. `createTestHub({ app })` needs no
 * plugin; an app module imported by the test file itself does.
 */
export function taskhub(): TaskhubVitestPlugin {
  return {
    name: 'taskhub',
    config: () => ({
      resolve: { alias: compatAliases() },
      test: { setupFiles: [fileURLToPath(new URL('./vitest-setup.js', import.meta.url))] },
    }),
  };
}

/** Exact-name aliases (a regex, so `durable-functions/lib/...` deep imports are not rewritten into a wrong path). */
function compatAliases(): { find: RegExp; replacement: string }[] {
  return Object.entries(compatModuleFiles()).map(([name, replacement]) => ({
    find: new RegExp(`^${name.replace(/[/]/g, '\\/')}$`),
    replacement,
  }));
}

/** The files of Taskhub's own `durable-functions` and `@azure/functions`, beside this one in the package. */
export function compatModuleFiles(): Record<string, string> {
  return {
    'durable-functions': fileURLToPath(new URL('../app/durable-functions.js', import.meta.url)),
    '@azure/functions': fileURLToPath(new URL('../app/azure-functions.js', import.meta.url)),
  };
}
