// Loads a classic (Node v3 model) app: each subfolder with a function.json is one function, its trigger binding says
// what it is. The exported handler is found as Azure finds it: `scriptFile` + `entryPoint`, else module.exports,
// `run`, `index`, the only exported function, or the default export.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ActivityContext, ActivityHandler, OrchestrationHandler } from '../core/context.js';
import { asyncGeneratorMessage } from '../core/code-runner.js';
import { TaskhubError } from '../core/errors.js';
import type { AppDefinition, AuthLevel } from './app-definition.js';
import { sourceOfBuildOutput } from './app-sources.js';
import {
  classicRequest,
  createClassicContext,
  fromClassicResponse,
  invokeClassic,
  type FunctionJsonBinding,
} from './classic-context.js';
import { isDurableClientInput } from './durable-http-client.js';
import { resolveSettingExpressions } from './settings.js';
import { isServedTriggerType } from './triggers/services.js';
import { activityWithStorageBindings } from './bindings/invoke.js';
import { recordStorageBindings, STORAGE_OUTPUT_TYPES } from './bindings/storage.js';
import type { HttpRequest } from './http-types.js';
import type { InvocationContext } from './invocation-context.js';
import { LogEvents, type Logger } from '../log.js';
import type { ImportAppModule } from './loader.js';

interface FunctionJson {
  readonly bindings?: readonly FunctionJsonBinding[];
  readonly scriptFile?: string;
  readonly entryPoint?: string;
  readonly disabled?: boolean;
}

type AnyFunction = (...args: unknown[]) => unknown;

const SCRIPT_NAMES = ['index.js', 'index.cjs', 'index.mjs', 'index.ts', 'index.mts', 'index.cts'];

/** The triggers this loader serves; any other trigger's function is listed as not served. */
const SERVED_TRIGGERS = ['httpTrigger', 'orchestrationTrigger', 'activityTrigger', 'entityTrigger'] as const;
type ServedTrigger = (typeof SERVED_TRIGGERS)[number];

function isTrigger(binding: FunctionJsonBinding): boolean {
  return /trigger$/i.test(binding.type) && (binding.direction ?? 'in') === 'in';
}

function isServed(type: string): type is ServedTrigger {
  return (SERVED_TRIGGERS as readonly string[]).includes(type);
}

export async function loadClassicFunctions(
  root: string,
  definition: AppDefinition,
  importModule: ImportAppModule,
  logger: Logger,
): Promise<string[]> {
  const files: string[] = [];
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules')
    .map((e) => e.name)
    .sort();
  for (const name of folders) {
    const dir = path.join(root, name);
    const jsonFile = path.join(dir, 'function.json');
    if (!existsSync(jsonFile)) continue;
    const config = readFunctionJson(jsonFile);
    if (config.disabled === true) continue;
    const declared = config.bindings ?? [];
    const type = declared.find(isTrigger)?.type;
    if (type === undefined) {
      throw new TaskhubError('INVALID_ARGUMENT', `${jsonFile} has no trigger binding; add one (e.g. httpTrigger).`);
    }
    // A function Taskhub cannot trigger is listed, not loaded: its code never runs here, and the rest of the app does.
    if (!isServed(type) && !isServedTriggerType(type)) {
      definition.unservedFunctions.push({ name, trigger: type });
      continue;
    }
    // `%SETTING%` in binding properties (routes, hub names, ...) reads the app settings, as in Azure. A setting that
    // does not exist puts that function in error, as the Functions host does: it is not run, the rest of the app is.
    let bindings: readonly FunctionJsonBinding[];
    try {
      bindings = resolveSettingExpressions(declared, jsonFile);
    } catch (err) {
      definition.unservedFunctions.push({ name, trigger: type, reason: (err as Error).message });
      continue;
    }
    const trigger = bindings.find(isTrigger)!;
    warnUnservedBindings(name, bindings, trigger, logger);
    const script = scriptOf(root, dir, config);
    files.push(script);
    let exports: Record<string, unknown>;
    try {
      exports = await importModule(script);
    } catch (err) {
      throw namedAfterFolder(err, name, script);
    }
    const handler = pickHandler(exports, config.entryPoint, name, script);
    if (isServed(type)) register(definition, name, dir, type, trigger, bindings, handler);
    else registerTriggered(definition, name, dir, trigger, bindings, requireFunction(handler, name));
  }
  return files;
}

/** df.orchestrator(fn) runs before anything knows the function's name: the folder it is loaded from gives it. */
function namedAfterFolder(err: unknown, name: string, script: string): unknown {
  if (!(err instanceof TaskhubError) || err.message !== asyncGeneratorMessage('df.orchestrator(fn)')) return err;
  return new TaskhubError(err.code, `${asyncGeneratorMessage(name)} (df.orchestrator(fn) in ${script})`, {
    cause: err,
  });
}

/**
 * A binding Taskhub does not deliver (blob, queue, table, ...) is named once at load: an output set there goes
 * nowhere, an input reads as undefined. Never silent, never fatal: the function may not need it on every path.
 */
