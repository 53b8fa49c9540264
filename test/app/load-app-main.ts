// Loads an app in a fresh Node process (the loader's module hooks act on the process, as in `taskhub start`) and
// prints what it registered as JSON, or the load error.
import { AppDefinition } from '../../src/app/app-definition.js';
import { loadApp } from '../../src/app/loader.js';

const target = process.argv[2] ?? '.';
const app = new AppDefinition();
try {
  const loaded = await loadApp(target, { app });
  const summary = {
    kind: loaded.kind,
    files: loaded.files.map((f) => f.slice(loaded.root.length + 1)),
    routePrefix: app.routePrefix,
    hubName: app.hubName ?? null,
    http: app.httpFunctions.map(({ name, route, methods, authLevel }) => ({ name, route, methods, authLevel })),
    orchestrations: app.registry.orchestrations().map((r) => r.name),
    activities: app.registry.activities().map((r) => r.name),
    entities: app.registry.entities().map((r) => r.name),
    unserved: app.unservedFunctions,
  };
  process.stdout.write(JSON.stringify(summary));
} catch (err) {
  process.stdout.write(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
}
