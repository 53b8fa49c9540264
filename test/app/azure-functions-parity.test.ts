// Parity with the real @azure/functions 4.x, checked against the package itself so it cannot drift: every runtime
// export (recursively: app.*, app.hook.*, input.*, output.*, trigger.*, classes, enums) exists in Taskhub's module with
// the same kind, and every binding helper returns a descriptor deep-equal to the real one for the same options.
// The real package is a devDependency for this test only. It is loaded by file path, never by its name, because
// Taskhub redirects the name '@azure/functions' to its own module for apps.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as taskhub from '../../src/app/azure-functions.js';

type Exports = Record<string, unknown>;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The real package's entry file: resolved from the repository root (CI installs it), else from the folder named by
 * TASKHUB_REFERENCE_MODULES (a scratch install: `npm install @azure/functions@4` there).
 */
function realEntry(): string | undefined {
  const from = [ROOT, process.env.TASKHUB_REFERENCE_MODULES].filter((d): d is string => !!d);
  for (const dir of from) {
    try {
      return createRequire(path.join(dir, 'package.json')).resolve('@azure/functions');
    } catch {
      // Not installed there: try the next place.
    }
  }
  return undefined;
}

const entry = realEntry();
const real: Exports | undefined =
  entry && existsSync(entry) ? ((await import(pathToFileURL(entry).href)) as { default: Exports }).default : undefined;
const version = entry
  ? (createRequire(entry)(path.join(entry, '../../package.json')) as { version: string }).version
  : 'none';

function kindOf(value: unknown): string {
  if (typeof value === 'function') {
    return /^class\b/.test(Function.prototype.toString.call(value)) ? 'class' : 'function';
  }
  return value === null ? 'null' : typeof value;
}

/** Every export path with its kind, objects walked recursively (classes and functions are leaves). */
function surface(exports: Exports, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  for (const key of Object.keys(exports).sort()) {
    const value = exports[key];
    found.set(prefix + key, kindOf(value));
    if (typeof value === 'object' && value !== null) {
      for (const [k, v] of surface(value as Exports, `${prefix}${key}.`)) found.set(k, v);
    }
  }
  return found;
}

type Helpers = Record<string, (options: Record<string, unknown>) => unknown>;
type Sample = (m: Exports) => Record<string, unknown>;

/** Options for helpers that validate theirs; any other helper gets the default sample. */
const SAMPLES: Record<string, Sample[]> = {
  generic: [() => ({ type: 'custom', direction: 'in', setting: 1 })],
  mcpTool: [
    () => ({
      toolName: 'search',
      description: 'Finds things',
      toolProperties: [{ propertyName: 'q', propertyType: 'string', description: 'query' }],
      metadata: '{"a":1}',
    }),
    (m) => {
      const arg = m.arg as Record<string, () => { describe(d: string): { optional(): unknown } }>;
      return { toolName: 't', description: 'd', toolProperties: { q: arg.string!().describe('query').optional() } };
    },
  ],
  mcpResource: [() => ({ uri: 'file://readme', resourceName: 'readme', mimeType: 'text/plain', size: 3 })],
  mcpPrompt: [
    () => ({ promptName: 'p', promptArguments: [{ name: 'topic', required: true }] }),
    (m) => {
      const promptArg = m.promptArg as { describe(d: string): { isRequired(): unknown } };
      return { promptName: 'p', title: 'T', promptArguments: { topic: promptArg.describe('what').isRequired() } };
    },
  ],
};
const DEFAULT_SAMPLES: Sample[] = [
  () => ({ connection: 'MyConnection', path: 'container/{name}', queueName: 'orders', schedule: '0 */5 * * * *' }),
  () => ({ name: 'given', connection: 'MyConnection', hub: 'h', eventName: 'e', route: 'items/{id}' }),
  () => ({}),
];

describe.skipIf(!real)(
  real
    ? `parity with @azure/functions ${version}`
    : 'parity with @azure/functions (skipped: the package is not installed; npm install, or set TASKHUB_REFERENCE_MODULES)',
  () => {
    const realExports = real ?? {};
    const ours = taskhub as unknown as Exports;
    const ourDefault = (taskhub as unknown as { default: Exports }).default;

    it('every runtime export exists in Taskhub, named and default, with the same kind', () => {
      const expected = [...surface(realExports)];
      expect(expected.length).toBeGreaterThan(50);
      const named = surface(ours);
      const byDefault = surface(ourDefault);
      const missing = expected.filter(([key, kind]) => named.get(key) !== kind || byDefault.get(key) !== kind);
      expect(
        missing.map(([key, kind]) => `${key}: ${kind} (Taskhub: ${named.get(key)} / ${byDefault.get(key)})`),
      ).toEqual([]);
    });

    it('enums have the same members and values', () => {
      for (const name of ['CosmosDBChangeFeedMode', 'CosmosDBv4ChangeFeedMode', 'SqlChangeOperation']) {
        expect(ours[name], name).toEqual(realExports[name]);
      }
      expect(ours.MySqlChangeOperation).toEqual(realExports.MySqlChangeOperation);
    });

    for (const namespace of ['input', 'output', 'trigger'] as const) {
      it(`${namespace}.* helpers return the descriptors Azure returns (type, generated name, fields)`, () => {
        const realHelpers = realExports[namespace] as Helpers;
        const ourHelpers = ours[namespace] as Helpers;
        for (const helper of Object.keys(realHelpers)) {
          for (const sample of SAMPLES[helper] ?? DEFAULT_SAMPLES) {
            const expected = realHelpers[helper]!(sample(realExports));
            const actual = ourHelpers[helper]!(sample(ours));
            expect(JSON.parse(JSON.stringify(actual)), `${namespace}.${helper}`).toEqual(
              JSON.parse(JSON.stringify(expected)),
            );
          }
        }
      });
    }

    it('helpers that refuse bad options refuse them with the same message', () => {
      const bad: [string, Record<string, unknown>][] = [
        ['mcpTool', { toolName: 't', description: 'd' }],
        ['mcpTool', { toolName: 't', description: 'd', toolProperties: [], metadata: '{nope' }],
        ['mcpResource', { resourceName: 'r' }],
        ['mcpPrompt', { promptName: 'p', promptArguments: { x: 'not a builder' } }],
      ];
      for (const [helper, options] of bad) {
        const realError = captureError(() => (realExports.trigger as Helpers)[helper]!({ ...options }));
        expect(realError, helper).toBeDefined();
        expect(
          captureError(() => (ours.trigger as Helpers)[helper]!({ ...options })),
          helper,
        ).toBe(realError);
      }
    });
  },
);

function captureError(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
