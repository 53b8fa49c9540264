// `%NAME%` expressions read app settings (process.env) wherever Azure resolves them: host.json, function.json and
// the options of app.* registrations.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localHttpPort, resolveSettingExpressions } from '../../src/app/settings.js';

afterEach(() => {
  delete process.env.TASKHUB_TEST_QUEUE;
});

describe('resolveSettingExpressions', () => {
  it('resolves strings inside plain objects and arrays, and leaves other values alone', () => {
    process.env.TASKHUB_TEST_QUEUE = 'orders';
    const handler = (): void => undefined;
    const resolved = resolveSettingExpressions({
      queueName: '%TASKHUB_TEST_QUEUE%',
      path: 'in/%TASKHUB_TEST_QUEUE%-{name}/%TASKHUB_TEST_QUEUE%',
      list: ['%TASKHUB_TEST_QUEUE%', 3, null],
      percent: '100% sure',
      handler,
    });
    expect(resolved).toEqual({
      queueName: 'orders',
      path: 'in/orders-{name}/orders',
      list: ['orders', 3, null],
      percent: '100% sure',
      handler,
    });
  });

  it('names the setting and the place when a setting is missing', () => {
    expect(() => resolveSettingExpressions({ queueName: '%TASKHUB_TEST_QUEUE%' }, "app.storageQueue('Q')")).toThrow(
      "app.storageQueue('Q'): %TASKHUB_TEST_QUEUE% names no app setting",
    );
  });
});

describe('localHttpPort', () => {
  it('reads local.settings.json Host.LocalHttpPort, as func start does, and nothing when it is absent', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-port-'));
    try {
      expect(localHttpPort(dir)).toBeUndefined();
      writeFileSync(
        path.join(dir, 'local.settings.json'),
        JSON.stringify({ Values: {}, Host: { LocalHttpPort: 7355 } }),
      );
      expect(localHttpPort(dir)).toBe('7355');
      writeFileSync(path.join(dir, 'local.settings.json'), JSON.stringify({ Values: {} }));
      expect(localHttpPort(dir)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
