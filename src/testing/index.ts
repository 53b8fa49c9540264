// taskhub/testing: unit-test orchestrations in process, with virtual time and activity test doubles.
export { createTestHub, type ActivityMock, type Duration, type TestHub, type TestHubOptions } from './test-hub.js';
export { durationMs } from './duration.js';
export { replayHistory, type ReplayHistoryOptions } from '../core/replayer.js';
