// Loads an Azure Functions app from a path: a folder of classic function.json functions, or a code-first app (the
// folder's package.json `main`, which may be a glob, or a given .ts/.js/.mjs/.cjs file) that calls `df.app.*` and
// `app.http`. Registrations land in an AppDefinition the host then serves.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TaskhubError } from '../core/errors.js';
import { validateVersioning } from '../core/versioning.js';
import type { WorkerOptions } from '../hub-types.js';
import { createLogger, LogEvents, type Logger } from '../log.js';
import { AppDefinition, defaultApp, withApp } from './app-definition.js';
import { findAppTsconfig } from './app-sources.js';
import * as azureFunctions from './azure-functions.js';
import { loadClassicFunctions } from './classic-loader.js';
import * as durableFunctions from './durable-functions.js';
import { installModuleHooks, installTypeScriptHooks } from './module-hooks.js';
import { applyLocalSettings, resolveSettingExpressions, retentionSetting } from './settings.js';

export interface LoadAppOptions {
  /** Where registrations go (default: the module-level default app, whose registry openTaskHub uses by default). */
  readonly app?: AppDefinition;
  /** Where load-time warnings go (bindings Taskhub does not serve); default: the standard logger. */
  readonly logger?: Logger;
}

// Registers the trigger services, so their trigger types are served when the app's registrations run.
import './triggers/index.js';

export interface LoadedApp {
  readonly definition: AppDefinition;
  /** The app folder (the `.taskhub/` store lives here by default). */
  readonly root: string;
  readonly kind: 'classic' | 'code-first';
  /** The module files that were loaded. */
  readonly files: readonly string[];
}

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);
const ENTRY_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', ...TS_EXTENSIONS]);

/**
 * Makes the app's `durable-functions` and `@azure/functions` imports resolve to Taskhub's, and turns on source maps,
 * so that a built TypeScript app's stack traces and nondeterminism locations name its `.ts` lines (as its build's
 * `sourceMap: true` intends) rather than `dist/…js`.
 */
export function installCompatModules(): void {
  process.setSourceMapsEnabled(true);
  installModuleHooks({
    'durable-functions': durableFunctions,
    '@azure/functions': azureFunctions,
  });
}

export type ImportAppModule = (file: string) => Promise<Record<string, unknown>>;

/**
 * Imports the module files of the app rooted at `root` (ESM or CommonJS, TypeScript through tsx with the app's own
 * tsconfig.json).
 */
