// Typed declarations of an app's activities, orchestrations, entities and events: a name plus input and output types
// that exist only for the compiler. The typed calls (orchestrator.ts, client.ts) read the name and pass it to the
// plain Durable Functions call, so a declaration costs one small object for the life of the app.
import { EntityId } from '../core/entity-id.js';

// Phantom members: declared, never set. They carry the types through inference and make two declarations with
// different types incompatible; at run time a declaration holds its kind and name only.
declare const inputType: unique symbol;
declare const outputType: unique symbol;
declare const operationsType: unique symbol;
declare const stateType: unique symbol;

/** An activity's name with the input it takes and the output it returns. */
export interface ActivityDeclaration<TInput, TOutput> {
  readonly kind: 'activity';
  readonly name: string;
  readonly [inputType]?: (input: TInput) => void;
  readonly [outputType]?: () => TOutput;
}

/** An orchestration's name with its input (what `startNew` and `callSubOrchestrator` pass) and its output. */
export interface OrchestrationDeclaration<TInput, TOutput> {
  readonly kind: 'orchestration';
  readonly name: string;
  readonly [inputType]?: (input: TInput) => void;
  readonly [outputType]?: () => TOutput;
}

/**
 * Operations of an entity, as method signatures: `{ add(amount: number): void; get(): number }`. An operation's
 * parameter is its input (none, or one); its return type is what `callEntity` gives.
 */
export type EntityOperations<T> = { [K in keyof T]: (input: never) => unknown };

/** An entity's name with its operations and its state type; `id(key)` names one entity of it. */
export interface EntityDeclaration<TOperations extends EntityOperations<TOperations>, TState> {
  readonly kind: 'entity';
  readonly name: string;
  /** The EntityId of the entity with this key (`new EntityId(name, key)`), typed with the operations. */
  id(key: string): TypedEntityId<TOperations, TState>;
}

/** A durable-functions EntityId that also carries its entity's operations and state type. */
export interface TypedEntityId<TOperations extends EntityOperations<TOperations>, TState> {
  readonly name: string;
  readonly key: string;
  toString(): string;
  readonly [operationsType]?: TOperations;
  readonly [stateType]?: () => TState;
}

/** An external event's name with the data it carries (`raiseEvent` sends it, `waitForExternalEvent` gets it). */
export interface EventDeclaration<TData> {
  readonly kind: 'event';
  readonly name: string;
  readonly [inputType]?: (data: TData) => void;
  readonly [outputType]?: () => TData;
}

/** Anything that can be called with an input for a result: an activity or an orchestration. */
export type CallableDeclaration<TInput, TOutput> =
  ActivityDeclaration<TInput, TOutput> | OrchestrationDeclaration<TInput, TOutput>;

/** The input type of a declaration. */
export type InputOf<D> = D extends { readonly [inputType]?: (input: infer I) => void } ? I : never;
/** The output type of a declaration (an event's data). */
export type OutputOf<D> = D extends { readonly [outputType]?: () => infer O } ? O : never;

/**
 * The input argument of a typed call: required, unless the declared input accepts undefined (an orchestration
 * declared with `undefined` or `void` input is started without one).
 */
export type InputArgs<TInput> = [undefined] extends [TInput] ? [input?: TInput] : [input: TInput];

/** The input arguments of an entity operation: none, or its one parameter (optional when the parameter is). */
export type OperationArgs<TOperations, K extends keyof TOperations> = TOperations[K] extends (
  ...input: infer A
) => unknown
  ? A
  : never;

/** What an entity operation gives its caller: its return type, awaited (an async operation gives its value). */
export type OperationResult<TOperations, K extends keyof TOperations> = TOperations[K] extends (
  ...input: never[]
) => infer R
  ? Awaited<R>
  : never;

/**
 * Declare an activity: `const addOne = defineActivity<number, number>('AddOne')`, or with the types read from its
 * handler, `defineActivity('AddOne', addOneHandler)` (the handler is not registered nor kept: register it with
 * `df.app.activity` as usual). The name must be the one the activity is registered under.
 */
