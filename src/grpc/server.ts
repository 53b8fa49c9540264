// The gRPC door onto a task hub: TaskHubSidecarService on @grpc/grpc-js, for the official Durable Task SDKs. Bound to
// loopback by default; on any other address every call must carry a key in the `x-functions-key` metadata header
// (the management API's rule). TLS when given a certificate and key.
import { readFileSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { CompletionWaiter } from '../client/completion-waiter.js';
import { isLoopback } from '../http/auth.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { sidecarService } from './proto.js';
import { sidecarHandlers } from './service.js';
import { RemoteWorkDispatcher } from './work-dispatcher.js';

/** The port the Durable Task Scheduler emulator and the SDKs' samples use for the sidecar. */
export const DEFAULT_GRPC_PORT = 4001;

export interface GrpcServerOptions {
  readonly store: Store;
  readonly logger: Logger;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 4001; 0 picks a free port. */
  readonly port?: number;
  /** Accepted keys; required (non-empty) when `host` is not loopback. */
  readonly keys?: readonly string[];
  /** PEM files: serve TLS instead of plaintext. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** Lock lease of work items out on SDK streams, ms (default 30000). */
  readonly leaseMs?: number;
  /** Idle polling interval for work from other processes, ms (default 500). */
  readonly pollMs?: number;
  readonly maxDeliveryCount?: number;
  /** Called after every client write a worker must act on (the host wakes its language worker). */
  readonly onClientWrite?: () => void;
  /**
   * False: serve clients only; GetWorkItems is refused (FAILED_PRECONDITION) because another worker (the app served
   * by `taskhub start`) runs this hub's orchestrations and activities. Default true.
   */
  readonly workItems?: boolean;
  /** When given, StartInstance refuses orchestration names it returns false for (NOT_FOUND), as the starter does. */
  readonly knownOrchestrations?: (name: string) => boolean;
}

export interface RunningGrpcServer {
  /** host:port, as an SDK's hostAddress. */
  readonly address: string;
  readonly port: number;
  readonly dispatcher: RemoteWorkDispatcher;
  /** Stops accepting calls, hands back work out on streams, and ends open streams. */
  close(): Promise<void>;
}

export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const host = options.host ?? '127.0.0.1';
  const keys = options.keys ?? [];
  if (!isLoopback(host) && keys.length === 0) {
    throw new Error(
      `The gRPC endpoint binds ${host}, which is not loopback: set TASKHUB_KEY or --keys-file so callers need a key.`,
    );
  }
  const waiter = new CompletionWaiter();
  const dispatcher = new RemoteWorkDispatcher({
    store: options.store,
    logger: options.logger,
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    ...(options.maxDeliveryCount === undefined ? {} : { maxDeliveryCount: options.maxDeliveryCount }),
    onFinished: (id) => waiter.notifyCompleted(id),
  });
  const definition = sidecarService();
  const handlers = sidecarHandlers(definition, {
    store: options.store,
    logger: options.logger,
    dispatcher,
    waiter,
    ...(options.onClientWrite === undefined ? {} : { onClientWrite: options.onClientWrite }),
    workItems: options.workItems ?? true,
    ...(options.knownOrchestrations === undefined ? {} : { knownOrchestrations: options.knownOrchestrations }),
  });
  const server = new grpc.Server({ 'grpc.keepalive_permit_without_calls': 1 });
  server.addService(definition, keys.length === 0 ? handlers : requireKey(handlers, keys));
  const credentials = options.tls
    ? grpc.ServerCredentials.createSsl(
        null,
        [{ cert_chain: readFileSync(options.tls.certFile), private_key: readFileSync(options.tls.keyFile) }],
        false,
      )
    : grpc.ServerCredentials.createInsecure();
  const bindHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${bindHost}:${String(options.port ?? DEFAULT_GRPC_PORT)}`, credentials, (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
  let closed: Promise<void> | undefined;
  return {
    address: `${bindHost === '0.0.0.0' || bindHost === '[::]' ? 'localhost' : bindHost}:${String(port)}`,
    port,
    dispatcher,
    close() {
      closed ??= (async () => {
        await dispatcher.stop();
        // Calls still open after a grace (a long WaitForInstanceCompletion) are cut off.
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => server.forceShutdown(), 5000);
          force.unref();
          server.tryShutdown(() => {
            clearTimeout(force);
            resolve();
          });
        });
      })();
      return closed;
    },
  };
}

/** Every handler refuses a call without one of `keys` in its `x-functions-key` metadata (UNAUTHENTICATED). */
function requireKey(
  handlers: grpc.UntypedServiceImplementation,
  keys: readonly string[],
): grpc.UntypedServiceImplementation {
  const refusal =
    'This gRPC endpoint is not bound to loopback, so every call needs a key in the x-functions-key metadata header.';
  const allowed = (metadata: grpc.Metadata): boolean => {
    const given = metadata.get('x-functions-key')[0];
    if (typeof given !== 'string') return false;
    const g = Buffer.from(given);
    return keys.some((key) => {
      const k = Buffer.from(key);
      return k.length === g.length && timingSafeEqual(k, g);
    });
  };
  const wrapped: grpc.UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(handlers)) {
    wrapped[name] = ((call: grpc.ServerUnaryCall<unknown, unknown>, callback?: grpc.sendUnaryData<unknown>) => {
      if (allowed(call.metadata)) {
        (handler as (c: unknown, cb?: unknown) => void)(call, callback);
        return;
      }
      const error = Object.assign(new Error(refusal), { code: grpc.status.UNAUTHENTICATED, details: refusal });
      if (callback) callback(error);
      else (call as unknown as grpc.ServerWritableStream<unknown, unknown>).emit('error', error);
    }) as grpc.UntypedHandleCall;
  }
  return wrapped;
}