export function appModuleImporter(root: string): ImportAppModule {
  return async (file) => {
    installCompatModules();
    if (TS_EXTENSIONS.has(path.extname(file))) await installTypeScriptHooks(findAppTsconfig(root));
    try {
      return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (err) {
      throw withAwaitHint(err, file);
    }
  };
}

/** The messages Node (CommonJS, ES modules) and esbuild (TypeScript) give for `await` outside an async function. */
const AWAIT_OUTSIDE_ASYNC = [
  /await is only valid in async functions/,
  /"await" can only be used inside an "async" function/,
  /Unexpected reserved word/,
];

/**
 * `await` inside a function* is the mistake of someone writing an async orchestrator as a generator (or the other way
 * round): the SyntaxError alone does not say so. The error keeps its type and location; its message gains the fix.
 */
function withAwaitHint(err: unknown, file: string): unknown {
  if (!(err instanceof Error) || !AWAIT_OUTSIDE_ASYNC.some((pattern) => pattern.test(err.message))) return err;
  const what = /Unexpected reserved word/.test(err.message)
    ? 'If that reserved word is `await` in a function* (or another function not declared async)'
    : '`await` in a function* (or another function not declared async)';
  const where = TS_EXTENSIONS.has(path.extname(file)) ? file : (syntaxErrorLocation(err, file) ?? file);
  const hint =
    `\n(loading ${where}) ${what}: an orchestrator is either ` +
    '`async function (context) { … await context.df.callActivity(…) }` or ' +
    '`function* (context) { … yield context.df.callActivity(…) }`. Write `async function` and `await`, or ' +
    '`function*` and `yield`.';
  err.message += hint;
  if (err.stack) err.stack += hint;
  return err;
}

/**
 * file:line:column of a JavaScript SyntaxError (TypeScript's messages carry it already). CommonJS puts `file:line` and
 * a caret line at the top of the stack; an ES module's stack has neither, so `node --check` says where (only when
 * loading has failed already).
 */
function syntaxErrorLocation(err: Error, file: string): string | undefined {
  const fromStack = caretLocation(err.stack ?? '');
  if (fromStack) return fromStack;
  try {
    execFileSync(process.execPath, ['--check', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    return undefined;
  } catch (checked) {
    const stderr = (checked as { stderr?: Buffer }).stderr;
    return stderr && caretLocation(stderr.toString('utf8'));
  }
}

/** `file:line`, the source line and a caret under the column: Node's way of placing a SyntaxError. */
function caretLocation(text: string): string | undefined {
  const [head, , caret] = text.split('\n');
  const place = /^(.+):(\d+)$/.exec(head ?? '');
  if (!place) return undefined;
  const column = (caret ?? '').indexOf('^');
  return `${place[1]}:${place[2]}${column >= 0 ? `:${column + 1}` : ''}`;
}

export async function loadApp(appPath: string, options: LoadAppOptions = {}): Promise<LoadedApp> {
  const resolved = path.resolve(appPath);
  if (!existsSync(resolved)) {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      `No app at ${resolved}: give a folder or an entry file (.ts, .js, .mjs, .cjs).`,
    );
  }
  const definition = options.app ?? defaultApp;
  const isFolder = statSync(resolved).isDirectory();
  const root = isFolder ? resolved : path.dirname(resolved);
  // Settings first: host.json, function.json and the app's own module code may all read them.
  applyLocalSettings(root);
  definition.root = root;
  readHostJson(root, definition);

  const importModule = appModuleImporter(root);
  const logger = options.logger ?? createLogger();
  const loaded = await withApp(definition, async (): Promise<LoadedApp> => {
    if (isFolder && hasClassicFunctions(resolved)) {
      const files = await loadClassicFunctions(resolved, definition, importModule, logger);
      return { definition, root, kind: 'classic', files };
    }
    const files = isFolder
      ? codeFirstEntries(resolved, (message) => logger.warn({ event: LogEvents.appBuildStale }, message))
      : [resolved];
    for (const file of files) await importModule(file);
    return { definition, root, kind: 'code-first', files };
  });
  requireSomeFunction(loaded);
  // As the Functions host: a function in error (an invalid schedule, a missing app setting …) is named once at start,
  // and the rest of the app is served.
  for (const fn of definition.unservedFunctions) {
    if (fn.reason === undefined) continue;
    logger.error(
      { event: LogEvents.functionInError, function: fn.name, trigger: fn.trigger },
      `The '${fn.name}' function is in error: ${fn.reason}`,
    );
  }
  return loaded;
}

/**
 * An app that registers nothing is an error, not a warning: a host serving no functions is never what was meant,
 * and the usual causes (registrations landing in another copy of `durable-functions`, an entry file that only
 * exports) are invisible from outside. Stopping at once, naming the files loaded, points at the cause; a warning
 * would scroll away above a banner that looks healthy.
 */
function requireSomeFunction({ definition, root, files }: LoadedApp): void {
  const { registry } = definition;
  const count =
    definition.httpFunctions.length +
    definition.triggerFunctions.length +
    definition.unservedFunctions.length +
    registry.orchestrations().length +
    registry.activities().length +
    registry.entities().length;
  if (count > 0) return;
  const loaded = files.map((file) => path.relative(root, file) || file).join(', ');
  throw new TaskhubError(
    'INVALID_ARGUMENT',
    `The app at ${root} registers no functions (loaded: ${loaded}). Its code must call app.http(...), ` +
      "df.app.orchestration(...) and the like from '@azure/functions' / 'durable-functions' when it is imported, " +
      'or be a folder of function.json functions.',
  );
}

function hasClassicFunctions(folder: string): boolean {
  return readdirSync(folder, { withFileTypes: true }).some(
    (entry) => entry.isDirectory() && existsSync(path.join(folder, entry.name, 'function.json')),
  );
}

/** host.json: `extensions.http.routePrefix`, `extensions.durableTask.*` and `functionTimeout`, `%SETTING%` resolved. */
function readHostJson(root: string, definition: AppDefinition): void {
  const file = path.join(root, 'host.json');
  if (!existsSync(file)) return;
  let parsed: {
    functionTimeout?: unknown;
    extensions?: {
      http?: { routePrefix?: unknown };
      durableTask?: { hubName?: unknown; maxDeliveryCount?: unknown; retention?: unknown } & Record<string, unknown>;
    };
  };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
  } catch (err) {
    throw new TaskhubError('INVALID_ARGUMENT', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  // Only the settings read here: a %NAME% elsewhere in host.json concerns features Taskhub does not have.
  const host = resolveSettingExpressions(
    {
      functionTimeout: parsed.functionTimeout,
      extensions: { http: parsed.extensions?.http, durableTask: parsed.extensions?.durableTask },
    },
    file,
  );
  const prefix = host.extensions.http?.routePrefix;
  if (typeof prefix === 'string') definition.routePrefix = prefix.replace(/^\/+|\/+$/g, '');
  if (host.functionTimeout !== undefined && host.functionTimeout !== null) {
    definition.functionTimeoutMs = parseTimeSpan(host.functionTimeout, `${file}: functionTimeout`);
  }
  const maxDeliveryCount = numberFromSetting(host.extensions.durableTask?.maxDeliveryCount);
  if (maxDeliveryCount !== undefined) {
    if (typeof maxDeliveryCount !== 'number' || !Number.isInteger(maxDeliveryCount) || maxDeliveryCount < 1) {
      throw new TaskhubError(
        'INVALID_ARGUMENT',
        `${file}: extensions.durableTask.maxDeliveryCount must be a whole number ≥ 1, not ${JSON.stringify(maxDeliveryCount)}`,
      );
    }
    definition.maxDeliveryCount = maxDeliveryCount;
  }
  definition.registry.versioning = validateVersioning(
    host.extensions.durableTask ?? {},
    `${file}: extensions.durableTask`,
  );
  definition.retention = retentionSetting(host.extensions.durableTask?.retention, file);
  const hubName = host.extensions.durableTask?.hubName;
  if (typeof hubName === 'string' && hubName !== '') definition.hubName = hubName;
}

/** A number given through a `%SETTING%` arrives as a string of digits. */
function numberFromSetting(value: unknown): unknown {
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
}

/** The worker settings host.json gives (functionTimeout, maxDeliveryCount, retention), for openTaskHub's `worker`. */
export function workerSettings(definition: AppDefinition): WorkerOptions {
  const { functionTimeoutMs, maxDeliveryCount, retention } = definition;
  return {
    ...(retention === undefined ? {} : { retention }),
    ...(functionTimeoutMs === undefined ? {} : { functionTimeoutMs }),
    ...(maxDeliveryCount === undefined ? {} : { maxDeliveryCount }),
  };
}

/**
 * host.json's TimeSpan form, `[d.]hh:mm:ss[.fff]` (Azure Functions' own), in ms; `-1` means no limit (undefined).
 */
export function parseTimeSpan(value: unknown, what: string): number | undefined {
  if (value === -1 || value === '-1') return undefined;
  const match =
    typeof value === 'string' ? /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(value) : null;
  if (!match) {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      `${what} must be a TimeSpan such as "00:05:00", not ${JSON.stringify(value)}`,
    );
  }
  const [, days, hours, minutes, seconds, fraction] = match;
  const ms =
    ((Number(days ?? 0) * 24 + Number(hours)) * 3600 + Number(minutes) * 60 + Number(seconds)) * 1000 +
    Math.round(Number(`0.${fraction ?? '0'}`) * 1000);
  if (ms <= 0) throw new TaskhubError('INVALID_ARGUMENT', `${what} must be longer than zero, not ${String(value)}`);
  return ms;
}

function newestMtime(files: readonly string[]): number {
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

function oldestMtime(files: readonly string[]): number {
  return Math.min(...files.map((f) => statSync(f).mtimeMs));
}

/**
 * The entry files of a code-first folder: package.json `main` (a file or a glob), else index.{ts,js,mjs,cjs}.
 * `onNotice` hears a choice the user should know about (a stale build passed over).
 */
function codeFirstEntries(folder: string, onNotice: (message: string) => void = () => undefined): string[] {
  const pkgFile = path.join(folder, 'package.json');
  const main = existsSync(pkgFile) ? (JSON.parse(readFileSync(pkgFile, 'utf8')) as { main?: unknown }).main : undefined;
  if (typeof main === 'string' && main !== '') {
    const built = expandGlob(folder, main);
    const sources = sourceOf(main) === main ? [] : expandGlob(folder, sourceOf(main));
    // A TypeScript app's main usually names its build output; without a build, or with a build older than a source,
    // run the sources it came from: what runs (and what replay checks) is always the code the user last wrote.
    const stale = built.length > 0 && sources.length > 0 && newestMtime(sources) > oldestMtime(built);
    if (stale) {
      onNotice(
        `The build output ${main} is older than its TypeScript sources: running the sources (npm run build refreshes it).`,
      );
    }
    const found = built.length > 0 && !stale ? built : sources;
    if (found.length === 0) {
      throw new TaskhubError('INVALID_ARGUMENT', `package.json main '${main}' in ${folder} matches no file.`);
    }
    return found;
  }
  for (const candidate of [
    'index.ts',
    'index.mts',
    'index.js',
    'index.mjs',
    'index.cjs',
    'src/index.ts',
    'src/index.js',
  ]) {
    const file = path.join(folder, candidate);
    if (existsSync(file)) return [file];
  }
  throw new TaskhubError(
    'INVALID_ARGUMENT',
    `${folder} has no function.json functions, no package.json main and no index file: nothing to load.`,
  );
}

function sourceOf(main: string): string {
  return main.replace(/^(\.\/)?(dist|build|out|lib)\//, '').replace(/\.(m|c)?js\b/g, '.$1ts');
}

/** Enough of glob for Azure's `main` values: `*` within one path segment and `{a,b}` alternatives. */
function expandGlob(folder: string, pattern: string): string[] {
  const braces = /\{([^{}]*)\}/.exec(pattern);
  if (braces) {
    return [...new Set(braces[1]!.split(',').flatMap((alt) => expandGlob(folder, pattern.replace(braces[0], alt))))];
  }
  const segments = pattern.replace(/^\.\//, '').split('/');
  let current = [folder];
  for (const segment of segments) {
    const next: string[] = [];
    for (const dir of current) {
      if (!segment.includes('*')) {
        const candidate = path.join(dir, segment);
        if (existsSync(candidate)) next.push(candidate);
        continue;
      }
      if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
      const regex = new RegExp(`^${segment.split('*').map(escapeRegex).join('[^/]*')}$`);
      for (const name of readdirSync(dir).sort()) if (regex.test(name)) next.push(path.join(dir, name));
    }
    current = next;
  }
  return current.filter((file) => statSync(file).isFile() && ENTRY_EXTENSIONS.has(path.extname(file)));
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
