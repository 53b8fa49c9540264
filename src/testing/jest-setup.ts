// Jest setup file added by withTaskhub (taskhub/testing/jest): a hub a failed test left open is closed after it.
import { closeTestHubs } from './test-hub.js';

// Jest's global, present in every test file and setup file it runs.
declare const afterEach: (fn: () => Promise<void>) => void;

afterEach(closeTestHubs);
