// An app for the `taskhub replay` tests, loaded by the CLI like any code-first app: the orchestrators of the recorded
// fixtures and of the pattern app, registered through df.app.
import * as df from 'durable-functions';
import { fixtureOrchestrators } from '../fixtures/orchestrators.js';
import { registry } from './approval-app.js';

for (const [name, handler] of Object.entries(fixtureOrchestrators)) df.app.orchestration(name, handler);
const taken = new Set(Object.keys(fixtureOrchestrators).map((n) => n.toLowerCase()));
for (const o of registry.orchestrations()) {
  // The fixtures' 'approval' keeps its name; the pattern app's own Approval is tested in process only.
  if (!taken.has(o.name.toLowerCase())) df.app.orchestration(o.name, o.handler);
}
