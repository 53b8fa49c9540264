// Gives the replay engine AsyncLocalStorage for async orchestrators (core imports no Node built-ins). Imported for its
// effect by whatever runs orchestrator code: the worker, the replayers and `df`. The storage itself is created only
// when the first async orchestrator runs, so a process with generator orchestrators only never enables it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { installAsyncContextStorage, type AsyncScope } from '../core/ambient.js';

installAsyncContextStorage(() => new AsyncLocalStorage<AsyncScope>());
