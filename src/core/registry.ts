// The function registry: what an app defines (orchestrations, activities, entities), looked up case-insensitively by
// name as Azure Functions does, and the app's versioning settings. Definitions only; no runtime state lives here.
// An orchestration may be registered once without a version (Azure's model: the code reads context.df.version) and
// once per version side by side; each instance runs on the code of the version it was created with.
import type { ActivityHandler, AnyOrchestrationHandler, EntityHandler } from './context.js';
import { TaskhubError } from './errors.js';
import {
  compareVersions,
  versionMatches,
  type VersionFilter,
  type VersioningOptions,
  type VersionRule,
} from './versioning.js';

/** The code an instance runs on here, or why this app may not run it. */
export type OrchestrationChoice =
  { readonly registered: Registered<AnyOrchestrationHandler> } | { readonly refused: string } | undefined;

export interface Registered<THandler> {
  /** The name as the app spelled it. */
  readonly name: string;
  readonly handler: THandler;
  /** Orchestrations registered side by side: the version this handler is the code of. */
  readonly version?: string;
}

export class FunctionRegistry {
  readonly #orchestrations = new Map<string, Registered<AnyOrchestrationHandler>>();
  /** Versioned orchestrations by lower-case name, oldest version first. */
  readonly #versions = new Map<string, Registered<AnyOrchestrationHandler>[]>();
  readonly #activities = new Map<string, Registered<ActivityHandler>>();
  readonly #entities = new Map<string, Registered<EntityHandler>>();
  #versioning: VersioningOptions = {};
  /** versionFilter()'s answer, asked at every claim: computed once per change of registrations or settings. */
  #filter: { value: VersionFilter | undefined } | undefined;

  /** host.json `defaultVersion`, `versionMatchStrategy`, `versionFailureStrategy`. */
  get versioning(): VersioningOptions {
    return this.#versioning;
  }
  set versioning(options: VersioningOptions) {
    this.#versioning = options;
    this.#filter = undefined;
  }

