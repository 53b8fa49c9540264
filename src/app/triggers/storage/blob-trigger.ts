// The blob trigger (`blobTrigger`, `app.storageBlob`, `df.app.client.storageBlob`): scans the container for new or
// changed blobs matching the path pattern, as the Functions host's polling scan does, and invokes once per blob
// version (ETag). Receipts live in the storage account itself, in `azure-webjobs-hosts/blobreceipts/…` as Azure keeps
// them, so a blob fires once per change across restarts and for every worker that shares the account, and wiping
// the account (Azurite's data) forgets them together with the blobs.
import { RestError, type BlobItem, type BlockBlobClient, type ContainerClient } from '@azure/storage-blob';
import type { QueueServiceClient } from '@azure/storage-queue';
import { TaskhubError } from '../../../core/errors.js';
import { onBlobWrite } from '../../bindings/storage.js';
import { invokeTriggerFunction, type TriggerEnvironment, type TriggerFunctionDefinition } from '../trigger-function.js';
import { StorageLogEvents } from './azurite.js';
import { accountFor } from './connection.js';
import { queueHostOptions, type QueueHostOptions } from './host-options.js';
import { PollErrorReporter } from './poll-errors.js';

const RECEIPTS_CONTAINER = 'azure-webjobs-hosts';
const POISON_QUEUE = 'webjobs-blobtrigger-poison';
/** The lease on a receipt while its function runs (renewed at half time; Azure's receipts are leased too). */
const RECEIPT_LEASE_S = 60;
/** Longest wait between scans (shortened by host.json maxPollingInterval). */
const SCAN_INTERVAL_MS = 10_000;

export interface BlobPathPattern {
  readonly container: string;
  /** The literal blob-name prefix before the first `{`: what a scan lists. */
  readonly prefix: string;
  /** Matches a blob name; named groups are the pattern's binding data. */
  readonly regex: RegExp;
}

/** `container/prefix/{name}.txt` → container, listing prefix and a matcher whose groups are the `{}` names. */
export function parseBlobPathPattern(pattern: string, where: string): BlobPathPattern {
  const trimmed = pattern.replace(/^\/+/, '');
  const slash = trimmed.indexOf('/');
  const container = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const rest = slash < 0 ? '{name}' : trimmed.slice(slash + 1) || '{name}';
  if (container === '' || container.includes('{')) {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      `${where}: the blob path '${pattern}' must start with a container name.`,
    );
  }
  let source = '';
  let last = 0;
  for (const match of rest.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
    source += escape(rest.slice(last, match.index)) + `(?<${match[1]!}>.+?)`;
    last = match.index + match[0].length;
  }
  source += escape(rest.slice(last));
  const brace = rest.indexOf('{');
  return { container, prefix: brace < 0 ? rest : rest.slice(0, brace), regex: new RegExp(`^${source}$`) };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One function's scanner. */
export class BlobListener {
  readonly #env: TriggerEnvironment;
  readonly #fn: TriggerFunctionDefinition;
  readonly #options: QueueHostOptions;
  readonly #pattern: BlobPathPattern;
  readonly #container: ContainerClient;
  readonly #receipts: ContainerClient;
  readonly #queues: QueueServiceClient;
  readonly #hostId: string;
  readonly #failures = new Map<string, number>();
  readonly #warnedOutputs = new Set<string>();
  #closed = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #unsubscribe: (() => void) | undefined;
  readonly #scanErrors: PollErrorReporter;

