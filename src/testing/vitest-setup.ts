// Vitest setup file added by the `taskhub/testing/vitest` plugin: a hub a failed test left open is closed after it.
import { afterEach } from 'vitest';
import { closeTestHubs } from './test-hub.js';

afterEach(closeTestHubs);
