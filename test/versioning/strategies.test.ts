// Durable Functions' version rules, unit by unit: how versions compare, which registration an instance of a version
// runs on under each versionMatchStrategy, what a worker claims, and host.json's settings checked at load.
import { describe, expect, it } from 'vitest';
import type { OrchestrationHandler } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import {
  compareVersions,
  validateVersioning,
  versionAllowed,
  type VersioningOptions,
} from '../../src/core/versioning.js';

describe('compareVersions', () => {
  it.each([
    [undefined, undefined, 0],
    ['', '  ', 0],
    ['', '1.0', -1],
    ['1.0', undefined, 1],
    ['1.0', '2.0', -1],
    ['2.0', '10.0', -1],
    ['1.0', '1.0.0', -1],
    ['1.2.3', '1.2.3', 0],
    ['1.2.3.4', '1.2.10', -1],
    // Not System.Version-shaped: text, ignoring case.
    ['10', '9', -1],
    ['v1.0-beta', 'V1.0-BETA', 0],
    ['2025-01-01', '2025-02-01', -1],
    ['1.0', 'v2', -1],
    // A part past 2^31-1 is no System.Version: compared as text.
    ['1.2147483648', '1.3', -1],
  ] as const)('%s vs %s: %i', (a, b, expected) => {
    expect(Math.sign(compareVersions(a, b))).toBe(expected);
    expect(Math.sign(compareVersions(b, a))).toBe(expected === 0 ? 0 : -expected);
  });
});

const v1: OrchestrationHandler = function* () {
  return 'one';
};
const v2: OrchestrationHandler = function* () {
  return 'two';
};
const plain: OrchestrationHandler = function* () {
  return 'plain';
};

function registry(versioning: VersioningOptions, register: (r: FunctionRegistry) => void): FunctionRegistry {
  const r = new FunctionRegistry();
  r.versioning = versioning;
  register(r);
  return r;
}

/** Which handler an instance of that version runs on ('refused' when none may). */
function runs(r: FunctionRegistry, version: string | undefined): string {
  const choice = r.orchestrationFor('Order', version);
  if (!choice) return 'unknown';
  if ('refused' in choice) return 'refused';
  return String((choice.registered.handler({} as never) as Generator).next().value);
}

describe('versionMatchStrategy with one unversioned orchestrator (Azure model)', () => {
  const cases: [VersioningOptions, (string | undefined)[], (string | undefined)[]][] = [
    // [settings, versions it runs, versions it refuses]
    [{ defaultVersion: '2.0', versionMatchStrategy: 'None' }, [undefined, '1.0', '2.0', '3.0'], []],
    [{ defaultVersion: '2.0', versionMatchStrategy: 'Strict' }, ['2.0', '2.0'], [undefined, '1.0', '2.1', '3.0']],
    [
      { defaultVersion: '2.0', versionMatchStrategy: 'CurrentOrOlder' },
      [undefined, '1.0', '1.9.9', '2.0'],
      ['2.0.1', '3.0'],
    ],
    // CurrentOrOlder is the default.
    [{ defaultVersion: '2.0' }, [undefined, '1.0', '2.0'], ['3.0']],
    // No defaultVersion: nothing to compare with, every version runs.
    [{ versionMatchStrategy: 'Strict' }, [undefined, '1.0', '9.0'], []],
  ];
  it.each(cases)('%j runs %j, refuses %j', (versioning, ok, refused) => {
    const r = registry(versioning, (x) => x.registerOrchestration('Order', plain));
    for (const version of ok) expect(runs(r, version), String(version)).toBe('plain');
    for (const version of refused) expect(runs(r, version), String(version)).toBe('refused');
    // The claim filter says the same as the lookup, so a worker claims exactly what it may run.
    const filter = r.versionFilter();
    for (const version of ok) expect(versionAllowed(filter, 'ORDER', version)).toBe(true);
    for (const version of refused) expect(versionAllowed(filter, 'order', version)).toBe(false);
  });
});

