// Azure Storage blob and queue bindings of any function (HTTP, activity, queue, blob or timer triggered): blob
// inputs read before the invocation, blob and queue outputs delivered after it succeeded, through Microsoft's Storage
// SDKs against the account the binding's `connection` names. Paths take binding expressions as Azure does.
import { randomUUID } from 'node:crypto';
import { RestError } from '@azure/storage-blob';
import { isTaskhubError } from '../../core/errors.js';
import { resolveSettingExpressions } from '../settings.js';
import { accountFor, storageConnectionString, type StorageAccount } from '../triggers/storage/connection.js';
import { queueHostOptions, type QueueHostOptions } from '../triggers/storage/host-options.js';

/**
 * A binding that cannot be read or delivered at invocation time (a `{name}` with no value, a bad path): a failure of
 * the invocation (500 for an HTTP function, a retry for a queue message), not a bad request.
 */
export class StorageBindingError extends Error {
  readonly code = 'BINDING_FAILED';
  override readonly name = 'StorageBindingError';
}

/** A binding as declared (function.json entry or app.* descriptor). */
export interface StorageBinding {
  readonly name: string;
  readonly type: string;
  readonly path?: unknown;
  readonly queueName?: unknown;
  readonly connection?: unknown;
  readonly dataType?: unknown;
}

/** Output binding types delivered here. */
export const STORAGE_OUTPUT_TYPES: ReadonlySet<string> = new Set(['blob', 'queue']);

export function isStorageBinding(binding: { readonly type?: unknown }): boolean {
  return typeof binding.type === 'string' && ['blob', 'queue', 'blobTrigger', 'queueTrigger'].includes(binding.type);
}

/** The connection strings of the storage bindings among `bindings` (for Azurite; unresolvable ones are skipped). */
export function storageConnectionsOf(bindings: Iterable<{ readonly type?: unknown; readonly connection?: unknown }>) {
  const found = new Set<string>();
  for (const binding of bindings) {
    if (!isStorageBinding(binding)) continue;
    try {
      found.add(storageConnectionString(binding));
    } catch {
      // Reported where the binding is used, with the function's name.
    }
  }
  return found;
}

/** Storage bindings of activities, which the registry keeps no trace of (for the Azurite the host starts). */
const activityBindings = new WeakMap<object, { readonly type?: unknown; readonly connection?: unknown }[]>();

export function recordStorageBindings(
  app: object,
  bindings: readonly { readonly type?: unknown; readonly connection?: unknown }[],
): void {
  const list = activityBindings.get(app) ?? [];
  list.push(...bindings.filter(isStorageBinding));
  activityBindings.set(app, list);
}

/** Every binding of an app's functions that a storage account serves, activities' included. */
export function storageBindingsOfApp(app: {
  readonly triggerFunctions: readonly {
    readonly trigger: object;
    readonly extraInputs: readonly object[];
    readonly extraOutputs: readonly object[];
    readonly return?: object;
  }[];
  readonly httpFunctions: readonly {
    readonly extraInputs: readonly object[];
    readonly extraOutputs?: readonly object[];
  }[];
}): { readonly type?: unknown; readonly connection?: unknown }[] {
  const all: object[] = [];
  for (const fn of app.triggerFunctions) {
    all.push(fn.trigger, ...fn.extraInputs, ...fn.extraOutputs, ...(fn.return ? [fn.return] : []));
  }
  for (const fn of app.httpFunctions) all.push(...fn.extraInputs, ...(fn.extraOutputs ?? []));
  all.push(...(activityBindings.get(app) ?? []));
  return (all as { readonly type?: unknown; readonly connection?: unknown }[]).filter(isStorageBinding);
}

const EXPRESSION = /\{([^{}]+)\}/g;

/** `{DateTime}` as Azure formats it in paths: UTC, no colons (2026-11-30T06-31-38Z). */
function pathDateTime(now: Date): string {
  return now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
}

