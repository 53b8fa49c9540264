// durable-functions 3.5's critical-section API (`context.df.lock`, `isLocked`): the lock handle, the lock state, and
// the error for breaking the locking rules, with the real package's names and messages.
import type { EntityLock } from './context.js';
import type { EntityId } from './entity-id.js';

/** The messages of LockingRulesViolationError, as durable-functions words them. */
export const LockingRulesViolationMessages = {
  NestedSection: 'Cannot acquire more locks when already holding some locks.',
  SubOrchestrationInSection: 'Cannot invoke sub-orchestrations from within a critical section.',
  CallUnlockedEntity: 'Cannot call an entity from within a critical section unless it is one of the locked entities.',
  ParallelSameEntity: 'Cannot call the same entity multiple times in parallel within a critical section.',
  SignalLockedEntity:
    'Cannot signal an entity from within a critical section if the entity is one of the locked entities.',
} as const;

/** Thrown by orchestrator API calls that break the rules of a critical section. */
export class LockingRulesViolationError extends Error {
  static readonly code = 'LOCKING_RULES_VIOLATION';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LockingRulesViolationError';
  }
}

/** Whether the orchestration is in a critical section, and which entities it holds (`context.df.isLocked()`). */
export class LockState {
  constructor(
    readonly isLocked: boolean,
    readonly ownedLocks: readonly EntityId[],
  ) {}
}

/** The handle of a critical section (`yield context.df.lock(...)`): `release()` (or `using`) ends the section. */
export class DurableLock implements EntityLock, Disposable {
  readonly ownedLocks: readonly EntityId[];
  /** Scheduler ids of the locked entities with a callEntity in flight (one at a time per entity). */
  readonly inFlightEntityCalls = new Set<string>();
  #released = false;
  readonly #onRelease: () => void;

  constructor(ownedLocks: readonly EntityId[], onRelease: () => void) {
    this.ownedLocks = Object.freeze([...ownedLocks]);
    this.#onRelease = onRelease;
  }

  /** Taskhub's lockEntities name for ownedLocks. */
  get entities(): readonly EntityId[] {
    return this.ownedLocks;
  }
  get isReleased(): boolean {
    return this.#released;
  }
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.inFlightEntityCalls.clear();
    this.#onRelease();
  }
  [Symbol.dispose](): void {
    this.release();
  }
}
