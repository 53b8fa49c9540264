// The durable client HTTP functions receive: the hub's DurableClient plus the HTTP helpers of durable-functions
// (createCheckStatusResponse, createHttpManagementPayload, waitForCompletionOrCreateCheckStatusResponse), with URLs
// that point at this host. The host hands it to functions as a binding value shaped like Azure's.
import { toStatusJson } from '../client/status-view.js';
import type { DurableClient, DurableOrchestrationStatus, HttpManagementPayload } from '../client/types.js';
import { isTaskhubError, TaskhubError } from '../core/errors.js';
import { HttpResponse, type HttpRequest } from './http-types.js';
import { creationUrls, managementPayload, webhookBase, type ManagementUrlOptions } from './management-urls.js';

export interface WaitForCompletionHttpOptions {
  readonly timeoutInMilliseconds?: number;
  readonly retryIntervalInMilliseconds?: number;
}

export interface DurableHttpClient extends DurableClient {
  createCheckStatusResponse(request: HttpRequest | { url: string } | undefined, instanceId: string): HttpResponse;
  createHttpManagementPayload(instanceId: string): HttpManagementPayload;
  waitForCompletionOrCreateCheckStatusResponse(
    request: HttpRequest | { url: string } | undefined,
    instanceId: string,
    options?: WaitForCompletionHttpOptions,
  ): Promise<HttpResponse>;
  /** 2.x positional form. */
  waitForCompletionOrCreateCheckStatusResponse(
    request: HttpRequest | { url: string } | undefined,
    instanceId: string,
    timeoutInMilliseconds?: number,
    retryIntervalInMilliseconds?: number,
  ): Promise<HttpResponse>;
}

const CLIENT = Symbol.for('taskhub.durableClient');

/** Binding types that carry a durable client: 3.x `durableClient`, 2.x `orchestrationClient`. */
export function isDurableClientInput(binding: { readonly type: string }): boolean {
  return binding.type === 'durableClient' || binding.type === 'orchestrationClient';
}

/** The value of a durableClient / orchestrationClient binding: Azure's fields, plus the live client (hidden). */
export interface DurableClientBinding {
  readonly taskHubName: string;
  readonly creationUrls: ReturnType<typeof creationUrls>;
  readonly managementUrls: HttpManagementPayload;
  readonly baseUrl: string;
  readonly requiredQueryStringParameters: string;
  readonly [CLIENT]: { readonly client: DurableClient; readonly urls: ManagementUrlOptions };
}

export function createDurableClientBinding(client: DurableClient, urls: ManagementUrlOptions): DurableClientBinding {
  return {
    taskHubName: urls.taskHubName,
    creationUrls: creationUrls(urls),
    managementUrls: managementPayload(urls, 'INSTANCEID'),
    baseUrl: webhookBase(urls),
    requiredQueryStringParameters: urls.code ? `code=${encodeURIComponent(urls.code)}` : '',
    [CLIENT]: { client, urls },
  };
}

export function isDurableClientBinding(value: unknown): value is DurableClientBinding {
  return typeof value === 'object' && value !== null && CLIENT in value;
}

/** Builds the client a function sees from its binding value. */
export function clientFromBinding(binding: DurableClientBinding): DurableHttpClient {
  const { client, urls } = binding[CLIENT];
  return createDurableHttpClient(client, urls);
}

function originOf(
  request: HttpRequest | { url: string } | undefined,
  fallback: ManagementUrlOptions,
): ManagementUrlOptions {
  if (!request?.url || fallback.originIsPublic) return fallback;
  try {
    return { ...fallback, origin: new URL(request.url).origin };
  } catch {
    return fallback;
  }
}

export function createDurableHttpClient(client: DurableClient, urls: ManagementUrlOptions): DurableHttpClient {
  const checkStatus = (request: HttpRequest | { url: string } | undefined, instanceId: string): HttpResponse => {
    const payload = managementPayload(originOf(request, urls), instanceId);
    return new HttpResponse({
      status: 202,
      jsonBody: payload,
      headers: { 'Content-Type': 'application/json', Location: payload.statusQueryGetUri, 'Retry-After': '10' },
    });
  };

  // durable-functions treats the HTTP API's 410 Gone (the instance already finished) as success for these: an app that
  // signals a finished instance goes on quietly. The hub's own client (and the HTTP API's 410) keep the error.
  const quietWhenFinished =
    <A extends unknown[]>(call: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      try {
        await call(...args);
      } catch (err) {
        if (!isTaskhubError(err, 'INSTANCE_FINISHED')) throw err;
      }
    };

  const extras = {
    raiseEvent: quietWhenFinished(client.raiseEvent.bind(client)),
    terminate: quietWhenFinished(client.terminate.bind(client)),
    suspend: quietWhenFinished(client.suspend.bind(client)),
    resume: quietWhenFinished(client.resume.bind(client)),
    createCheckStatusResponse: checkStatus,
    createHttpManagementPayload: (instanceId: string): HttpManagementPayload => managementPayload(urls, instanceId),
    waitForCompletionOrCreateCheckStatusResponse: async (
      request: HttpRequest | { url: string } | undefined,
      instanceId: string,
      optionsOrTimeout?: WaitForCompletionHttpOptions | number,
      positionalRetry?: number,
    ): Promise<HttpResponse> => {
      const options: WaitForCompletionHttpOptions =
        typeof optionsOrTimeout === 'number'
          ? { timeoutInMilliseconds: optionsOrTimeout, retryIntervalInMilliseconds: positionalRetry }
          : (optionsOrTimeout ?? {});
      const timeout = options.timeoutInMilliseconds ?? 10_000;
      const interval = options.retryIntervalInMilliseconds ?? 1_000;
      if (interval > timeout) {
        throw new TaskhubError(
          'INVALID_ARGUMENT',
          `Total timeout ${timeout} (ms) should be bigger than retry timeout ${interval} (ms)`,
        );
      }
      let status: DurableOrchestrationStatus;
      try {
        status = await client.waitForCompletion(instanceId, {
          timeoutInMilliseconds: timeout,
          retryIntervalInMilliseconds: interval,
        });
      } catch (err) {
        if (isTaskhubError(err, 'TIMEOUT')) return checkStatus(request, instanceId);
        throw err;
      }
      switch (status.runtimeStatus) {
        case 'Completed':
          return new HttpResponse({ status: 200, jsonBody: status.output ?? null });
        case 'Failed':
          return new HttpResponse({ status: 500, jsonBody: toStatusJson(status) });
        default:
          // Terminated and Canceled: the whole status, as durable-functions answers.
          return new HttpResponse({ status: 200, jsonBody: toStatusJson(status) });
      }
    },
  };

  // A Proxy rather than a copy: methods the hub's client gains later (signalEntity, readEntityState) pass through.
  return new Proxy(client, {
    get(target, property) {
      if (typeof property === 'string' && Object.hasOwn(extras, property)) {
        return extras[property as keyof typeof extras];
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as DurableHttpClient;
}
