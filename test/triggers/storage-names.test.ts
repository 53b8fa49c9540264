// A storage trigger whose queue or container name Azure refuses is in error at load, as the Functions host refuses
// to index it: `taskhub start` says why once, never polls it, and serves the app's other functions.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startHost } from '../e2e/host.js';
import { until } from '../until.js';
import { peekDecoded, sendJson, startTestAzurite, type TestAzurite } from './storage-azurite.js';

const APP = path.join(ROOT, 'test/fixtures/storage-invalid-names');

let storage: TestAzurite;
beforeAll(async () => {
  storage = await startTestAzurite();
}, 90_000);
afterAll(async () => {
  await storage?.stop();
});

describe('storage triggers with invalid names', () => {
  it('puts each in error at load and serves the valid queue trigger', async () => {
    const host = await startHost(APP, { env: { AzureWebJobsStorage: storage.connectionString } });
    try {
      const errors = {
        BadQueue: "the queue name 'bad--queue' is invalid: it has consecutive hyphens.",
        ShortQueue: "the queue name 'ab' is invalid: it has 2 characters, not 3 to 63.",
        BadContainer:
          "the blob container name 'up_loads' is invalid: only lowercase letters, digits and hyphens are allowed.",
      };
      for (const [name, why] of Object.entries(errors)) {
        expect(host.output()).toContain(`The '${name}' function is in error: ${why}`);
        expect(host.output()).toContain(
          `${name}: ${name === 'BadContainer' ? 'blob' : 'queue'}Trigger (not served: ${why}`,
        );
      }
      expect(host.output()).toContain('GoodQueue: queueTrigger');

      // The valid function ('%GOOD_QUEUE%' is 'Good-Queue', lowercased as the Functions host does) is served.
      await sendJson(storage.queues, 'good-queue', { n: 1 });
      await until(async () => (await peekDecoded(storage.queues, 'good-seen')).length === 1, {
        what: 'GoodQueue to handle its message',
      });
      expect(await peekDecoded(storage.queues, 'good-seen')).toEqual(['seen {"n":1}']);
      // The invalid ones were never polled: no per-poll warning, no queue or container made for them.
      expect(host.output()).not.toMatch(/queue-poll-failed|blob-scan-failed/);
      expect(
        await storage.queues
          .getQueueClient('ab')
          .exists()
          .catch(() => false),
      ).toBe(false);
      expect(
        await storage.blobs
          .getContainerClient('up_loads')
          .exists()
          .catch(() => false),
      ).toBe(false);
    } finally {
      expect(await host.stop()).toBe(0);
    }
  });
});
