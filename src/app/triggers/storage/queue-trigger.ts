// The queue trigger (`queueTrigger`, `app.storageQueue`, `df.app.client.storageQueue`): polls an Azure Storage queue
// through the Storage SDK as the Functions host's queue listener does. At-least-once: a message is deleted only after
// its invocation (and the outputs it set) succeeded; a failure makes it visible again after host.json's
// visibilityTimeout, and the delivery that reaches maxDequeueCount moves it to `<queue>-poison`.
import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import { TaskhubError } from '../../../core/errors.js';
import { onQueueWrite } from '../../bindings/storage.js';
import { invokeTriggerFunction, type TriggerEnvironment, type TriggerFunctionDefinition } from '../trigger-function.js';
import { StorageLogEvents } from './azurite.js';
import { accountFor } from './connection.js';
import { queueHostOptions, type QueueHostOptions } from './host-options.js';
import { PollErrorReporter } from './poll-errors.js';

/**
 * How long a fetched message stays invisible while its invocation runs, renewed every half of it. The Functions host
 * uses 10 minutes, because there the host outlives its language worker and fails the invocation when the worker dies;
 * here the listener dies with the worker, so a short lease is what brings a crashed worker's messages back soon.
 */
const INVISIBLE_WHILE_RUNNING_S = 30;
/** The first wait after an empty poll; doubles up to maxPollingInterval. */
const MIN_POLL_MS = 100;

export interface QueueMessageTrigger {
  /** What the function gets: the message parsed as JSON when it is a JSON object or array, else its text. */
  readonly value: unknown;
  /** `triggerMetadata`: the names the Functions host gives a queue message. */
  readonly metadata: Record<string, unknown>;
}

/**
 * The trigger value and metadata of one message. With base64 encoding (Azure's default) a body that is not base64
 * is an error: the host moves such a message to the poison queue.
 */
export function decodeQueueMessage(message: DequeuedMessageItem, options: QueueHostOptions): QueueMessageTrigger {
  let text = message.messageText;
  if (options.messageEncoding === 'base64') {
    const compact = text.replace(/\s+/g, '');
    const bytes = Buffer.from(compact, 'base64');
    if (bytes.toString('base64').replace(/=+$/, '') !== compact.replace(/=+$/, '')) {
      throw new TaskhubError(
        'INVALID_ARGUMENT',
        'the message is not base64, which host.json extensions.queues.messageEncoding (default base64) expects',
      );
    }
    text = bytes.toString('utf8');
  }
  return {
    value: parseJsonish(text),
    metadata: {
      queueTrigger: text,
      id: message.messageId,
      dequeueCount: message.dequeueCount,
      insertionTime: message.insertedOn.toISOString(),
      expirationTime: message.expiresOn.toISOString(),
      nextVisibleTime: message.nextVisibleOn.toISOString(),
      popReceipt: message.popReceipt,
    },
  };
}

