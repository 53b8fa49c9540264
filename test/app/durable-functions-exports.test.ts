// Taskhub's `durable-functions` module offers every runtime export of the real package (durable-functions 3.x, a
// devDependency for this test), named and on the default export, with the same kind; and the classes an app tests
// errors against are the ones the engine throws (`err instanceof df.TaskFailedError` in a catch); an app's
// ExceptionPropertiesProvider adds its properties to a failed activity's failure details.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AppDefinition, withApp } from '../../src/app/app-definition.js';
import type { OrchestrationContext, OrchestrationGenerator } from '../../src/core/context.js';
import * as df from '../../src/app/durable-functions.js';
import { openTaskHub } from '../../src/hub.js';
import type { TaskHub } from '../../src/hub-types.js';
import { Driver, ev, outputOf } from '../core/history-builder.js';

type Exports = Record<string, unknown>;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The real package, loaded by path (Taskhub redirects the name for apps): repository root, else the reference folder. */
function realPackage(): { exports: Exports; version: string } | undefined {
  for (const dir of [ROOT, process.env.TASKHUB_REFERENCE_MODULES].filter((d): d is string => !!d)) {
    try {
      const require = createRequire(path.join(dir, 'package.json'));
      const manifest = require('durable-functions/package.json') as { version: string };
      return { exports: require('durable-functions') as Exports, version: manifest.version };
    } catch {
      // Not installed there: try the next place.
    }
  }
  return undefined;
}

function kindOf(value: unknown): string {
  if (typeof value === 'function') {
    return /^class\b/.test(Function.prototype.toString.call(value)) ? 'class' : 'function';
  }
  return value === null ? 'null' : typeof value;
}

/** Export paths with their kinds; objects are walked (app.client.*), functions and classes are leaves. */
function surface(exports: Exports, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  for (const key of Object.keys(exports).sort()) {
    const value = exports[key];
    found.set(prefix + key, kindOf(value));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [k, v] of surface(value as Exports, `${prefix}${key}.`)) found.set(k, v);
    }
  }
  return found;
}

const real = realPackage();
describe.skipIf(!real)(
  real
    ? `parity with durable-functions ${real.version}`
    : 'parity with durable-functions (skipped: not installed; npm install, or set TASKHUB_REFERENCE_MODULES)',
  () => {
    it('every runtime export exists in Taskhub, named and default', () => {
      const expected = [...surface(real?.exports ?? {})];
      expect(expected.length).toBeGreaterThan(20);
      const named = surface(df);
      const byDefault = surface(df.default);
      // A class may be a function in one and a class in the other (compiled ES5 classes): both are constructors.
      const same = (a: string | undefined, b: string) =>
        a === b || (a !== undefined && [a, b].every((k) => k === 'class' || k === 'function'));
      const missing = expected.filter(([key, kind]) => !same(named.get(key), kind) || !same(byDefault.get(key), kind));
      expect(
        missing.map(([key, kind]) => `${key}: ${kind} (Taskhub: ${named.get(key)} / ${byDefault.get(key)})`),
      ).toEqual([]);
    });
  },
);

describe('error classes', () => {
  it('a failed activity reaches the orchestrator as an instance of df.TaskFailedError', () => {
    const d = new Driver(function* (context: OrchestrationContext): OrchestrationGenerator {
      try {
        yield context.df.callActivity('Charge');
        return 'charged';
      } catch (err) {
        return {
          named: err instanceof df.TaskFailedError,
          byDefault: err instanceof df.default.TaskFailedError,
          errorMessage: err instanceof df.TaskFailedError ? err.failureDetails.errorMessage : undefined,
        };
      }
    });
    d.start();
    expect(outputOf(d.run(ev.failed(0, 'card declined', 'Charge')))).toEqual({
      named: true,
      byDefault: true,
      errorMessage: 'card declined',
    });
  });
});

describe('app.setExceptionPropertiesProvider', () => {
  let hub: TaskHub | undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-exception-properties-'));
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("puts the provider's properties into the failure details the orchestrator catches; a faulty provider is ignored", async () => {
    class PaymentError extends Error {
      constructor(
        message: string,
        readonly code: number,
      ) {
        super(message);
      }
    }
    const definition = new AppDefinition();
    await withApp(definition, () => {
      df.app.setExceptionPropertiesProvider({
        getExceptionProperties(error: unknown) {
          if (error instanceof PaymentError) return { code: error.code };
          if (error === 'provider breaks') throw new Error('faulty provider');
          return undefined;
        },
      });
      df.app.activity('Charge', {
        handler: async (input: string) => {
          await Promise.resolve();
          if (input === 'declined') throw new PaymentError('card declined', 402);
          throw new Error('plain failure');
        },
      });
      df.app.activity('Throws', {
        handler: (input: unknown) => {
          throw input;
        },
      });
      df.app.orchestration('Pay', function* (context: OrchestrationContext): OrchestrationGenerator {
        const seen: unknown[] = [];
        for (const [name, input] of [
          ['Charge', 'declined'],
          ['Charge', 'other'],
          ['Throws', 'provider breaks'],
        ] as const) {
          try {
            yield context.df.callActivity(name, input);
          } catch (err) {
            const failure = (err as InstanceType<typeof df.TaskFailedError>).failureDetails;
            seen.push({ message: failure.errorMessage, properties: failure.properties ?? null });
          }
        }
        return seen;
      });
      return Promise.resolve();
    });
    hub = await openTaskHub({
      store: path.join(dir, 'hub.db'),
      registry: definition.registry,
      logger: pino({ level: 'silent' }),
      worker: { pollIntervalMs: 20 },
    });
    await hub.start();
    const id = await hub.client.startNew('Pay');
    const status = await hub.client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
    expect(status.output).toEqual([
      { message: 'card declined', properties: { code: 402 } },
      { message: 'plain failure', properties: null },
      { message: 'provider breaks', properties: null },
    ]);
    expect(typeof df.app.wrapActivityHandler).toBe('function');
    expect(() => df.app.setExceptionPropertiesProvider({} as never)).toThrow(TypeError);
  });
});
