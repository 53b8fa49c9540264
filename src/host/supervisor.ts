// The host side of `taskhub start`: forks the language worker process that runs the app's code, forwards the app's
// HTTP requests to it, and starts a new one whenever it ends (within a second, backing off while it keeps crashing).
// The host process itself runs no user code, so the management API, the dashboard and the store outlive any crash.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TaskhubError, type TaskhubErrorCode } from '../core/errors.js';
import { LogEvents, type Logger } from '../log.js';
import { readBody } from '../http/request-body.js';
import { DRAIN_GRACE_MS } from '../worker/worker.js';
import {
  EXIT_RECYCLED,
  HEARTBEAT_MS,
  isWorkerMessage,
  type AppSummary,
  type WorkerInit,
  type WorkerMessage,
} from './worker-protocol.js';

export type LanguageWorkerOptions = Omit<WorkerInit, 'type'> & {
  readonly logger: Logger;
  /** Extra environment for the worker process (tests set log levels through it). */
  readonly env?: NodeJS.ProcessEnv;
};

/** How soon a crashed worker is replaced: at once at first, then doubling while it keeps crashing, at most 1 s. */
const FIRST_RESTART_MS = 50;
const MAX_RESTART_MS = 1000;
/** A worker that lived this long is considered healthy again: its next crash restarts it at once. */
const HEALTHY_AFTER_MS = 10_000;
/**
 * A ready worker that sends no heartbeat for longer than the app's functionTimeout (this default without one, as
 * Azure's Consumption plan) plus a grace (this, or the timeout itself when shorter) is stuck in synchronous code:
 * nothing in it can time out, so it is killed.
 */
const DEFAULT_STALL_LIMIT_MS = 5 * 60_000;
const STALL_GRACE_MS = 10_000;
/** Suggested wait for an app request answered 503 while the worker restarts. */
const RETRY_AFTER_SECONDS = '1';

interface Pending {
  readonly resolve: (response: Response) => void;
}

/** The compiled worker entry next to this file (.js from dist, .ts when running from source under tsx). */
function workerEntry(): string {
  const self = fileURLToPath(import.meta.url);
  return path.join(path.dirname(self), `language-worker${path.extname(self)}`);
}

export class LanguageWorkerSupervisor {
  readonly #options: LanguageWorkerOptions;
  readonly #logger: Logger;
  #child: ChildProcess | undefined;
  #ready = false;
  #stopping = false;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #restartDelay = FIRST_RESTART_MS;
  #startedAt = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #firstStart: { resolve: (app: AppSummary) => void; reject: (err: Error) => void } | undefined;
  #finishedListener: ((instanceId: string) => void) | undefined;
  #exited: Promise<void> = Promise.resolve();
  #lastHeartbeat = 0;
  #stallLimitMs = DEFAULT_STALL_LIMIT_MS + STALL_GRACE_MS;
  #watchdog: NodeJS.Timeout | undefined;
  /** How many times a worker was started after the first (crashes and recycles). */
  restarts = 0;

  constructor(options: LanguageWorkerOptions) {
    this.#options = options;
    this.#logger = options.logger;
  }

  /** Starts the first worker; resolves with what it loaded, rejects with the app's load error. */
  start(): Promise<AppSummary> {
    return new Promise<AppSummary>((resolve, reject) => {
      this.#firstStart = { resolve, reject };
      this.#spawn();
    });
  }

  /** Called with the instance id of every execution the worker ends. */
  onFinished(listener: (instanceId: string) => void): void {
    this.#finishedListener = listener;
  }

