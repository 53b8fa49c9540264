// The `input.*`, `output.*` and `trigger.*` helpers of @azure/functions 4.x. Each returns the binding descriptor the
// real library returns (same `type`, same generated `name`), so a module that builds its bindings at load time loads
// here unchanged and its descriptors compare equal to Azure's.
import { createHash } from 'node:crypto';
import type { FunctionInput, FunctionOutput, FunctionTrigger } from '../invocation-context.js';
import { mcpPromptTriggerFields, mcpResourceTriggerFields, mcpToolTriggerFields } from './mcp.js';

/** Any options bag a helper takes: the descriptor carries its fields as given. */
export type BindingOptions = Record<string, unknown>;
/** `input.generic`, `output.generic`, `trigger.generic`: the caller names the type. */
export type GenericBindingOptions = { type: string; name?: string } & BindingOptions;

/**
 * Names a binding that has none as Azure does: its type (with the suffix) and a hash of its JSON, so every worker
 * process derives the same name for the same binding. Like Azure, the given object itself receives the name.
 */
export function addBindingName<T extends { type: string; name?: unknown }>(
  binding: T,
  suffix: 'Input' | 'Output' | 'Trigger',
): T & { name: string } {
  if (!binding.name) {
    const prefix = binding.type.toLowerCase().endsWith(suffix.toLowerCase()) ? binding.type : binding.type + suffix;
    const hash = createHash('sha256').update(JSON.stringify(binding)).digest('hex').slice(0, 10);
    binding.name = prefix + hash;
  }
  return binding as T & { name: string };
}

function typed(type: string, suffix: 'Input' | 'Output' | 'Trigger') {
  return (options: BindingOptions): FunctionInput => addBindingName({ ...options, type }, suffix);
}

/** Web PubSub bindings take `connections`; the older single `connection` becomes a one-element list. */
function withConnections(options: BindingOptions): BindingOptions {
  const { connection, ...rest } = options;
  return { ...rest, connections: rest.connections ?? (connection ? [connection] : undefined) };
}

export const input = {
  storageBlob: typed('blob', 'Input'),
  table: typed('table', 'Input'),
  cosmosDB: typed('cosmosDB', 'Input'),
  sql: typed('sql', 'Input'),
  mySql: typed('mysql', 'Input'),
  webPubSubConnection: typed('webPubSubConnection', 'Input'),
  webPubSubContext: (options: BindingOptions): FunctionInput =>
    addBindingName({ ...withConnections(options), type: 'webPubSubContext' }, 'Input'),
  generic: (options: GenericBindingOptions): FunctionInput => addBindingName(options, 'Input'),
};

export const output = {
  http: typed('http', 'Output') as (options?: BindingOptions) => FunctionOutput,
  storageBlob: typed('blob', 'Output'),
  table: typed('table', 'Output'),
  storageQueue: typed('queue', 'Output'),
  serviceBusQueue: typed('serviceBus', 'Output'),
  serviceBusTopic: typed('serviceBus', 'Output'),
  eventHub: typed('eventHub', 'Output'),
  eventGrid: typed('eventGrid', 'Output'),
  cosmosDB: typed('cosmosDB', 'Output'),
  sql: typed('sql', 'Output'),
  mySql: typed('mysql', 'Output'),
  webPubSub: typed('webPubSub', 'Output'),
  generic: (options: GenericBindingOptions): FunctionOutput => addBindingName(options, 'Output'),
};

export const trigger = {
  http: (options: BindingOptions = {}): FunctionTrigger =>
    addBindingName(
      {
        ...options,
        authLevel: options.authLevel || 'anonymous',
        methods: options.methods || ['GET', 'POST'],
        type: 'httpTrigger',
      },
      'Trigger',
    ),
  timer: typed('timerTrigger', 'Trigger'),
  storageBlob: typed('blobTrigger', 'Trigger'),
  storageQueue: typed('queueTrigger', 'Trigger'),
  serviceBusQueue: typed('serviceBusTrigger', 'Trigger'),
  serviceBusTopic: typed('serviceBusTrigger', 'Trigger'),
  eventHub: typed('eventHubTrigger', 'Trigger'),
  eventGrid: typed('eventGridTrigger', 'Trigger'),
  cosmosDB: typed('cosmosDBTrigger', 'Trigger'),
  warmup: typed('warmupTrigger', 'Trigger'),
  sql: typed('sqlTrigger', 'Trigger'),
  mySql: typed('mysqlTrigger', 'Trigger'),
  webPubSub: (options: BindingOptions): FunctionTrigger =>
    addBindingName({ ...withConnections(options), type: 'webPubSubTrigger' }, 'Trigger'),
  mcpTool: (options: BindingOptions): FunctionTrigger =>
    addBindingName({ ...mcpToolTriggerFields(options), type: 'mcpToolTrigger' }, 'Trigger'),
  mcpResource: (options: BindingOptions): FunctionTrigger =>
    addBindingName({ ...mcpResourceTriggerFields(options), type: 'mcpResourceTrigger' }, 'Trigger'),
  mcpPrompt: (options: BindingOptions): FunctionTrigger =>
    addBindingName({ ...mcpPromptTriggerFields(options), type: 'mcpPromptTrigger' }, 'Trigger'),
  connectorTrigger: typed('connectorTrigger', 'Trigger'),
  generic: (options: GenericBindingOptions): FunctionTrigger => addBindingName(options, 'Trigger'),
};
