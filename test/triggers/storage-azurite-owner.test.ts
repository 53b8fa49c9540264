// The Azurite a `taskhub start` or `taskhub worker` started ends with its owner however the owner ends: SIGKILLed,
// the host leaves nothing listening on Azurite's ports. A `taskhub worker` and a `taskhub start` on one app: the
// worker started Azurite, the host found it; when the worker stops, its Azurite stops with it, and the host notices,
// starts Azurite itself on the same ports with the same data folder (logged once), and its storage functions go on.
// One file, so that the two never run at once on the fixture's one data folder.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, cliCommand, startHost } from '../e2e/host.js';
import { until } from '../until.js';
import { isListening } from '../../src/app/triggers/storage/azurite.js';
import { developmentConnectionString } from '../../src/app/triggers/storage/connection.js';
import { blobText, freePorts, peekDecoded, sendJson } from './storage-azurite.js';

const APP = path.join(ROOT, 'test/fixtures/storage-invalid-names');
const TAKEOVER = /started Azurite \(started by Taskhub\) with data in/g;

const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-takeover-'));
afterAll(() => {
  rmSync(path.join(APP, '.taskhub'), { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
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

describe('Azurite shared by a worker and a host', () => {
  it('the host starts Azurite again when the worker that started it stops', async () => {
    const [blob, queue, table] = await freePorts(3);
    const blobUrl = new URL(`http://127.0.0.1:${String(blob)}`);
    const connectionString = developmentConnectionString({ blob: blob!, queue: queue!, table: table! });
    const env = { AzureWebJobsStorage: connectionString };
    const worker = spawn(
      process.execPath,
      [...cliCommand(), 'worker', APP, '--store', `sqlite:${path.join(dir, 'worker.db')}`],
      { cwd: ROOT, env: { ...process.env, TASKHUB_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let workerOutput = '';
    worker.stdout.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
    worker.stderr.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
    const workerExited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
    let host: Awaited<ReturnType<typeof startHost>> | undefined;
    try {
      await until(() => workerOutput.includes('no HTTP'), { what: 'the worker to be ready' });
      expect(workerOutput).toContain(`Storage: Azurite (started by Taskhub) at ${blobUrl.origin}`);
      host = await startHost(APP, { env });
      expect(host.output()).toContain(`Storage: Azurite at ${blobUrl.origin}`);

      const blobs = BlobServiceClient.fromConnectionString(connectionString);
      const queues = QueueServiceClient.fromConnectionString(connectionString);
      await blobs.getContainerClient('kept').createIfNotExists();
      await blobs.getContainerClient('kept').getBlockBlobClient('a.txt').upload('before', 6);

      worker.kill('SIGTERM');
      expect(await workerExited).toBe(0);
      await until(() => (host!.output().match(TAKEOVER) ?? []).length === 1, { what: 'the host to start Azurite' });
      expect(await isListening(blobUrl)).toBe(true);

      // Same data folder: what was written under the worker's Azurite is still there; the host's functions go on.
      expect(await blobText(blobs, 'kept', 'a.txt')).toBe('before');
      await sendJson(queues, 'good-queue', { n: 2 });
      await until(async () => (await peekDecoded(queues, 'good-seen')).includes('seen {"n":2}'), {
        what: 'GoodQueue to handle a message after the takeover',
      });
      expect((host.output().match(TAKEOVER) ?? []).length).toBe(1);
      expect(await host.stop()).toBe(0);
      host = undefined;
      // The Azurite the host took over stops with it.
      expect(await isListening(blobUrl)).toBe(false);
    } finally {
      if (worker.exitCode === null) worker.kill('SIGTERM');
      await host?.stop();
    }
  });
});