/**
 * Resolves `{name}`, `{a.b}` (case-insensitive, as Azure's binding data), `{rand-guid}`, `{sys.randguid}`,
 * `{DateTime}` and `{sys.utcnow}` in a blob path or queue name. A name with no value is an error naming it, as in
 * Azure ("No value for named parameter").
 */
export function resolveBindingExpression(template: string, data: Record<string, unknown>, where: string): string {
  const now = new Date();
  return template.replace(EXPRESSION, (_whole, expression: string) => {
    const key = expression.trim();
    const lower = key.toLowerCase();
    if (lower === 'rand-guid' || lower === 'sys.randguid') return randomUUID();
    if (lower === 'datetime') return pathDateTime(now);
    if (lower === 'sys.utcnow') return now.toISOString();
    let value: unknown = data;
    for (const part of key.split('.')) value = lookup(value, part);
    if (value === undefined || value === null || typeof value === 'object') {
      throw new StorageBindingError(`${where}: no value for the binding expression {${key}}.`);
    }
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

function lookup(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (key in record) return record[key];
  const lower = key.toLowerCase();
  const match = Object.keys(record).find((k) => k.toLowerCase() === lower);
  return match === undefined ? undefined : record[match];
}

/** `container/some/blob.txt` → its container and blob name. */
export function splitBlobPath(blobPath: string, where: string): { container: string; blob: string } {
  const trimmed = blobPath.replace(/^\/+/, '');
  const slash = trimmed.indexOf('/');
  if (slash <= 0 || slash === trimmed.length - 1) {
    throw new StorageBindingError(`${where}: the blob path '${blobPath}' must be 'container/blob'.`);
  }
  return { container: trimmed.slice(0, slash), blob: trimmed.slice(slash + 1) };
}

/** A binding's path or queue name, its `%SETTING%` parts read from the app settings (`{…}` parts are the caller's). */
function requiredString(binding: StorageBinding, key: 'path' | 'queueName', where: string): string {
  const value = binding[key];
  if (typeof value !== 'string' || value === '') {
    throw new StorageBindingError(`${where}: the ${binding.type} binding '${binding.name}' needs '${key}'.`);
  }
  try {
    return resolveSettingExpressions(value, `${where}: the ${binding.type} binding '${binding.name}'`);
  } catch (err) {
    throw new StorageBindingError((err as Error).message);
  }
}

/** The account of a binding; a missing or refused connection fails the invocation that uses it. */
function bindingAccount(binding: StorageBinding, where: string): StorageAccount {
  try {
    return accountFor(binding);
  } catch (err) {
    if (isTaskhubError(err)) throw new StorageBindingError(`${where}: ${err.message}`);
    throw err;
  }
}

/** Bytes of a value written to a blob: bytes as they are, a string as UTF-8, anything else as JSON. */
function toBytes(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.from(JSON.stringify(value) ?? 'null', 'utf8');
}

/** The text of one queue message as the Functions host writes it (base64 unless host.json says `none`). */
export function encodeQueueMessage(value: unknown, options: QueueHostOptions): string {
  const bytes = toBytes(value);
  if (options.messageEncoding === 'base64') return bytes.toString('base64');
  return bytes.toString('utf8');
}

const createdQueues = new Set<string>();
const createdContainers = new Set<string>();
/**
 * In-process wake-ups: an output written to a queue or container wakes this process's listener on it at once (as
 * the Functions host's shared queue watcher does), instead of at its next poll. Keyed by the queue or container URL.
 */
const writeWakers = new Map<string, Set<() => void>>();

/** Registers a listener's wake-up for a queue or container URL; returns its removal. */
function onWrite(url: string, wake: () => void): () => void {
  const key = url.toLowerCase();
  let set = writeWakers.get(key);
  if (!set) writeWakers.set(key, (set = new Set()));
  set.add(wake);
  return () => set.delete(wake);
}

function notifyWrite(url: string): void {
  for (const wake of writeWakers.get(url.toLowerCase()) ?? []) wake();
}

export const onQueueWrite = onWrite;
export const onBlobWrite = onWrite;

/** Reads the blob inputs among `inputs`: a Buffer (or a string with `dataType: 'string'`), null when missing. */
export async function readStorageInputs(
  inputs: readonly StorageBinding[],
  data: Record<string, unknown>,
  functionName: string,
): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const input of inputs) {
    if (input.type !== 'blob') continue;
    const where = `function '${functionName}', binding '${input.name}'`;
    const { container, blob } = splitBlobPath(
      resolveBindingExpression(requiredString(input, 'path', where), data, where),
      where,
    );
    const client = bindingAccount(input, where).blobs.getContainerClient(container).getBlobClient(blob);
    try {
      const bytes = await client.downloadToBuffer();
      values[input.name] = input.dataType === 'string' ? bytes.toString('utf8') : bytes;
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 404) values[input.name] = null;
      else throw err;
    }
  }
  return values;
}