  constructor(env: TriggerEnvironment, fn: TriggerFunctionDefinition) {
    this.#env = env;
    this.#fn = fn;
    this.#options = queueHostOptions(env.app.root ?? env.root);
    const path = (fn.trigger as { path?: unknown }).path;
    if (typeof path !== 'string' || path === '') {
      throw new TaskhubError('INVALID_ARGUMENT', `The blob trigger of '${fn.name}' needs path.`);
    }
    this.#pattern = parseBlobPathPattern(path, `function '${fn.name}'`);
    const account = accountFor(fn.trigger, 'listener');
    this.#container = account.blobs.getContainerClient(this.#pattern.container);
    this.#receipts = account.blobs.getContainerClient(RECEIPTS_CONTAINER);
    this.#queues = account.queues;
    this.#scanErrors = new PollErrorReporter(
      env.logger,
      { event: StorageLogEvents.blobScanFailed, function: fn.name, container: this.#pattern.container },
      `blob trigger '${fn.name}': scanning ${this.#pattern.container} failed; retrying`,
    );
    this.#hostId = `taskhub-${env.urls.taskHubName}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  }

  start(): void {
    this.#unsubscribe = onBlobWrite(this.#container.url, () => this.#wake?.());
    this.#loop = this.#run();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe?.();
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const interval = Math.min(SCAN_INTERVAL_MS, this.#options.maxPollingIntervalMs);
    let created = false;
    while (!this.#closed) {
      try {
        if (!created) {
          await this.#container.createIfNotExists();
          await this.#receipts.createIfNotExists();
          created = true;
        }
        await this.#scan();
        this.#scanErrors.succeeded();
      } catch (err) {
        this.#scanErrors.failed(err);
      }
      if (this.#closed) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, interval);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.#wake = done;
      });
    }
  }

  async #scan(): Promise<void> {
    for await (const blob of this.#container.listBlobsFlat({
      prefix: this.#pattern.prefix,
      includeMetadata: true,
    })) {
      if (this.#closed) return;
      const match = this.#pattern.regex.exec(blob.name);
      if (!match) continue;
      await this.#claimAndFire(blob, { ...match.groups });
    }
  }

  /**
   * Azure's receipt protocol: the receipt blob exists (created if absent), this process holds a lease on it while
   * the function runs, and it is marked completed after success. A receipt leased elsewhere is another worker's
   * (or a crashed one's, until its lease expires); a completed one means this blob version already fired.
   */
  async #claimAndFire(blob: BlobItem, names: Record<string, string>): Promise<void> {
    const receipt = this.#receipts.getBlockBlobClient(this.#receiptName(blob));
    if (await isCompleted(receipt)) return;
    try {
      await receipt.uploadData(Buffer.alloc(0), { conditions: { ifNoneMatch: '*' } });
    } catch (err) {
      if (!(err instanceof RestError && (err.statusCode === 409 || err.statusCode === 412))) throw err;
    }
    const lease = receipt.getBlobLeaseClient();
    try {
      await lease.acquireLease(RECEIPT_LEASE_S);
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 409) return; // leased by another worker
      throw err;
    }
    const renew = setInterval(
      () => {
        lease.renewLease().catch(() => undefined); // a lost renewal only risks a second run: at-least-once
      },
      (RECEIPT_LEASE_S * 1000) / 2,
    );
    try {
      if (await isCompleted(receipt)) return; // completed between our look and our lease
      if (await this.#fire(blob, names)) {
        await receipt.setMetadata(
          { completed: 'true', functionname: this.#fn.name },
          { conditions: { leaseId: lease.leaseId } },
        );
      }
    } finally {
      clearInterval(renew);
      await lease.releaseLease().catch(() => undefined); // else it expires by itself
    }
  }

  #receiptName(blob: BlobItem): string {
    const etag = blob.properties.etag?.replace(/"/g, '') ?? 'none';
    return `blobreceipts/${this.#hostId}/${this.#fn.name}/${etag}/${this.#container.containerName}/${blob.name}`;
  }

  /** Runs the function for one blob version; true when its receipt is to be completed (success, or given up). */
  async #fire(blob: BlobItem, names: Record<string, string>): Promise<boolean> {
    const receiptName = this.#receiptName(blob);
    const client = this.#container.getBlobClient(blob.name);
    const blobPath = `${this.#container.containerName}/${blob.name}`;
    let bytes: Buffer;
    try {
      bytes = await client.downloadToBuffer();
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 404) return false; // deleted since the listing
      throw err;
    }
    const dataType = (this.#fn.trigger as { dataType?: unknown }).dataType;
    const metadata: Record<string, unknown> = {
      ...names,
      blobTrigger: blobPath,
      uri: client.url,
      properties: {
        length: blob.properties.contentLength,
        etag: blob.properties.etag,
        lastModified: blob.properties.lastModified.toISOString(),
        contentType: blob.properties.contentType,
      },
      metadata: blob.metadata ?? {},
    };
    try {
      await invokeTriggerFunction(
        this.#env,
        this.#fn,
        dataType === 'string' ? bytes.toString('utf8') : bytes,
        metadata,
        this.#warnedOutputs,
      );
    } catch (err) {
      const failures = (this.#failures.get(receiptName) ?? 0) + 1;
      this.#failures.set(receiptName, failures);
      this.#env.logger.error(
        { event: StorageLogEvents.blobTriggerFailed, function: this.#fn.name, blob: blobPath, failures, err },
        `blob trigger '${this.#fn.name}' failed for ${blobPath} (attempt ${String(failures)} of ` +
          `${String(this.#options.maxDequeueCount)})`,
      );
      if (failures < this.#options.maxDequeueCount) return false;
      const poison = this.#queues.getQueueClient(POISON_QUEUE);
      await poison.createIfNotExists();
      const body = JSON.stringify({
        Type: 'BlobTrigger',
        FunctionId: this.#fn.name,
        BlobType: 'BlockBlob',
        ContainerName: this.#container.containerName,
        BlobName: blob.name,
        ETag: blob.properties.etag,
      });
      await poison.sendMessage(Buffer.from(body).toString('base64'));
      this.#env.logger.warn(
        { event: StorageLogEvents.blobPoisoned, function: this.#fn.name, blob: blobPath },
        `blob trigger '${this.#fn.name}': ${blobPath} gave up after ${String(failures)} failures; see ${POISON_QUEUE}`,
      );
    }
    this.#failures.delete(receiptName);
    return true;
  }
}

async function isCompleted(receipt: BlockBlobClient): Promise<boolean> {
  try {
    return (await receipt.getProperties()).metadata?.completed === 'true';
  } catch (err) {
    if (err instanceof RestError && err.statusCode === 404) return false;
    throw err;
  }
}
