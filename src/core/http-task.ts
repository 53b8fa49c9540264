// Durable HTTP (`callHttp`): the request runs as the built-in activity; a 202 with a Location header, when polling is
// enabled, becomes a durable timer of Retry-After seconds and then a GET of the Location, until a non-202 answer.
// Each step is an ordinary task with its own sequence id, so the loop replays deterministically (Durable Functions'
// CallHttpWithPollingTask, reference A7).
import type { DurableHttpRequest, DurableHttpResponse } from './context.js';
import { ActionTask, CompoundTask, TimerTaskImpl, type TaskBase, type TaskEngine } from './task.js';

/** The built-in activity that performs durable HTTP requests (its TaskScheduled name, as in Durable Functions). */
export const HTTP_ACTIVITY_NAME = 'BuiltIn::HttpActivity';

/** Durable Functions' default wait between polls when the answer has no Retry-After. */
export const DEFAULT_HTTP_POLLING_INTERVAL_MS = 30_000;

export class CallHttpTask extends CompoundTask<DurableHttpResponse> {
  readonly #request: DurableHttpRequest;
  readonly #defaultIntervalMs: number;
  #engine: TaskEngine | undefined;
  #attempt: ActionTask | undefined;
  #timer: TimerTaskImpl | undefined;
  #next: DurableHttpRequest | undefined;

  constructor(request: DurableHttpRequest, defaultIntervalMs: number) {
    super();
    this.#request = request;
    this.#defaultIntervalMs = defaultIntervalMs;
  }

  onTrack(engine: TaskEngine): void {
    this.#engine = engine;
    this.#send(engine, this.#request);
  }

  onChild(child: TaskBase): void {
    const engine = this.#engine;
    if (this.isCompleted || !engine) return;
    if (child === this.#timer && this.#next) return this.#send(engine, this.#next);
    if (child !== this.#attempt) return;
    if (child.isFaulted) return this.fail(child.error ?? new Error('The HTTP request failed.'));
    const response = child.result as DurableHttpResponse;
    const location = header(response, 'location');
    if (response.statusCode !== 202 || !this.#request.asynchronousPatternEnabled || location === undefined) {
      return this.complete(response);
    }
    const current = this.#next ?? this.#request;
    // The poll drops the function key, as the Azure host does: the Location carries its own authorization.
    const headers = Object.fromEntries(
      Object.entries(this.#request.headers ?? {}).filter(([k]) => k.toLowerCase() !== 'x-functions-key'),
    );
    this.#next = {
      method: 'GET',
      uri: new URL(location, current.uri).toString(),
      headers,
      asynchronousPatternEnabled: true,
      ...(this.#request.tokenSource ? { tokenSource: this.#request.tokenSource } : {}),
    };
    const fireAt = engine.nowMs() + this.#retryAfterMs(response, engine.nowMs());
    const timer = new TimerTaskImpl(new Date(fireAt).toISOString());
    this.#timer = timer;
    timer.addParent(this);
    engine.track(timer);
  }

  #send(engine: TaskEngine, request: DurableHttpRequest): void {
    const attempt = new ActionTask({ kind: 'ScheduleTask', name: HTTP_ACTIVITY_NAME, input: JSON.stringify(request) });
    this.#attempt = attempt;
    attempt.addParent(this);
    engine.track(attempt);
  }

  /** Retry-After in seconds or as an HTTP date (against the deterministic now); the default otherwise. */
  #retryAfterMs(response: DurableHttpResponse, nowMs: number): number {
    const raw = header(response, 'retry-after');
    if (raw === undefined || raw.trim() === '') return this.#defaultIntervalMs;
    const seconds = Number(raw);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(raw);
    return Number.isNaN(date) ? this.#defaultIntervalMs : Math.max(0, date - nowMs);
  }
}

/** Header lookup, case-insensitive as HTTP header names are. */
function header(response: DurableHttpResponse, name: string): string | undefined {
  for (const [k, v] of Object.entries(response.headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** durable-functions' token source for callHttp: a managed identity token for `resource` goes with the request. */
export class ManagedIdentityTokenSource {
  readonly kind = 'AzureManagedIdentity' as const;
  constructor(readonly resource: string) {}
}
