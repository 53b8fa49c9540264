// Runs one batch of requests against an entity: operations one at a time in arrival order, critical-section locks,
// and dedupe of redelivered requests. Pure apart from awaiting the entity function: the caller commits the returned
// record, responses and signals together with the consumed messages, so a batch is applied entirely or not at all.
import type { ContextLogger, EntityContext, EntityHandler, LogSink } from './context.js';
import { EntityOperationContext } from './entity-context.js';
import { EntityId } from './entity-id.js';
import {
  ENTITY_REQUEST_EVENT,
  RECENT_REQUEST_IDS,
  type EntityRecord,
  type EntityRequest,
  type EntityResponse,
} from './entity-state.js';
import { failureDetailsOf, jsonText } from './failure.js';
import { contextLogger } from './orchestration-context.js';

/** A message the batch sends: an EventRaised `name` with JSON `input` to `instanceId`. */
export interface EntitySend {
  readonly instanceId: string;
  readonly name: string;
  readonly input: string;
}

export interface EntityBatchInput {
  /** The entity's scheduler id (`@name@key`). */
  readonly schedulerId: string;
  readonly record: EntityRecord;
  readonly requests: readonly EntityRequest[];
  readonly logSink?: LogSink;
}

export interface EntityBatchResult {
  readonly record: EntityRecord;
  readonly sends: readonly EntitySend[];
  /** Operations run (successful or not), for metrics. */
  readonly operations: number;
}

/** Runs a batch; `handler` undefined (entity not registered here) fails every operation with a clear message. */
export async function executeEntityBatch(
  handler: EntityHandler | undefined,
  input: EntityBatchInput,
): Promise<EntityBatchResult> {
  const batch = new Batch(handler, input);
  for (const request of input.requests) await batch.receive(request);
  return batch.result();
}

class Batch {
  readonly #handler: EntityHandler | undefined;
  readonly #entityId: EntityId;
  readonly #schedulerId: string;
  readonly #logger: ContextLogger;
  #exists: boolean;
  #state: string | undefined;
  #lock: EntityRecord['lock'];
  readonly #queue: EntityRequest[];
  readonly #recent: string[];
  readonly #seen: Set<string>;
  readonly #sends: EntitySend[] = [];
  #operations = 0;

  constructor(handler: EntityHandler | undefined, input: EntityBatchInput) {
    this.#handler = handler;
    this.#schedulerId = input.schedulerId;
    this.#entityId = EntityId.fromSchedulerId(input.schedulerId);
    this.#logger = contextLogger(input.logSink);
    const r = input.record;
    this.#exists = r.exists;
    this.#state = r.state;
    this.#lock = r.lock;
    this.#queue = [...(r.queue ?? [])];
    this.#recent = [...(r.recent ?? [])];
    this.#seen = new Set(this.#recent);
    for (const q of this.#queue) this.#seen.add(q.id);
  }

  async receive(request: EntityRequest): Promise<void> {
    if (request.release) {
      // Releasing is idempotent: only the section that holds the lock can release it.
      if (this.#lock?.id === request.id) {
        this.#lock = undefined;
        await this.#drainQueue();
        return;
      }
      // The section ended before its lock request got here (or while it waited in the queue): it must never lock.
      const queued = this.#queue.findIndex((q) => q.id === request.id);
      if (queued >= 0) this.#queue.splice(queued, 1);
      if (!this.#seen.has(request.id)) {
        this.#seen.add(request.id);
        this.#recent.push(request.id);
      }
      return;
    }
    if (this.#seen.has(request.id)) return; // redelivered: applied (or queued) already
    this.#seen.add(request.id);
    this.#recent.push(request.id);
    if (this.#lock && request.parent !== this.#lock.owner) {
      this.#queue.push(request);
      return;
    }
    await this.#run(request);
  }

  result(): EntityBatchResult {
    const record: EntityRecord = {
      exists: this.#exists,
      ...(this.#exists && this.#state !== undefined ? { state: this.#state } : {}),
      ...(this.#lock ? { lock: this.#lock } : {}),
      ...(this.#queue.length > 0 ? { queue: this.#queue } : {}),
      recent: this.#recent.slice(-RECENT_REQUEST_IDS),
    };
    return { record, sends: this.#sends, operations: this.#operations };
  }

  /** After a release: queued requests run in arrival order until one of them locks the entity again. */
  async #drainQueue(): Promise<void> {
    while (!this.#lock && this.#queue.length > 0) await this.#run(this.#queue.shift()!);
  }

  async #run(request: EntityRequest): Promise<void> {
    if (request.lockset) return this.#acquire(request);
    this.#operations++;
    const op = request.op ?? '';
    const context = new EntityOperationContext(this.#entityId, op, request.input, this.#exists, this.#state);
    let failure: unknown;
    let failed = false;
    try {
      if (!this.#handler) {
        throw new Error(`The entity function '${this.#entityId.name}' is not registered in this app.`);
      }
      const invocation: EntityContext = {
        ...this.#logger,
        df: context,
        invocationId: `${this.#schedulerId}:${request.id}`,
        functionName: this.#entityId.name,
      };
      const returned = this.#handler(invocation);
      // Awaiting only real promises keeps a batch of synchronous operations free of microtask hops.
      if (isThenable(returned)) await returned;
    } catch (err) {
      failed = true;
      failure = err;
    }
    if (failed) {
      // Rolled back: the state stays as before this operation, and its signals are not sent.
      const details = failureDetailsOf(failure);
      this.#respond(request, { result: jsonText(details.errorMessage), exceptionType: details.errorType });
      return;
    }
    this.#exists = context.destruct ? false : context.exists;
    this.#state = this.#exists ? context.stateText : undefined;
    context.signals.forEach((s, i) => {
      const signal: EntityRequest = {
        id: `${request.id}>${this.#schedulerId}#${i}`,
        op: s.op,
        signal: true,
        ...(s.input === undefined ? {} : { input: s.input }),
        parent: this.#schedulerId,
      };
      this.#sends.push({ instanceId: s.target, name: ENTITY_REQUEST_EVENT, input: JSON.stringify(signal) });
    });
    this.#respond(request, context.resultText === undefined ? {} : { result: context.resultText });
  }

  /** One step of a critical section's lock chain: lock here, then pass the request on to the next entity in order. */
  #acquire(request: EntityRequest): void {
    const owner = request.parent ?? '';
    this.#lock = { owner, id: request.id };
    const lockset = request.lockset ?? [];
    const next = (request.pos ?? 0) + 1;
    const target = lockset[next];
    if (target !== undefined) {
      this.#sends.push({
        instanceId: target,
        name: ENTITY_REQUEST_EVENT,
        input: JSON.stringify({ ...request, pos: next }),
      });
    } else {
      this.#sends.push({ instanceId: owner, name: request.id, input: JSON.stringify({}) });
    }
  }

  #respond(request: EntityRequest, response: EntityResponse): void {
    if (request.signal || request.parent === undefined) return;
    this.#sends.push({ instanceId: request.parent, name: request.id, input: JSON.stringify(response) });
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
