// Typed calls from a durable client: start an orchestration with its declared input, read its status or wait for it
// with its declared output, raise declared events, read an entity's declared state. Each is the client's own method
// with the declaration's name; any client with that method works (durable-functions' DurableClient, Taskhub's,
// a test hub and its `client`).
import type { RuntimeStatus } from '../core/history.js';
import type {
  EntityOperations,
  EventDeclaration,
  InputArgs,
  OrchestrationDeclaration,
  TypedEntityId,
} from './declarations.js';

/** The fields of a status the typed view changes; every client's status has them. */
interface StatusLike {
  readonly input: unknown;
  readonly output: unknown;
  readonly runtimeStatus: string;
}

/**
 * A client's status of an instance of a declared orchestration: the client's own status object, with `input` typed
 * as declared and `output` typed as declared once `runtimeStatus` is `'Completed'` (check it first: a failed
 * instance's output is its error message, a terminated one's the reason, a running one's null).
 */
export type TypedOrchestrationStatus<TStatus, TInput, TOutput> = Omit<TStatus, 'input' | 'output' | 'runtimeStatus'> & {
  /** The input the instance started with; null when the status was read with `showInput: false`. */
  readonly input: TInput | null;
} & (
    | { readonly runtimeStatus: 'Completed'; readonly output: TOutput }
    | { readonly runtimeStatus: Exclude<RuntimeStatus, 'Completed'>; readonly output: unknown }
  );

/** The options of a typed start: the input is required unless the orchestration's declared input accepts undefined. */
export type TypedStartNewOptions<TInput> = { readonly instanceId?: string } & ([undefined] extends [TInput]
  ? { readonly input?: TInput }
  : { readonly input: TInput });

/** A client that starts orchestrations (durable-functions' 3.x `startNew(name, options)`). */
export interface ClientStartsOrchestrations {
  startNew(
    orchestratorName: string,
    options?: { readonly instanceId?: string; readonly input?: unknown },
  ): Promise<string>;
}

/** `getStatus`'s options, as durable-functions has them. */
export interface StatusOptionsLike {
  readonly showHistory?: boolean;
  readonly showHistoryOutput?: boolean;
  readonly showInput?: boolean;
}

/**
 * Start an instance of the orchestration with its declared input: `client.startNew(declaration.name, options)`.
 * Resolves with the instance id.
 */
export function startNew<TInput, TOutput>(
  client: ClientStartsOrchestrations,
  declaration: OrchestrationDeclaration<TInput, TOutput>,
  ...options: [undefined] extends [TInput]
    ? [options?: TypedStartNewOptions<TInput>]
    : [options: TypedStartNewOptions<TInput>]
): Promise<string>;
// As in orchestrator.ts: a rest tuple in the signature, one plain parameter in the implementation (no array per call).
export function startNew(
  client: ClientStartsOrchestrations,
  declaration: OrchestrationDeclaration<unknown, unknown>,
  options?: TypedStartNewOptions<unknown>,
): Promise<string> {
  return client.startNew(declaration.name, options);
}

/**
 * The status of an instance of the declared orchestration (`client.getStatus(instanceId, options)`), typed: narrow on
 * `runtimeStatus === 'Completed'` to read the declared output.
 */
export async function getStatus<TStatus extends StatusLike, TInput, TOutput>(
  client: { getStatus(instanceId: string, options?: StatusOptionsLike): Promise<TStatus> },
  _declaration: OrchestrationDeclaration<TInput, TOutput>,
  instanceId: string,
  options?: StatusOptionsLike,
): Promise<TypedOrchestrationStatus<TStatus, TInput, TOutput>> {
  return (await client.getStatus(instanceId, options)) as unknown as TypedOrchestrationStatus<TStatus, TInput, TOutput>;
}

/**
 * Wait until the instance of the declared orchestration finished and give its final status, typed
 * (`client.waitForCompletion(instanceId, options)`): Taskhub's client and its test hub have it; durable-functions'
 * DurableClient has only the HTTP form, `waitForCompletionOrCreateCheckStatusResponse`.
 */
export async function waitForCompletion<TStatus extends StatusLike, TInput, TOutput, TOptions = never>(
  client: { waitForCompletion(instanceId: string, options?: TOptions): Promise<TStatus> },
  _declaration: OrchestrationDeclaration<TInput, TOutput>,
  instanceId: string,
  options?: TOptions,
): Promise<TypedOrchestrationStatus<TStatus, TInput, TOutput>> {
  const status = await client.waitForCompletion(instanceId, options);
  return status as unknown as TypedOrchestrationStatus<TStatus, TInput, TOutput>;
}

/** Raise the declared event to an instance, with its declared data: `client.raiseEvent(instanceId, name, data)`. */
export function raiseEvent<TData>(
  client: { raiseEvent(instanceId: string, eventName: string, eventData?: unknown): Promise<void> },
  instanceId: string,
  declaration: EventDeclaration<TData>,
  ...data: InputArgs<TData>
): Promise<void>;
export function raiseEvent(
  client: { raiseEvent(instanceId: string, eventName: string, eventData?: unknown): Promise<void> },
  instanceId: string,
  declaration: EventDeclaration<unknown>,
  data?: unknown,
): Promise<void> {
  return client.raiseEvent(instanceId, declaration.name, data);
}

/** What `readEntityState` answers, with the declared state type. */
export interface TypedEntityStateResponse<TState> {
  readonly entityExists: boolean;
  readonly entityState?: TState;
}

/** The entity's state as last committed, typed as declared: `client.readEntityState(entityId)`. */
export function readEntityState<TOperations extends EntityOperations<TOperations>, TState>(
  client: { readEntityState(entityId: { readonly name: string; readonly key: string }): Promise<object> },
  entityId: TypedEntityId<TOperations, TState>,
): Promise<TypedEntityStateResponse<TState>> {
  return client.readEntityState(entityId) as Promise<TypedEntityStateResponse<TState>>;
}
