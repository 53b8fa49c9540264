// The Azurite a `taskhub start` started ends with it however it ends: SIGKILLed, the host leaves nothing listening on
// Azurite's ports (a later start can use them again).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, startHost } from '../e2e/host.js';
import { until } from '../until.js';
import { isListening } from '../../src/app/triggers/storage/azurite.js';
import { developmentConnectionString } from '../../src/app/triggers/storage/connection.js';
import { freePorts } from './storage-azurite.js';

const APP = path.join(ROOT, 'test/fixtures/storage-invalid-names');

afterAll(() => {
  rmSync(path.join(APP, '.taskhub'), { recursive: true, force: true });
});

describe('Azurite started by taskhub start', () => {
  it('ends when the host is SIGKILLed', async () => {
    const [blob, queue, table] = await freePorts(3);
    const urls = [blob!, queue!, table!].map((port) => new URL(`http://127.0.0.1:${String(port)}`));
    const connectionString = developmentConnectionString({ blob: blob!, queue: queue!, table: table! });
    const host = await startHost(APP, { env: { AzureWebJobsStorage: connectionString } });
    try {
      expect(host.output()).toContain(`Storage: Azurite (started by Taskhub) at http://127.0.0.1:${String(blob)}`);
      for (const url of urls) expect(await isListening(url)).toBe(true);
      const killed = new Promise((resolve) => host.child.once('exit', resolve));
      host.child.kill('SIGKILL');
      await killed;
      await until(async () => !(await Promise.all(urls.map((url) => isListening(url)))).some(Boolean), {
        what: "nothing listening on Azurite's ports after the host died",
      });
    } finally {
      await host.stop();
    }
  });
});
