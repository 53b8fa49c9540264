// taskhub/testing: unit-test orchestrations in process, with virtual time and activity test doubles, and check that
// recorded histories still replay against the current code.
export {
  closeTestHubs,
  createTestHub,
  type ActivityMock,
  type Duration,
  type TestHub,
  type TestHubOptions,
} from './test-hub.js';
export { durationMs } from './duration.js';
export { checkReplay, replayHistory, type ExportedHistory, type ReplayInput } from './replay.js';
export type { ReplayHistoryOptions, ReplayReport } from '../core/replayer.js';
export type { Divergence } from '../core/nondeterminism.js';
