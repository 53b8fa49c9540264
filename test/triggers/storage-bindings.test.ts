// The pure parts of the storage triggers and bindings: binding expressions, blob path patterns, host.json durations
// and queue options, queue message decoding, and how a binding's `connection` finds its account.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeQueueMessage, resolveBindingExpression } from '../../src/app/bindings/storage.js';
import { parseBlobPathPattern } from '../../src/app/triggers/storage/blob-trigger.js';
import { storageConnectionString } from '../../src/app/triggers/storage/connection.js';
import { parseDuration, queueHostOptions, QUEUE_DEFAULTS } from '../../src/app/triggers/storage/host-options.js';
import { decodeQueueMessage } from '../../src/app/triggers/storage/queue-trigger.js';

const message = (messageText: string) => ({
  messageId: 'm-1',
  messageText,
  dequeueCount: 3,
  popReceipt: 'pr',
  insertedOn: new Date('2026-01-01T00:00:00Z'),
  expiresOn: new Date('2026-01-08T00:00:00Z'),
  nextVisibleOn: new Date('2026-01-01T00:10:00Z'),
});

describe('binding expressions', () => {
  it('reads binding data case-insensitively, dotted paths, and the built-ins', () => {
    const data = { OrderId: 42, query: { Region: 'eu' } };
    expect(resolveBindingExpression('out/{orderId}-{query.region}.json', data, 'f')).toBe('out/42-eu.json');
    expect(resolveBindingExpression('out/{rand-guid}', data, 'f')).toMatch(/^out\/[0-9a-f-]{36}$/);
    expect(resolveBindingExpression('out/{DateTime}', data, 'f')).toMatch(/^out\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/);
    expect(() => resolveBindingExpression('out/{missing}', data, "function 'F'")).toThrow(
      "function 'F': no value for the binding expression {missing}.",
    );
  });

  it('blob path patterns give the container, the listing prefix and the names', () => {
    const pattern = parseBlobPathPattern('images/raw/{name}.{ext}', 'f');
    expect(pattern.container).toBe('images');
    expect(pattern.prefix).toBe('raw/');
    expect(pattern.regex.exec('raw/cat.large.png')?.groups).toEqual({ name: 'cat', ext: 'large.png' });
    expect(pattern.regex.exec('other/cat.png')).toBeNull();
    expect(parseBlobPathPattern('uploads/{name}', 'f').regex.exec('a/b.txt')?.groups).toEqual({ name: 'a/b.txt' });
    expect(() => parseBlobPathPattern('{c}/x', "function 'F'")).toThrow(/must start with a container name/);
  });
});

describe('queue messages and host.json', () => {
  it('decodes base64 bodies, parses JSON objects, and gives the Functions metadata names', () => {
    const trigger = decodeQueueMessage(message(Buffer.from('{"a":1}').toString('base64')), QUEUE_DEFAULTS);
    expect(trigger.value).toEqual({ a: 1 });
    expect(trigger.metadata).toMatchObject({
      queueTrigger: '{"a":1}',
      id: 'm-1',
      dequeueCount: 3,
      popReceipt: 'pr',
      insertionTime: '2026-01-01T00:00:00.000Z',
      expirationTime: '2026-01-08T00:00:00.000Z',
      nextVisibleTime: '2026-01-01T00:10:00.000Z',
    });
    expect(decodeQueueMessage(message(Buffer.from('plain').toString('base64')), QUEUE_DEFAULTS).value).toBe('plain');
    expect(() => decodeQueueMessage(message('not base64!'), QUEUE_DEFAULTS)).toThrow(/not base64/);
    const none = { ...QUEUE_DEFAULTS, messageEncoding: 'none' as const };
    expect(decodeQueueMessage(message('[1,2]'), none).value).toEqual([1, 2]);
    expect(encodeQueueMessage({ a: 1 }, QUEUE_DEFAULTS)).toBe(Buffer.from('{"a":1}').toString('base64'));
    expect(encodeQueueMessage('text', none)).toBe('text');
  });

  it('reads extensions.queues with Azure defaults and TimeSpan durations', () => {
    expect(parseDuration('00:00:02', 'x')).toBe(2000);
    expect(parseDuration('1.00:00:00.5', 'x')).toBe(86_400_500);
    expect(parseDuration(1500, 'x')).toBe(1500);
    expect(() => parseDuration('soon', 'host.json x')).toThrow(/not a duration/);
    const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-queues-'));
    writeFileSync(
      path.join(dir, 'host.json'),
      JSON.stringify({
        extensions: { queues: { batchSize: 4, maxPollingInterval: '00:00:05', messageEncoding: 'none' } },
      }),
    );
    expect(queueHostOptions(dir)).toEqual({
      maxPollingIntervalMs: 5000,
      visibilityTimeoutMs: 0,
      batchSize: 4,
      maxDequeueCount: 5,
      newBatchThreshold: 2,
      messageEncoding: 'none',
    });
    expect(queueHostOptions(undefined)).toEqual(QUEUE_DEFAULTS);
  });
});

describe('storage connections', () => {
  it('reads the named setting (AzureWebJobs<name> too), defaulting to AzureWebJobsStorage', () => {
    const env = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', AzureWebJobsOther: 'AccountName=x' };
    expect(storageConnectionString({}, env)).toBe('UseDevelopmentStorage=true');
    expect(storageConnectionString({ connection: 'Other' }, env)).toBe('AccountName=x');
    expect(() => storageConnectionString({ connection: 'Missing' }, env)).toThrow(
      "The storage connection 'Missing' names no app setting",
    );
  });

  it('refuses identity-based connections clearly', () => {
    const env = { MyStorage__queueServiceUri: 'https://acct.queue.core.windows.net' };
    expect(() => storageConnectionString({ connection: 'MyStorage' }, env)).toThrow(
      /identity-based \(MyStorage__queueServiceUri\); Taskhub takes storage accounts by connection string only/,
    );
  });
});
