// Makes `durable-functions` and `@azure/functions` resolve to Taskhub's own modules, for ESM imports (a resolve hook
// registered with module.register) and CommonJS requires (a patched resolver backed by the require cache), so an Azure
// app runs unchanged without those packages installed. `.ts` apps run with no build step through tsx.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The module objects the app must see, by the package name it imports. */
export type CompatModules = Readonly<Record<string, Record<string, unknown>>>;

const GLOBAL_KEY = Symbol.for('taskhub.compatModules');

// Runs on the loader thread, so it carries only data: each mapped name resolves to a generated module.
const RESOLVE_HOOK = `
let targets = {};
export function initialize(data) { targets = data.targets; }
export async function resolve(specifier, context, nextResolve) {
  const url = targets[specifier];
  return url ? { url, shortCircuit: true } : nextResolve(specifier, context);
}`;

/**
 * An ESM module re-exporting the host's live module object. Going through a global (not a file URL) keeps one
 * instance even when the host itself was loaded by another loader (tsx, vitest), so registrations reach the host.
 */
function reexportSource(name: string, exports: Record<string, unknown>): string {
  const names = Object.keys(exports).filter((key) => key !== 'default' && /^[A-Za-z_$][\w$]*$/.test(key));
  const lines = [`const m = globalThis[Symbol.for('taskhub.compatModules')][${JSON.stringify(name)}];`];
  for (const key of names) lines.push(`export const ${key} = m.${key};`);
  lines.push('export default m.default ?? m;');
  return lines.join('\n');
}

function dataUrl(source: string): string {
  return `data:text/javascript,${encodeURIComponent(source)}`;
}

interface ModuleInternals {
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  _cache: Record<string, unknown>;
}

let installed: CompatModules | undefined;
let tsxInstalled = false;
const virtualFiles = new Map<string, string>();
const esmTargets: Record<string, string> = {};

/** Installs the hooks once per process; later calls must pass the same modules. */
export function installModuleHooks(modules: CompatModules): void {
  if (installed) return;
  installed = modules;
  (globalThis as Record<symbol, unknown>)[GLOBAL_KEY] = modules;

  for (const [name, exports] of Object.entries(modules)) esmTargets[name] = dataUrl(reexportSource(name, exports));

  // CommonJS: resolve the names to virtual file names whose cache entries hold the host's modules.
  const internals = Module as unknown as ModuleInternals;
  for (const [name, exports] of Object.entries(modules)) {
    const filename = path.join(path.sep, '__taskhub_compat__', `${name.replace(/[/@]/g, '_')}.cjs`);
    virtualFiles.set(name, filename);
    const entry = new Module(filename);
    entry.filename = filename;
    entry.loaded = true;
    // A CJS consumer of the real packages gets one object with every export; `__esModule` lets TypeScript's
    // esModuleInterop helpers pass it through untouched for both `import * as` and default imports.
    entry.exports = { ...((exports.default as object | undefined) ?? {}), ...exports, __esModule: true };
    internals._cache[filename] = entry;
  }
  putResolversFirst();
}

/**
 * Puts the compat resolvers in front of every resolver installed so far. Resolvers installed later run first (ESM
 * hooks chain last-in-first; a patched `_resolveFilename` wraps the one before it), and tsx maps bare names through
 * tsconfig `paths`: a tsconfig mapping `durable-functions` to some file must never win over Taskhub's own module, or
 * the app registers into a copy the host never sees.
 */
function putResolversFirst(): void {
  // Jest runs test code in a module loader of its own that refuses Node's hooks; there the moduleNameMapper of
  // taskhub/testing/jest maps the two names instead, and these hooks are not needed.
  if (process.env.JEST_WORKER_ID !== undefined) return;
  register(dataUrl(RESOLVE_HOOK), { data: { targets: esmTargets } });
  const internals = Module as unknown as ModuleInternals;
  const previous = internals._resolveFilename.bind(Module);
  internals._resolveFilename = (request, parent, isMain, options) =>
    virtualFiles.get(request) ?? previous(request, parent, isMain, options);
}

/**
 * Lets `.ts`, `.mts` and `.cts` apps load with no build step (tsx's ESM and CommonJS hooks), compiled with the app's
 * own tsconfig.json (`false`: none), never the one tsx would find from the current directory. Once per process: the
 * first app's tsconfig is the one used.
 */
export async function installTypeScriptHooks(tsconfig: string | false): Promise<void> {
  if (tsxInstalled) return;
  tsxInstalled = true;
  const esm = await import('tsx/esm/api');
  esm.register({ tsconfig });
  // tsx's CommonJS hooks take their tsconfig only from TSX_TSCONFIG_PATH, read while registering.
  const cjs = await import('tsx/cjs/api');
  const saved = process.env.TSX_TSCONFIG_PATH;
  process.env.TSX_TSCONFIG_PATH = tsconfig === false ? emptyTsconfig() : tsconfig;
  try {
    cjs.register();
  } finally {
    if (saved === undefined) delete process.env.TSX_TSCONFIG_PATH;
    else process.env.TSX_TSCONFIG_PATH = saved;
  }
  if (installed) putResolversFirst();
}

/** tsx's CommonJS hooks cannot be told "no tsconfig"; an empty one says the same. */
function emptyTsconfig(): string {
  const dir = path.join(tmpdir(), 'taskhub-no-tsconfig');
  const file = path.join(dir, 'tsconfig.json');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // Written aside and renamed, so a process starting beside this one never reads half a file.
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, '{}\n');
    renameSync(partial, file);
  }
  return file;
}
