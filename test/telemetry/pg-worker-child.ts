// A worker process on a PostgreSQL task hub with the OpenTelemetry SDK registered (spans appended to a file): it runs
// whatever instances the test starts from its own process, and says `ready` once it claims work.
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { FileSpanExporter } from './file-span-exporter.js';
import { registerSdk } from './otel-sdk.js';
import { pgAppRegistry } from './pg-app.js';

const [connectionString, hubName, spansFile] = process.argv.slice(2);
registerSdk(new FileSpanExporter(spansFile!));
const hub = await openTaskHub({
  store: openPostgresStore({ connectionString: connectionString!, hubName: hubName! }),
  registry: pgAppRegistry(),
  worker: { pollIntervalMs: 50 },
  logger: createLogger({ level: 'silent' }),
});
await hub.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  hub.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