function parseJsonish(text: string): unknown {
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function queueNameOf(fn: TriggerFunctionDefinition): string {
  const name = (fn.trigger as { queueName?: unknown }).queueName;
  if (typeof name !== 'string' || name === '') {
    throw new TaskhubError('INVALID_ARGUMENT', `The queue trigger of '${fn.name}' needs queueName.`);
  }
  return name.toLowerCase();
}

/** One function's listener: a polling loop and the invocations in flight. */
export class QueueListener {
  readonly #env: TriggerEnvironment;
  readonly #fn: TriggerFunctionDefinition;
  readonly #options: QueueHostOptions;
  readonly #queue: QueueClient;
  readonly #poison: QueueClient;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #warnedOutputs = new Set<string>();
  #closed = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #unsubscribe: (() => void) | undefined;
  readonly #pollErrors: PollErrorReporter;

  constructor(env: TriggerEnvironment, fn: TriggerFunctionDefinition) {
    this.#env = env;
    this.#fn = fn;
    this.#options = queueHostOptions(env.app.root ?? env.root);
    const name = queueNameOf(fn);
    const account = accountFor(fn.trigger, 'listener');
    this.#queue = account.queues.getQueueClient(name);
    this.#poison = account.queues.getQueueClient(`${name}-poison`);
    this.#pollErrors = new PollErrorReporter(
      env.logger,
      { event: StorageLogEvents.queuePollFailed, function: fn.name, queue: name },
      `queue trigger '${fn.name}': polling ${name} failed; retrying with backoff`,
    );
  }

  get queueName(): string {
    return this.#queue.name;
  }

  start(): void {
    this.#unsubscribe = onQueueWrite(this.#queue.url, () => this.#wake?.());
    this.#loop = this.#run();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe?.();
    this.#wake?.();
    await this.#loop;
    await Promise.allSettled(this.#inFlight);
  }

  async #run(): Promise<void> {
    let delay = MIN_POLL_MS;
    let created = false;
    while (!this.#closed) {
      if (this.#inFlight.size > this.#options.newBatchThreshold) {
        await Promise.race([...this.#inFlight, this.#sleep(this.#options.maxPollingIntervalMs)]);
        continue;
      }
      let found = 0;
      try {
        if (!created) {
          // The listener of an absent queue polls an empty one; creating it lets the app's own code see it too.
          await this.#queue.createIfNotExists();
          created = true;
        }
        const room = this.#options.batchSize - this.#inFlight.size;
        const { receivedMessageItems } = await this.#queue.receiveMessages({
          numberOfMessages: Math.max(1, Math.min(32, room)),
          visibilityTimeout: INVISIBLE_WHILE_RUNNING_S,
        });
        found = receivedMessageItems.length;
        for (const message of receivedMessageItems) this.#track(this.#handle(message));
        this.#pollErrors.succeeded();
      } catch (err) {
        this.#pollErrors.failed(err);
      }
      if (this.#closed) break;
      if (found > 0) {
        delay = MIN_POLL_MS;
        continue;
      }
      await this.#sleep(delay);
      delay = Math.min(delay * 2, this.#options.maxPollingIntervalMs);
    }
  }

  #track(work: Promise<void>): void {
    this.#inFlight.add(work);
    // `work` is #handle's, which never rejects: so neither does this.
    void work.finally(() => {
      this.#inFlight.delete(work);
      this.#wake?.();
    });
  }

  /** Waits `ms`, or less when woken (a message written by this process, an invocation done, close). */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  /** Never rejects: every failure ends in a retry or the poison queue, and is logged. */
  async #handle(message: DequeuedMessageItem): Promise<void> {
    const { logger } = this.#env;
    const context = { function: this.#fn.name, queue: this.#queue.name, messageId: message.messageId };
    try {
      if (message.dequeueCount > this.#options.maxDequeueCount) {
        // Delivered more often than allowed without a recorded failure (a crash mid-invocation): poison it.
        await this.#moveToPoison(message);
        return;
      }
      let trigger: QueueMessageTrigger;
      try {
        trigger = decodeQueueMessage(message, this.#options);
      } catch (err) {
        logger.warn({ event: StorageLogEvents.queueMessageFailed, ...context, err }, (err as Error).message);
        await this.#moveToPoison(message);
        return;
      }
      const held = this.#holdInvisible(message);
      try {
        await invokeTriggerFunction(this.#env, this.#fn, trigger.value, trigger.metadata, this.#warnedOutputs);
      } catch (err) {
        message = { ...message, popReceipt: await held.release() };
        logger.error(
          { event: StorageLogEvents.queueMessageFailed, ...context, dequeueCount: message.dequeueCount, err },
          `queue trigger '${this.#fn.name}' failed (delivery ${String(message.dequeueCount)} of ` +
            `${String(this.#options.maxDequeueCount)})`,
        );
        if (message.dequeueCount >= this.#options.maxDequeueCount) await this.#moveToPoison(message);
        else {
          await this.#queue.updateMessage(
            message.messageId,
            message.popReceipt,
            undefined,
            Math.ceil(this.#options.visibilityTimeoutMs / 1000),
          );
        }
        return;
      }
      await this.#queue.deleteMessage(message.messageId, await held.release());
    } catch (err) {
      // A storage call failed (the message is then retried when its invisibility ends: at-least-once holds).
      logger.warn({ event: StorageLogEvents.queueMessageFailed, ...context, err }, 'queue message handling failed');
    }
  }

  /**
   * Keeps a message invisible while its invocation runs, as the Functions host does: its invisibility is renewed at
   * half time, each renewal giving a new pop receipt. `release` stops renewing and returns the current receipt.
   */
  #holdInvisible(message: DequeuedMessageItem): { release(): Promise<string> } {
    let popReceipt = message.popReceipt;
    let renewing = Promise.resolve();
    const timer = setInterval(() => {
      renewing = renewing
        .then(async () => {
          const renewed = await this.#queue.updateMessage(
            message.messageId,
            popReceipt,
            undefined,
            INVISIBLE_WHILE_RUNNING_S,
          );
          if (renewed.popReceipt) popReceipt = renewed.popReceipt;
        })
        .catch((err: unknown) => {
          // The message may then run again elsewhere once visible: at-least-once, as on Azure.
          this.#env.logger.warn(
            { event: StorageLogEvents.queueMessageFailed, function: this.#fn.name, messageId: message.messageId, err },
            'could not keep the queue message invisible while its function runs',
          );
        });
    }, INVISIBLE_WHILE_RUNNING_S * 500);
    return {
      async release() {
        clearInterval(timer);
        await renewing;
        return popReceipt;
      },
    };
  }

  async #moveToPoison(message: DequeuedMessageItem): Promise<void> {
    await this.#poison.createIfNotExists();
    await this.#poison.sendMessage(message.messageText);
    await this.#queue.deleteMessage(message.messageId, message.popReceipt);
    this.#env.logger.warn(
      {
        event: StorageLogEvents.queueMessagePoisoned,
        function: this.#fn.name,
        queue: this.#queue.name,
        messageId: message.messageId,
        dequeueCount: message.dequeueCount,
      },
      `queue trigger '${this.#fn.name}': message ${message.messageId} moved to ${this.#poison.name}`,
    );
  }
}
