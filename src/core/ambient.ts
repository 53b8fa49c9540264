// The orchestration whose code is running right now. Orchestrator code runs synchronously inside the engine (no I/O,
// no awaits), so a module variable set around each generator step is exact; df.app callables read it.
import type { DurableOrchestrationContext } from './context.js';
import { TaskhubError } from './errors.js';

let current: DurableOrchestrationContext | undefined;

export function runInOrchestration<T>(context: DurableOrchestrationContext, step: () => T): T {
  const previous = current;
  current = context;
  try {
    return step();
  } finally {
    current = previous;
  }
}

/** The running orchestration's context; throws when called outside orchestrator code. */
export function currentOrchestration(what: string): DurableOrchestrationContext {
  if (!current) {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      `${what} can only be called from orchestrator code (a function* registered with df.app.orchestration), ` +
        'while it runs.',
    );
  }
  return current;
}