export function defineActivity<TInput, TOutput>(name: string): ActivityDeclaration<TInput, TOutput>;
export function defineActivity<TInput, TOutput>(
  name: string,
  handler: (input: TInput, ...context: never[]) => TOutput,
): ActivityDeclaration<TInput, Awaited<TOutput>>;
export function defineActivity(name: string): ActivityDeclaration<unknown, unknown> {
  return Object.freeze({ kind: 'activity', name: checkName(name, 'defineActivity') });
}

/** One activity declaration per handler of a record, named by its key (see `defineActivities`). */
export type ActivityDeclarations<THandlers> = {
  readonly [K in keyof THandlers & string]: THandlers[K] extends (input: infer I, ...context: never[]) => infer O
    ? ActivityDeclaration<I, Awaited<O>>
    : never;
};

/**
 * Declare every activity of a record of handlers at once, each named by its key, with the types of its handler (as
 * Temporal's `proxyActivities<typeof activities>()` does): `const acts = defineActivities(activities)`, then
 * `yield* call(context, acts.AddOne, 1)`. Register the same handlers under the same names with `df.app.activity`.
 */
export function defineActivities<THandlers extends Record<string, (input: never, ...context: never[]) => unknown>>(
  handlers: THandlers,
): ActivityDeclarations<THandlers> {
  const declarations: Record<string, ActivityDeclaration<unknown, unknown>> = {};
  for (const name of Object.keys(handlers)) declarations[name] = defineActivity(name);
  return Object.freeze(declarations) as ActivityDeclarations<THandlers>;
}

/** Declare an orchestration: `const sumTo = defineOrchestration<number, number>('SumTo')`. */
export function defineOrchestration<TInput, TOutput>(name: string): OrchestrationDeclaration<TInput, TOutput> {
  return Object.freeze({ kind: 'orchestration', name: checkName(name, 'defineOrchestration') });
}

/**
 * Declare an entity: `const counter = defineEntity<{ add(n: number): void; get(): number }, number>('Counter')`,
 * then `counter.id('mine')` for the EntityId of one counter.
 */
export function defineEntity<TOperations extends EntityOperations<TOperations>, TState = unknown>(
  name: string,
): EntityDeclaration<TOperations, TState> {
  const entityName = checkName(name, 'defineEntity');
  return Object.freeze({
    kind: 'entity',
    name: entityName,
    id: (key: string) => new EntityId(entityName, key) as TypedEntityId<TOperations, TState>,
  });
}

/** Declare an external event: `const approved = defineEvent<boolean>('Approved')`. */
export function defineEvent<TData>(name: string): EventDeclaration<TData> {
  return Object.freeze({ kind: 'event', name: checkName(name, 'defineEvent') });
}

/**
 * Check a handler against its declaration at compile time; returns the handler itself, unchanged.
 * An activity's parameter gets the declared input type and its result must be the declared output (or a promise of
 * it): `df.app.activity(addOne.name, { handler: implement(addOne, (n) => n + 1) })`. An orchestrator (a generator
 * function, or an async one) must return the declared output; annotate its context parameter:
 * `df.app.orchestration(sumTo.name, implement(sumTo, function* (context: OrchestrationContext) { … }))`.
 */
export function implement<
  TInput,
  TOutput,
  THandler extends (input: TInput, context: never) => TOutput | PromiseLike<TOutput>,
>(declaration: ActivityDeclaration<TInput, TOutput>, handler: THandler): THandler;
export function implement<
  TInput,
  TOutput,
  THandler extends (context: never) => Generator<unknown, TOutput, never> | PromiseLike<TOutput>,
>(declaration: OrchestrationDeclaration<TInput, TOutput>, handler: THandler): THandler;
export function implement(_declaration: unknown, handler: unknown): unknown {
  return handler;
}

function checkName(name: string, what: string): string {
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`${what} needs the non-empty name the function is registered under.`);
  }
  return name;
}
