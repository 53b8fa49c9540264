// The messages between `taskhub start` (the host) and its language worker process, the one process that runs the
// app's code. They travel over Node's IPC channel with structured-clone serialization, so bodies stay bytes.
import type { VersioningOptions } from '../core/versioning.js';
import type { RetentionPolicy } from '../retention/policy.js';

/** What the language worker loaded, as plain data: the host prints it and serves the management API with it. */
export interface AppSummary {
  readonly root: string;
  readonly kind: 'classic' | 'code-first';
  readonly hubName: string;
  readonly routePrefix: string;
  readonly httpFunctions: readonly { readonly name: string; readonly methods: readonly string[]; route: string }[];
  readonly orchestrations: readonly string[];
  readonly activities: readonly string[];
  readonly entities: readonly string[];
  /** host.json functionTimeout in ms, when set (the host's watchdog allows a silent worker that long, plus grace). */
  readonly functionTimeoutMs: number | undefined;
  /** Functions defined but not served here, with their trigger type (see AppDefinition.unservedFunctions). */
  readonly unserved: readonly { readonly name: string; readonly trigger: string; readonly reason?: string }[];
  /** Functions served by a trigger service (timer, queue, blob …), with their trigger type. */
  readonly triggered: readonly { readonly name: string; readonly trigger: string }[];
  /** Connection strings of the app's storage triggers and bindings (the host starts Azurite for development ones). */
  readonly storageConnections?: readonly string[];
  /**
   * Orchestrations registered side by side in several versions, by name: the host's starts give new instances the
   * newest, as the worker's do. Absent or empty when none is versioned.
   */
  readonly orchestrationVersions?: Readonly<Record<string, readonly string[]>>;
  /** host.json's versioning settings (defaultVersion, versionMatchStrategy, versionFailureStrategy). */
  readonly versioning?: VersioningOptions;
}

/** Everything the language worker needs to load the app and open its task hub as the host would. */
export interface WorkerInit {
  readonly type: 'init';
  readonly appPath: string;
  /** The `--store` option as given (parsed in the worker against the app folder). */
  readonly store: string | undefined;
  readonly hub: string | undefined;
  /** `taskhub worker --lease-ms`. */
  readonly leaseMs?: number | undefined;
  /** `--retention`, parsed: what it gives replaces host.json's retention settings of the same name. */
  readonly retention?: Partial<RetentionPolicy> | undefined;
  /** False for `taskhub worker`: no HTTP functions are served (the host forwards no requests). */
  readonly serveHttp?: boolean;
  /** The address the host is bound to, and its keys: the worker checks function keys exactly as the host would. */
  readonly bindHost: string;
  readonly keys: readonly string[];
  readonly maxBodyBytes: number;
  readonly readOnly: boolean;
  readonly publicUrl: string | undefined;
  /**
   * Origin of the host's HTTP server (`http://localhost:7071`): the URLs a durable client binding hands out to a
   * function no request started (timer, queue …). Undefined for `taskhub worker`.
   */
  readonly origin?: string;
}

export interface ForwardedRequest {
  readonly type: 'request';
  readonly id: number;
  readonly method: string;
  readonly url: string;
  readonly headers: readonly [string, string][];
  readonly body: Uint8Array | undefined;
}

export type HostMessage =
  | WorkerInit
  | ForwardedRequest
  /** A client in the host wrote work the worker should claim now instead of at its next poll. */
  | { readonly type: 'wake' }
  /** Drain and exit 0. */
  | { readonly type: 'stop' };

export interface ForwardedResponse {
  readonly type: 'response';
  readonly id: number;
  readonly status: number;
  readonly headers: readonly [string, string][];
  readonly body: Uint8Array;
}

export type WorkerMessage =
  | { readonly type: 'ready'; readonly app: AppSummary }
  /** Sent every HEARTBEAT_MS while the worker's event loop turns: silence means it is stuck (a synchronous loop). */
  | { readonly type: 'heartbeat' }
  /** The app did not load; `code` is the TaskhubError code, when it was one. */
  | { readonly type: 'load-failed'; readonly message: string; readonly code?: string }
  | ForwardedResponse
  /** An execution ended: wakes waitForCompletion calls in the host. */
  | { readonly type: 'finished'; readonly instanceId: string }
  /**
   * The worker stopped taking work and will exit once drained, because code it cannot stop is still running (an
   * activity past functionTimeout): the host starts a fresh one at once.
   */
  | { readonly type: 'recycling'; readonly reason: string };

/** The hub name used when neither `--hub` nor host.json names one (local Durable Functions' default). */
/** The port `taskhub start` serves on when neither --port nor PORT says otherwise (func start's). */
export const DEFAULT_PORT = 7071;
export const DEFAULT_HUB = 'TestHubName';

/** How often a ready language worker says it is alive. */
export const HEARTBEAT_MS = 1000;

/** Exit code of a language worker that ended because the app's code threw where nothing could catch it. */
export const EXIT_UNCAUGHT = 70;
/** Exit code of a language worker recycled after draining (see 'recycling'). */
export const EXIT_RECYCLED = 75;

function hasType(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** Messages come only from our own other process; the check keeps a stray `process.send` of the app's harmless. */
export function isHostMessage(value: unknown): value is HostMessage {
  return hasType(value);
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return hasType(value);
}
