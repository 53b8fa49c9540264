// An app whose orchestrators are the async twins of the recorded fixtures' generators, registered through
// durable-functions as a user would, for `taskhub replay`.
import * as df from 'durable-functions';
import { asyncFixtureOrchestrators } from './async-fixtures.js';

for (const [name, handler] of Object.entries(asyncFixtureOrchestrators)) df.app.orchestration(name, handler);