describe('versions registered side by side', () => {
  const sideBySide = (x: FunctionRegistry): void => {
    x.registerOrchestration('Order', v2, '2.0');
    x.registerOrchestration('Order', v1, '1.0');
  };

  it('an instance runs on the code of its own version; others are refused', () => {
    const r = registry({}, sideBySide);
    expect(runs(r, '1.0')).toBe('one');
    expect(runs(r, '2.0')).toBe('two');
    expect(runs(r, '3.0')).toBe('refused');
    expect(runs(r, undefined)).toBe('refused');
    expect(r.orchestrationFor('Order', '3.0')).toEqual({
      refused:
        "The orchestration 'Order' was started with version '3.0', which this app does not run: it runs the " +
        "versions '1.0', '2.0'.",
    });
    expect(runs(r, undefined)).toBe('refused');
    expect(r.orchestrationFor('Shipping', '1.0')).toBeUndefined();
  });

  it('new instances get the newest version, or defaultVersion when host.json sets one', () => {
    expect(registry({}, sideBySide).newInstanceVersion('order')).toBe('2.0');
    expect(registry({ defaultVersion: '1.0' }, sideBySide).newInstanceVersion('Order')).toBe('1.0');
    expect(registry({}, (x) => x.registerOrchestration('Order', plain)).newInstanceVersion('Order')).toBeUndefined();
  });

  it('an unversioned registration beside them runs the older instances, within the strategy', () => {
    const r = registry({ defaultVersion: '2.0', versionMatchStrategy: 'CurrentOrOlder' }, (x) => {
      x.registerOrchestration('Order', plain);
      x.registerOrchestration('Order', v2, '2.0');
    });
    expect(runs(r, undefined)).toBe('plain');
    expect(runs(r, '1.5')).toBe('plain');
    expect(runs(r, '2.0')).toBe('two');
    expect(runs(r, '2.5')).toBe('refused');
    expect(r.orchestrations().map((o) => o.name)).toEqual(['Order']);
  });

  it('the claim filter lets through exactly the registered versions; Fail claims everything', () => {
    const filter = registry({}, sideBySide).versionFilter();
    expect(versionAllowed(filter, 'Order', '1.0')).toBe(true);
    expect(versionAllowed(filter, 'Order', '2.0')).toBe(true);
    expect(versionAllowed(filter, 'Order', '1.5')).toBe(false);
    expect(versionAllowed(filter, 'Order', undefined)).toBe(false);
    // Orchestrations this app does not know are not its to judge (they fail as unknown, as before).
    expect(versionAllowed(filter, 'Shipping', '9.0')).toBe(true);
    expect(registry({ versionFailureStrategy: 'Fail' }, sideBySide).versionFilter()).toBeUndefined();
  });

  it('refuses a second handler for the same version, and a blank version', () => {
    const r = registry({}, sideBySide);
    r.registerOrchestration('Order', v1, '1.0'); // the same handler again: a no-op
    expect(() => r.registerOrchestration('order', v2, '1.0')).toThrow(
      "Version '1.0' of the orchestration 'order' is registered twice with different code: keep one registration " +
        'per version, or give the new code a new version.',
    );
    r.registerOrchestration('Order', v1, 'v3');
    expect(() => r.registerOrchestration('Order', v2, 'V3')).toThrow(
      "Version 'V3' of the orchestration 'Order' is registered twice with different code (as 'v3' and 'V3', which " +
        'compare equal)',
    );
    expect(() => r.registerOrchestration('Order', v2, ' ')).toThrow('needs a non-empty version string');
  });
});

describe("host.json's versioning settings", () => {
  const where = 'host.json: extensions.durableTask';
  it('reads them, case-insensitively for the strategies', () => {
    expect(
      validateVersioning(
        { defaultVersion: '1.0', versionMatchStrategy: 'strict', versionFailureStrategy: 'FAIL', hubName: 'x' },
        where,
      ),
    ).toEqual({ defaultVersion: '1.0', versionMatchStrategy: 'Strict', versionFailureStrategy: 'Fail' });
    expect(validateVersioning({}, where)).toEqual({});
  });
  it('names the setting and what it accepts when a value is wrong', () => {
    expect(() => validateVersioning({ versionMatchStrategy: 'Newest' }, where)).toThrow(
      'host.json: extensions.durableTask: versionMatchStrategy must be one of None, Strict, CurrentOrOlder, not "Newest".',
    );
    expect(() => validateVersioning({ versionFailureStrategy: 1 }, where)).toThrow(
      'versionFailureStrategy must be one of Reject, Fail, not 1.',
    );
    expect(() => validateVersioning({ defaultVersion: 2 }, where)).toThrow(
      'defaultVersion must be a string (e.g. "1.0"), not 2.',
    );
  });
});