function warnUnservedBindings(
  name: string,
  bindings: readonly FunctionJsonBinding[],
  trigger: FunctionJsonBinding,
  logger: Logger,
): void {
  for (const binding of bindings) {
    if (binding === trigger || isDurableClientInput(binding) || binding.type === 'http') continue;
    // Blob inputs and blob/queue outputs are read and delivered through the Storage SDK.
    if (binding.type === 'blob' || (binding.type === 'queue' && binding.direction === 'out')) continue;
    const direction = binding.direction === 'out' ? 'output' : 'input';
    const effect = direction === 'output' ? 'what the function sets there is dropped' : 'it reads as undefined';
    logger.warn(
      { event: LogEvents.bindingNotServed, function: name, binding: binding.name, type: binding.type, direction },
      `function '${name}': the ${direction} binding '${binding.name}' (${binding.type}) is not served by Taskhub; ${effect}`,
    );
  }
}

function readFunctionJson(file: string): FunctionJson {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as FunctionJson;
  } catch (err) {
    throw new TaskhubError('INVALID_ARGUMENT', `${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function scriptOf(root: string, dir: string, config: FunctionJson): string {
  if (config.scriptFile) {
    const file = path.resolve(dir, config.scriptFile);
    if (existsSync(file)) return file;
    // A TypeScript app's scriptFile names its build output (`../dist/Fn/index.js`); unbuilt, run the source the
    // build would compile (`Fn/index.ts` in the app folder).
    const source = sourceOfBuildOutput(root, file);
    if (source) return source;
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      `scriptFile ${config.scriptFile} of ${dir} does not exist, nor a TypeScript source it would be built from; ` +
        'build the app or fix scriptFile.',
    );
  }
  for (const name of SCRIPT_NAMES) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  throw new TaskhubError('INVALID_ARGUMENT', `${dir} has function.json but no ${SCRIPT_NAMES.join('/')}.`);
}

function pickHandler(
  mod: Record<string, unknown>,
  entryPoint: string | undefined,
  name: string,
  file: string,
): unknown {
  // ESM namespaces of CommonJS modules expose module.exports as `default`.
  const exported: unknown = mod.default ?? mod;
  const candidates = [exported, mod] as const;
  if (entryPoint) {
    for (const c of candidates) {
      const value = (c as Record<string, unknown>)[entryPoint];
      if (value !== undefined) return value;
    }
    throw new TaskhubError('INVALID_ARGUMENT', `${file} exports no '${entryPoint}' (entryPoint of ${name}).`);
  }
  if (typeof exported === 'function') return exported;
  for (const c of candidates) {
    const record = c as Record<string, unknown>;
    if (record.run !== undefined) return record.run;
    if (record.index !== undefined) return record.index;
    const functions = Object.values(record).filter((v) => typeof v === 'function');
    if (functions.length === 1) return functions[0];
  }
  throw new TaskhubError(
    'INVALID_ARGUMENT',
    `${file} must export the function of '${name}' (module.exports, a 'run' export, or set entryPoint).`,
  );
}

function requireFunction(value: unknown, name: string): AnyFunction {
  if (typeof value !== 'function') {
    throw new TaskhubError('INVALID_ARGUMENT', `The export of '${name}' is not a function.`);
  }
  return value as AnyFunction;
}

function register(
  definition: AppDefinition,
  name: string,
  dir: string,
  type: ServedTrigger,
  trigger: FunctionJsonBinding,
  bindings: readonly FunctionJsonBinding[],
  exported: unknown,
): void {
  switch (type) {
    case 'orchestrationTrigger':
      // df.orchestrator(fn) already gives the registry's handler shape.
      definition.registry.registerOrchestration(name, requireFunction(exported, name) as OrchestrationHandler);
      return;
    case 'entityTrigger':
      definition.registry.registerEntity(name, requireFunction(exported, name));
      return;
    case 'activityTrigger':
      recordStorageBindings(definition, bindings);
      definition.registry.registerActivity(
        name,
        classicActivity(definition, name, requireFunction(exported, name), dir, trigger, bindings),
      );
      return;
    case 'httpTrigger':
      registerHttp(definition, name, dir, trigger, bindings, requireFunction(exported, name));
      return;
    default: {
      const unhandled: never = type;
      throw new TaskhubError('NOT_SUPPORTED', `No registration for the ${String(unhandled)} trigger of '${name}'.`);
    }
  }
}

/** A v3 activity gets `(context, input)` with the input also in `context.bindings[<trigger name>]`. */
function classicActivity(
  definition: AppDefinition,
  name: string,
  handler: AnyFunction,
  dir: string,
  trigger: FunctionJsonBinding,
  bindings: readonly FunctionJsonBinding[],
): ActivityHandler {
  const { inputs, outputs } = storageBindingsOf(bindings);
  const run = (input: unknown, activity: ActivityContext): unknown => {
    const values: Record<string, unknown> = { [trigger.name]: input };
    for (const binding of inputs) values[binding.name] = activity.extraInputs.get(binding.name);
    const context = createClassicContext(activity, dir, bindings, values);
    const result = invokeClassic(handler, context, [input]);
    if (outputs.length === 0) return result;
    return Promise.resolve(result).then((value) => {
      copyOutputs(context.bindings, outputs, activity.extraOutputs);
      return value;
    });
  };
  // Wrapped only when the function has storage bindings; without them the activity runs as it did.
  return activityWithStorageBindings({ name, extraInputs: inputs, extraOutputs: outputs }, () => definition.root, run);
}

/** The blob inputs and blob/queue outputs among a function.json's bindings (Taskhub reads and delivers those). */
function storageBindingsOf(bindings: readonly FunctionJsonBinding[]): {
  inputs: FunctionJsonBinding[];
  outputs: FunctionJsonBinding[];
} {
  return {
    inputs: bindings.filter((b) => b.type === 'blob' && (b.direction ?? 'in') === 'in'),
    outputs: bindings.filter((b) => STORAGE_OUTPUT_TYPES.has(b.type) && b.direction === 'out' && b.name !== '$return'),
  };
}

/** What a v3 function left in `context.bindings` for its output bindings, handed on as 4.x extraOutputs. */
function copyOutputs(
  values: Record<string, unknown>,
  outputs: readonly FunctionJsonBinding[],
  extraOutputs: { set(binding: FunctionJsonBinding, value: unknown): void },
): void {
  for (const output of outputs) {
    const value = values[output.name];
    if (value !== undefined) extraOutputs.set(output, value);
  }
}

/**
 * A function on a trigger a Taskhub trigger service serves (timer, queue, blob …). The v3 handler gets
 * `(context, triggerValue)` with inputs in `context.bindings`; what it leaves in `context.bindings` for an output
 * binding, and its return value for `$return`, are handed to the service as the 4.x model hands them.
 */
function registerTriggered(
  definition: AppDefinition,
  name: string,
  dir: string,
  trigger: FunctionJsonBinding,
  bindings: readonly FunctionJsonBinding[],
  handler: AnyFunction,
): void {
  const inputs = bindings.filter((b) => b !== trigger && (b.direction ?? 'in') !== 'out');
  const outputs = bindings.filter((b) => b.direction === 'out' && b.name !== '$return');
  const returnBinding = bindings.find((b) => b.direction === 'out' && b.name === '$return');
  definition.addTriggerFunction({
    name,
    trigger,
    extraInputs: inputs,
    extraOutputs: outputs,
    ...(returnBinding ? { return: returnBinding } : {}),
    model: 'classic',
    directory: dir,
    handler: async (triggerValue: unknown, invocation: InvocationContext) => {
      const values: Record<string, unknown> = { [trigger.name]: triggerValue };
      for (const input of inputs) values[input.name] = invocation.extraInputs.get(input.name);
      const context = createClassicContext(invocation, dir, bindings, values, {
        ...invocation.triggerMetadata,
      });
      const result = await invokeClassic(handler, context, [triggerValue]);
      for (const output of outputs) {
        const value = context.bindings[output.name];
        if (value !== undefined) invocation.extraOutputs.set(output, value);
      }
      return result;
    },
  });
}

function registerHttp(
  definition: AppDefinition,
  name: string,
  dir: string,
  trigger: FunctionJsonBinding,
  bindings: readonly FunctionJsonBinding[],
  handler: AnyFunction,
): void {
  const methods = Array.isArray(trigger.methods) ? (trigger.methods as string[]).map((m) => m.toUpperCase()) : [];
  const clientInputs = bindings
    .filter((b) => isDurableClientInput(b) && b.direction !== 'out')
    .map((b) => ({ ...b, type: b.type, name: b.name }));
  const httpOutput = bindings.find((b) => b.type === 'http' && b.direction === 'out');
  const storage = storageBindingsOf(bindings);
  definition.addHttpFunction({
    name,
    methods,
    authLevel: (typeof trigger.authLevel === 'string' ? trigger.authLevel.toLowerCase() : 'function') as AuthLevel,
    route: typeof trigger.route === 'string' ? trigger.route : name,
    trigger,
    extraInputs: [...clientInputs, ...storage.inputs],
    extraOutputs: storage.outputs,
    handler: async (request: HttpRequest, invocation: InvocationContext) => {
      const req = await classicRequest(request);
      const values: Record<string, unknown> = { [trigger.name]: req };
      for (const input of [...clientInputs, ...storage.inputs]) {
        values[input.name] = invocation.extraInputs.get(input.name);
      }
      // bindingData carries the trigger's data too: DF's template passes `context.bindingData.req` as the request.
      const context = createClassicContext(invocation, dir, bindings, values, {
        ...request.params,
        query: req.query,
        headers: req.headers,
        [trigger.name]: req,
      });
      context.req = req;
      const result = await invokeClassic(handler, context, [req]);
      copyOutputs(context.bindings, storage.outputs, invocation.extraOutputs);
      // `$return` sends the return value; otherwise the http output binding (context.res or context.bindings[name]).
      if (httpOutput?.name === '$return') return fromClassicResponse(result);
      const out = context.res ?? (httpOutput ? context.bindings[httpOutput.name] : undefined) ?? result;
      return fromClassicResponse(out);
    },
  });
}
