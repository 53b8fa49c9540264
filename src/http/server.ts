// The HTTP host: one Hono app serving a task hub's management API and a loaded app's HTTP functions, on
// @hono/node-server. Closing stops accepting, lets in-flight requests finish, then closes the hub.
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import type { AppDefinition } from '../app/app-definition.js';
import { WEBHOOK_PATH } from '../app/management-urls.js';
import { TaskhubError } from '../core/errors.js';
import type { TaskHub } from '../hub-types.js';
import { createLogger, type Logger } from '../log.js';
import { isLoopback } from './auth.js';
import { dashboard } from './dashboard.js';
import { errorAnswer, HttpError } from './errors.js';
import type { HostContext } from './host-context.js';
import { StartAdmission, type StartAdmissionOptions } from './start-admission.js';
import { managementApi } from './management-api.js';
import { DEFAULT_MAX_BODY_BYTES } from './request-body.js';
import { userFunctionRouter } from './user-functions.js';

export interface HttpHostOptions {
  readonly hub: TaskHub;
  /** The app whose HTTP functions (and built-in starter) this host runs in its own process. */
  readonly app?: AppDefinition;
  /** host.json's maxDeliveryCount when `app` does not carry it (a host whose app runs in a worker process). */
  readonly maxDeliveryCount?: number;
  /**
   * Hands every request that is not the management API's, the dashboard's or (when `app` is given too) served by
   * `app`, to the process that runs the app's code (the language worker), and returns its answer.
   */
  readonly forwardAppRequest?: (request: Request) => Promise<Response>;
  /** Accepted keys. Required (non-empty) unless the host is bound to loopback, where they are ignored. */
  readonly keys?: readonly string[];
  /** Largest request body in bytes (default 1 MiB); bigger bodies get 413. */
  readonly maxBodyBytes?: number;
  readonly logger?: Logger;
  /** The address bound; decides whether keys are required (default 127.0.0.1). */
  readonly host?: string;
  /** Answer 403 to every mutating request of the management API, the dashboard and the starter (default false). */
  readonly readOnly?: boolean;
  /**
   * Where callers reach this host, e.g. `https://taskhub.example.com` (behind a proxy, a path prefix is kept). URLs
   * handed out (check-status answers, the durable client's) are built from it instead of the request's Host header.
   */
  readonly publicUrl?: string;
  /**
   * Hold start requests while many instances wait for their first episode (StartAdmission); the hosts that run
   * workers set it. Absent: starts are never held.
   */
  readonly startPacing?: StartAdmissionOptions;
  /** Serve the web dashboard at `/` (default true). */
  readonly dashboard?: boolean;
  /** Aborted when the host closes: ends the dashboard's live feeds so they never hold up a drain. */
  readonly closeSignal?: AbortSignal;
}

/** The Hono app of a host (usable without a socket, e.g. `app.request(...)` in tests). */
export function createHttpApp(options: HttpHostOptions): Hono {
  const bindHost = options.host ?? '127.0.0.1';
  const keys = isLoopback(bindHost) ? [] : (options.keys ?? []);
  if (!isLoopback(bindHost) && keys.length === 0) {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      `Bound to ${bindHost}, the management API would be open to the network. Set TASKHUB_KEY (or a keys file), ` +
        'or bind to 127.0.0.1.',
    );
  }
  const logger = options.logger ?? createLogger();
  const deliveryLimit = options.maxDeliveryCount ?? options.app?.maxDeliveryCount;
  const host: HostContext = {
    hub: options.hub,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    keys,
    readOnly: options.readOnly ?? false,
    publicUrl: options.publicUrl === undefined ? undefined : parsePublicUrl(options.publicUrl),
    logger,
    ...(deliveryLimit === undefined ? {} : { maxDeliveryCount: deliveryLimit }),
    ...(options.startPacing ? { startAdmission: new StartAdmission(options.hub.store, options.startPacing) } : {}),
  };

  const app = new Hono();
  app.onError((err, c) => {
    const answer = errorAnswer(err);
    if (answer.unexpected) logger.error({ err, method: c.req.method, url: c.req.url }, 'http.request-failed');
    return c.json(answer.body, answer.status as 400, answer.headers);
  });
  app.route(WEBHOOK_PATH, managementApi(host));
  if (options.dashboard ?? true) {
    app.route('/', dashboard(host, { closeSignal: options.closeSignal }));
  }

  const forward = options.forwardAppRequest;
  if (!options.app && !forward) {
    throw new TaskhubError('INVALID_ARGUMENT', 'An HTTP host needs an app or forwardAppRequest.');
  }
  const router = options.app ? userFunctionRouter(host, options.app) : undefined;
  if (forward) {
    // With both: `app` holds what this process serves itself (the built-in starter), the rest goes to the worker.
    app.all('*', async (c) => (await router?.handle(c)) ?? forward(c.req.raw));
    return app;
  }
  if (!router) throw new TaskhubError('INVALID_ARGUMENT', 'An HTTP host needs an app or forwardAppRequest.');
  app.all('*', async (c) => {
    const response = await router.handle(c);
    if (response) return response;
    throw new HttpError(404, 'NOT_FOUND', `No function serves ${c.req.method} ${new URL(c.req.url).pathname}.`);
  });
  return app;
}

/** An absolute http(s) URL with no query, fragment or credentials; returned without a trailing slash. */
export function parsePublicUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash || url.username || url.password) {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      `The public URL must be an absolute http(s) URL such as https://taskhub.example.com, not '${value}'.`,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export interface RunningHttpHost {
  /** Base URL, e.g. http://127.0.0.1:7071. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and waits for in-flight requests (up to `graceMs`, default 10 s). */
  close(graceMs?: number): Promise<void>;
}

export async function startHttpHost(options: HttpHostOptions & { readonly port?: number }): Promise<RunningHttpHost> {
  const closing = new AbortController();
  const app = createHttpApp({ ...options, closeSignal: closing.signal });
  const hostname = options.host ?? '127.0.0.1';
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname, port: options.port ?? 7071 }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const shownHost = hostname === '0.0.0.0' || hostname === '::' ? 'localhost' : hostname;
  const urlHost = shownHost.includes(':') ? `[${shownHost}]` : shownHost;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    close: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        closing.abort();
        const timer = setTimeout(() => {
          if ('closeAllConnections' in server) server.closeAllConnections();
        }, graceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      }),
  };
}
