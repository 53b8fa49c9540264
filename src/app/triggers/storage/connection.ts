// The storage account a binding's `connection` names, as the Functions host finds it: an app setting holding a
// connection string (default `AzureWebJobsStorage`; `UseDevelopmentStorage=true` is Azurite's well-known account).
// Clients are Microsoft's own Storage SDK clients, one per account and process.
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { TaskhubError } from '../../../core/errors.js';

/** The app setting a storage binding with no `connection` reads (the Functions host's default). */
export const DEFAULT_STORAGE_SETTING = 'AzureWebJobsStorage';

/** Azurite's well-known development account (`UseDevelopmentStorage=true`), as documented by Microsoft. */
export const DEVELOPMENT_ACCOUNT = {
  name: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
  blobPort: 10000,
  queuePort: 10001,
  tablePort: 10002,
} as const;

export interface StorageAccount {
  /** The connection string, as the setting holds it. */
  readonly connectionString: string;
  readonly queues: QueueServiceClient;
  readonly blobs: BlobServiceClient;
}

/** A binding (trigger, input or output) as far as its storage account goes. */
export interface StorageConnectionRef {
  readonly connection?: unknown;
}

/**
 * The connection string for a binding's `connection` (an app setting name; `AzureWebJobs<name>` is tried too, as
 * the host does). Identity-based connections (`<name>__serviceUri`, `__queueServiceUri`, `__accountName` …) need
 * Azure credentials Taskhub does not take: they are refused with a clear error, as is a missing setting.
 */
export function storageConnectionString(binding: StorageConnectionRef, env: NodeJS.ProcessEnv = process.env): string {
  const name =
    typeof binding.connection === 'string' && binding.connection !== '' ? binding.connection : DEFAULT_STORAGE_SETTING;
  const value = env[name] ?? env[`AzureWebJobs${name}`];
  if (value !== undefined && value.trim() !== '') return value.trim();
  const identity = Object.keys(env).find((key) => key.toLowerCase().startsWith(`${name.toLowerCase()}__`));
  if (identity !== undefined) {
    throw new TaskhubError(
      'NOT_SUPPORTED',
      `The storage connection '${name}' is identity-based (${identity}); Taskhub takes storage accounts by ` +
        `connection string only. Set ${name} to a connection string (or UseDevelopmentStorage=true for Azurite).`,
    );
  }
  throw new TaskhubError(
    'INVALID_ARGUMENT',
    `The storage connection '${name}' names no app setting; set ${name} in local.settings.json Values or the ` +
      'environment (UseDevelopmentStorage=true for Azurite).',
  );
}

const accounts = new Map<string, StorageAccount>();

/**
 * 'bindings' clients keep the SDK's own retries (an output is worth a few seconds of retrying); 'listener' clients
 * retry briefly, since a listener polls again anyway: an account not up yet (Azurite starting beside the worker)
 * then costs one short backoff, not the SDK's 4-8-16 s of retries on one poll.
 */
export type ClientPurpose = 'bindings' | 'listener';

const LISTENER_RETRIES = { maxTries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 1000 };

/** The SDK clients for a connection string (cached: one pipeline per account, purpose and process). */
export function storageAccount(connectionString: string, purpose: ClientPurpose = 'bindings'): StorageAccount {
  const key = `${purpose} ${connectionString}`;
  let account = accounts.get(key);
  if (!account) {
    const options = purpose === 'listener' ? { retryOptions: LISTENER_RETRIES } : {};
    try {
      account = {
        connectionString,
        queues: QueueServiceClient.fromConnectionString(connectionString, options),
        blobs: BlobServiceClient.fromConnectionString(connectionString, options),
      };
    } catch (err) {
      throw new TaskhubError(
        'INVALID_ARGUMENT',
        `The storage connection string is not usable by the Azure Storage SDK: ${(err as Error).message}`,
      );
    }
    accounts.set(key, account);
  }
  return account;
}

/** The account a binding's `connection` names. */
export function accountFor(binding: object, purpose: ClientPurpose = 'bindings'): StorageAccount {
  return storageAccount(storageConnectionString(binding), purpose);
}

export interface DevelopmentEndpoints {
  readonly blob: URL;
  readonly queue: URL;
  readonly table: URL | undefined;
}

/**
 * Where Azurite must listen for this connection string, when it names the development account on this machine:
 * `UseDevelopmentStorage=true` (ports 10000-10002), or a `devstoreaccount1` connection string whose blob and queue
 * endpoints are loopback addresses (tests pass free ports this way). Undefined for any other account.
 */
export function developmentEndpoints(connectionString: string): DevelopmentEndpoints | undefined {
  const parts = new Map<string, string>();
  for (const piece of connectionString.split(';')) {
    const at = piece.indexOf('=');
    if (at > 0) parts.set(piece.slice(0, at).trim().toLowerCase(), piece.slice(at + 1).trim());
  }
  if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') {
    const proxy = parts.get('developmentstorageproxyuri');
    const host = proxy ? new URL(proxy).hostname : '127.0.0.1';
    if (!isLoopbackHost(host)) return undefined;
    const at = (port: number): URL => new URL(`http://${host}:${String(port)}/${DEVELOPMENT_ACCOUNT.name}`);
    return {
      blob: at(DEVELOPMENT_ACCOUNT.blobPort),
      queue: at(DEVELOPMENT_ACCOUNT.queuePort),
      table: at(DEVELOPMENT_ACCOUNT.tablePort),
    };
  }
  if (parts.get('accountname') !== DEVELOPMENT_ACCOUNT.name) return undefined;
  const blob = urlOrUndefined(parts.get('blobendpoint'));
  const queue = urlOrUndefined(parts.get('queueendpoint'));
  if (!blob || !queue || !isLoopbackHost(blob.hostname) || !isLoopbackHost(queue.hostname)) return undefined;
  return { blob, queue, table: urlOrUndefined(parts.get('tableendpoint')) };
}

function urlOrUndefined(text: string | undefined): URL | undefined {
  if (text === undefined) return undefined;
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '[::1]' || host === '::1';
}

/** A development-account connection string with explicit endpoints (what tests hand an app for their Azurite). */
export function developmentConnectionString(ports: { blob: number; queue: number; table?: number }): string {
  const at = (port: number): string => `http://127.0.0.1:${String(port)}/${DEVELOPMENT_ACCOUNT.name}`;
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${DEVELOPMENT_ACCOUNT.name}`,
    `AccountKey=${DEVELOPMENT_ACCOUNT.key}`,
    `BlobEndpoint=${at(ports.blob)}`,
    `QueueEndpoint=${at(ports.queue)}`,
    ...(ports.table === undefined ? [] : [`TableEndpoint=${at(ports.table)}`]),
  ].join(';');
}