  /**
   * Registers an orchestrator function; with `version`, as the code of that version of `name`, beside its other
   * versions (and beside an unversioned registration, which runs the instances no version's code claims).
   */
  registerOrchestration(name: string, handler: AnyOrchestrationHandler, version?: string): void {
    if (version === undefined) {
      add(this.#orchestrations, 'orchestration', name, handler);
      this.#filter = undefined;
      return;
    }
    if (typeof version !== 'string' || version.trim() === '') {
      throw new TaskhubError(
        'INVALID_ARGUMENT',
        `The orchestration '${name}' needs a non-empty version string (e.g. '2.0'), not ${JSON.stringify(version)}.`,
      );
    }
    checkName(name, 'orchestration');
    const key = name.toLowerCase();
    const list = this.#versions.get(key) ?? [];
    const existing = list.find((r) => compareVersions(r.version, version) === 0);
    if (existing) {
      if (existing.handler === handler) return;
      throw new TaskhubError(
        'INVALID_ARGUMENT',
        `Version '${version}' of the orchestration '${name}' is registered twice with different code` +
          (existing.version === version ? '' : ` (as '${existing.version}' and '${version}', which compare equal)`) +
          ': keep one registration per version, or give the new code a new version.',
      );
    }
    list.push({ name, handler, version });
    list.sort((a, b) => compareVersions(a.version, b.version));
    this.#versions.set(key, list);
    this.#filter = undefined;
  }

  /**
   * Every registration of an orchestration: the unversioned one first (version undefined), then its versions from
   * oldest to newest. Empty when the name is unknown.
   */
  orchestrationVersions(name: string): Registered<AnyOrchestrationHandler>[] {
    const key = name.toLowerCase();
    const plain = this.#orchestrations.get(key);
    return [...(plain ? [plain] : []), ...(this.#versions.get(key) ?? [])];
  }
  registerActivity(name: string, handler: ActivityHandler): void {
    add(this.#activities, 'activity', name, handler);
  }
  registerEntity(name: string, handler: EntityHandler): void {
    add(this.#entities, 'entity', name, handler);
  }

  /** The orchestration's newest version, or its unversioned registration: whether the name is known here. */
  getOrchestration(name: string): Registered<AnyOrchestrationHandler> | undefined {
    const key = name.toLowerCase();
    return this.#versions.get(key)?.at(-1) ?? this.#orchestrations.get(key);
  }
  /**
   * The code an instance of `name` created with `version` runs on: the registration of exactly that version, else the
   * unversioned registration if the versionMatchStrategy lets this app run that version (compared with its
   * defaultVersion; without a defaultVersion there is nothing to compare with and any version runs). Undefined when
   * the name is not registered at all.
   */
  orchestrationFor(name: string, version: string | undefined): OrchestrationChoice {
    const all = this.orchestrationVersions(name);
    if (all.length === 0) return undefined;
    const exact = all.find((r) => r.version !== undefined && compareVersions(r.version, version) === 0);
    if (exact) return { registered: exact };
    const plain = all.find((r) => r.version === undefined);
    const { defaultVersion, versionMatchStrategy = 'CurrentOrOlder' } = this.versioning;
    if (plain && (defaultVersion === undefined || versionMatches(versionMatchStrategy, version, defaultVersion))) {
      return { registered: plain };
    }
    const shown = version === undefined || version === '' ? 'no version' : `version '${version}'`;
    const versions = all.filter((r) => r.version !== undefined).map((r) => `'${r.version}'`);
    const here = [
      ...(versions.length > 0 ? [`the versions ${versions.join(', ')}`] : []),
      ...(plain
        ? [
            `${versionMatchStrategy === 'Strict' ? 'only' : 'up to'} defaultVersion '${defaultVersion}' (${versionMatchStrategy})`,
          ]
        : []),
    ].join(' and ');
    return {
      refused:
        `The orchestration '${all[0]!.name}' was started with ${shown}, which this app does not run: it runs ` +
        `${here}.`,
    };
  }

  /**
   * The version a new instance of `name` gets when its start names none: host.json `defaultVersion`, else the newest
   * version registered side by side, else none.
   */
  newInstanceVersion(name: string): string | undefined {
    if (this.versioning.defaultVersion !== undefined) return this.versioning.defaultVersion;
    return this.orchestrationVersions(name).at(-1)?.version;
  }

  /**
   * What this app's worker claims under the Reject strategy (undefined: everything, as with Fail, which claims an
   * instance to fail it). Each registration contributes the versions orchestrationFor would give it; an orchestration
   * that runs any version is left out, so an app without versions filters nothing.
   */
  versionFilter(): VersionFilter | undefined {
    this.#filter ??= { value: this.#computeFilter() };
    return this.#filter.value;
  }

  #computeFilter(): VersionFilter | undefined {
    if (this.versioning.versionFailureStrategy === 'Fail') return undefined;
    const { defaultVersion, versionMatchStrategy = 'CurrentOrOlder' } = this.versioning;
    const names: string[] = [];
    const rules: VersionRule[] = [];
    for (const { name: displayed } of this.orchestrations()) {
      const name = displayed.toLowerCase();
      const own: VersionRule[] = [];
      for (const r of this.orchestrationVersions(name)) {
        if (r.version !== undefined) own.push({ name, min: r.version, max: r.version });
        else if (defaultVersion === undefined || versionMatchStrategy === 'None') own.push({ name });
        else if (versionMatchStrategy === 'Strict') own.push({ name, min: defaultVersion, max: defaultVersion });
        else own.push({ name, max: defaultVersion });
      }
      if (own.some((r) => r.min === undefined && r.max === undefined)) continue;
      names.push(name);
      rules.push(...own);
    }
    return names.length === 0 ? undefined : { names, rules };
  }

  getActivity(name: string): Registered<ActivityHandler> | undefined {
    return this.#activities.get(name.toLowerCase());
  }
  getEntity(name: string): Registered<EntityHandler> | undefined {
    return this.#entities.get(name.toLowerCase());
  }

  /** One registration per orchestration name (see orchestrationVersions for all of them). */
  orchestrations(): Registered<AnyOrchestrationHandler>[] {
    const byName = new Map(this.#orchestrations);
    for (const [key, list] of this.#versions) if (!byName.has(key)) byName.set(key, list.at(-1)!);
    return [...byName.values()];
  }
  activities(): Registered<ActivityHandler>[] {
    return [...this.#activities.values()];
  }
  entities(): Registered<EntityHandler>[] {
    return [...this.#entities.values()];
  }
}

function checkName(name: string, kind: string): void {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new TaskhubError('INVALID_ARGUMENT', `An ${kind} needs a non-empty name.`);
  }
}

function add<T>(map: Map<string, Registered<T>>, kind: string, name: string, handler: T): void {
  checkName(name, kind);
  const key = name.toLowerCase();
  const existing = map.get(key);
  if (existing && existing.handler !== handler) {
    throw new TaskhubError('INVALID_ARGUMENT', `The ${kind} '${name}' is already registered (as '${existing.name}').`);
  }
  map.set(key, { name, handler });
}

/**
 * The registry that `df.app.*`, `df.orchestrator` and function.json loading fill, as Azure apps expect a module-level
 * `app`. It holds definitions only; every task hub gets it explicitly (or another registry) when opened.
 */
export const defaultRegistry = new FunctionRegistry();