  /** New work for the worker (written by a client in the host process). */
  wake(): void {
    if (this.#ready) this.#send({ type: 'wake' });
  }

  /** Answers an app request in the worker; 503 with Retry-After while no worker is ready. */
  async forward(request: Request): Promise<Response> {
    if (!this.#ready || !this.#child) return unavailable('The app is restarting; retry shortly.');
    const bodyless = request.method === 'GET' || request.method === 'HEAD';
    const body = bodyless ? undefined : await readBody(request, this.#options.maxBodyBytes);
    if (!this.#ready || !this.#child) return unavailable('The app is restarting; retry shortly.');
    const id = this.#nextId++;
    return new Promise<Response>((resolve) => {
      this.#pending.set(id, { resolve });
      this.#send({
        type: 'request',
        id,
        method: request.method,
        url: request.url,
        headers: [...request.headers],
        body,
      });
    });
  }

  /**
   * Asks the worker to drain and exit; kills it after `graceMs`, which outlasts the worker's own drain: killed before it
   * hands back what still runs, a deliberate stop would count as a failed delivery of that work.
   */
  async stop(graceMs = DRAIN_GRACE_MS + 5_000): Promise<void> {
    this.#stopping = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.#send({ type: 'stop' });
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  #send(message: Parameters<NonNullable<ChildProcess['send']>>[0]): void {
    const child = this.#child;
    // A send that races the worker's exit fails; the exit handler answers whatever was pending.
    if (child?.connected) child.send(message, (err) => err && undefined);
  }

  #spawn(): void {
    this.#startedAt = Date.now();
    const child = fork(workerEntry(), [], {
      execArgv: process.execArgv,
      serialization: 'advanced',
      stdio: 'inherit',
      env: { ...process.env, ...this.#options.env },
    });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('message', (message: unknown) => {
      if (isWorkerMessage(message)) this.#onMessage(message);
    });
    child.once('exit', (code, signal) => this.#onExit(child, code, signal));
    // An IPC error (the worker died mid-send) is followed by 'exit', which does the recovery.
    child.on('error', (err) => this.#logger.warn({ event: LogEvents.languageWorkerExited, err }, 'worker IPC error'));
    const { logger: _logger, env: _env, ...init } = this.#options;
    child.send({ type: 'init', ...init } satisfies WorkerInit);
  }

  #onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'ready':
        this.#ready = true;
        this.#watch(message.app.functionTimeoutMs);
        this.#logger.debug(
          { event: LogEvents.languageWorkerStarted, workerPid: this.#child?.pid },
          'language worker ready',
        );
        this.#firstStart?.resolve(message.app);
        this.#firstStart = undefined;
        return;
      case 'load-failed':
        if (this.#firstStart) {
          this.#stopping = true;
          const code = message.code as TaskhubErrorCode | undefined;
          this.#firstStart.reject(code ? new TaskhubError(code, message.message) : new Error(message.message));
          this.#firstStart = undefined;
        } else {
          this.#logger.error(
            { event: LogEvents.languageWorkerCrashed, message: message.message },
            'app failed to load',
          );
        }
        return;
      case 'response': {
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        const noBody = message.status === 204 || message.status === 304 || message.body.byteLength === 0;
        pending.resolve(
          new Response(noBody ? null : message.body, {
            status: message.status,
            headers: message.headers as [string, string][],
          }),
        );
        return;
      }
      case 'heartbeat':
        this.#lastHeartbeat = Date.now();
        return;
      case 'finished':
        this.#finishedListener?.(message.instanceId);
        return;
      case 'recycling':
        // It drains and exits on its own; new requests go nowhere until its successor is ready.
        this.#ready = false;
        this.#logger.warn({ event: LogEvents.languageWorkerRecycling, reason: message.reason }, 'recycling the worker');
        return;
    }
  }

  /** Starts the watchdog of a worker that just became ready. */
  #watch(functionTimeoutMs: number | undefined): void {
    const limit = functionTimeoutMs ?? DEFAULT_STALL_LIMIT_MS;
    this.#stallLimitMs = limit + Math.min(STALL_GRACE_MS, limit);
    this.#lastHeartbeat = Date.now();
    if (this.#watchdog) return;
    this.#watchdog = setInterval(() => {
      const child = this.#child;
      const silentMs = Date.now() - this.#lastHeartbeat;
      if (!child || !this.#ready || silentMs <= this.#stallLimitMs) return;
      this.#logger.error(
        { event: LogEvents.languageWorkerUnresponsive, workerPid: child.pid, silentMs },
        `the app's worker process has not answered for ${Math.round(silentMs / 1000)} s (synchronous code that ` +
          'never yields?); killing it',
      );
      this.#ready = false;
      child.kill('SIGKILL');
    }, HEARTBEAT_MS);
    this.#watchdog.unref();
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#child !== child) return;
    this.#ready = false;
    this.#child = undefined;
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.resolve(unavailable('The app stopped while handling this request; retry it.'));
    }
    if (this.#firstStart) {
      this.#firstStart.reject(
        new Error(`The app's worker process exited (${signal ?? `code ${code}`}) while loading.`),
      );
      this.#firstStart = undefined;
      return;
    }
    if (this.#stopping) {
      if (this.#watchdog) clearInterval(this.#watchdog);
      return;
    }
    const lived = Date.now() - this.#startedAt;
    if (lived > HEALTHY_AFTER_MS || code === EXIT_RECYCLED) this.#restartDelay = FIRST_RESTART_MS;
    const delay = code === EXIT_RECYCLED ? 0 : this.#restartDelay;
    this.#restartDelay = Math.min(MAX_RESTART_MS, this.#restartDelay * 2);
    this.#logger.warn(
      { event: LogEvents.languageWorkerExited, workerPid: child.pid, code, signal, restartInMs: delay },
      `the app's worker process exited (${signal ?? `code ${code}`}); starting a new one`,
    );
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (this.#stopping) return;
      this.restarts++;
      this.#spawn();
    }, delay);
  }
}

function unavailable(message: string): Response {
  return Response.json(
    { Message: message, code: 'APP_RESTARTING' },
    { status: 503, headers: { 'Retry-After': RETRY_AFTER_SECONDS } },
  );
}