/** One output to deliver: its binding and the value the function gave it. */
export interface OutputValue {
  readonly binding: StorageBinding;
  readonly value: unknown;
}

/**
 * The storage outputs of one successful invocation: the declared `outputs` that were set (by name in `values`),
 * and the `return` binding with the handler's return value.
 */
export function storageOutputsOf(
  outputs: readonly StorageBinding[],
  values: Iterable<[string, unknown]>,
  returnBinding?: StorageBinding,
  returnValue?: unknown,
): OutputValue[] {
  const byName = new Map(values);
  const found: OutputValue[] = [];
  for (const binding of outputs) {
    if (!STORAGE_OUTPUT_TYPES.has(binding.type)) continue;
    const value = byName.get(binding.name);
    if (value !== undefined && value !== null) found.push({ binding, value });
  }
  if (
    returnBinding &&
    STORAGE_OUTPUT_TYPES.has(returnBinding.type) &&
    returnValue !== undefined &&
    returnValue !== null
  ) {
    found.push({ binding: returnBinding, value: returnValue });
  }
  return found;
}

/**
 * Writes each output: a blob (created or replaced) or queue messages (an array is one message per item, as Azure
 * does). Queues and containers are created on first use. Throws the first failure, after trying every output.
 */
export async function deliverStorageOutputs(
  outputs: readonly OutputValue[],
  data: Record<string, unknown>,
  functionName: string,
  appRoot: string | undefined,
): Promise<void> {
  const failures: unknown[] = [];
  for (const { binding, value } of outputs) {
    const where = `function '${functionName}', binding '${binding.name}'`;
    try {
      if (binding.type === 'blob') await writeBlob(binding, value, data, where);
      else await sendMessages(binding, value, data, where, queueHostOptions(appRoot));
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length > 0) throw failures[0];
}

async function writeBlob(binding: StorageBinding, value: unknown, data: Record<string, unknown>, where: string) {
  const { container, blob } = splitBlobPath(
    resolveBindingExpression(requiredString(binding, 'path', where), data, where),
    where,
  );
  const containerClient = bindingAccount(binding, where).blobs.getContainerClient(container);
  if (!createdContainers.has(containerClient.url)) {
    await containerClient.createIfNotExists();
    createdContainers.add(containerClient.url);
  }
  const bytes = toBytes(value);
  await containerClient.getBlockBlobClient(blob).uploadData(bytes);
  notifyWrite(containerClient.url);
}

async function sendMessages(
  binding: StorageBinding,
  value: unknown,
  data: Record<string, unknown>,
  where: string,
  options: QueueHostOptions,
) {
  const queueName = resolveBindingExpression(requiredString(binding, 'queueName', where), data, where).toLowerCase();
  const queue = bindingAccount(binding, where).queues.getQueueClient(queueName);
  if (!createdQueues.has(queue.url)) {
    await queue.createIfNotExists();
    createdQueues.add(queue.url);
  }
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) await queue.sendMessage(encodeQueueMessage(item, options));
  notifyWrite(queue.url);
}
