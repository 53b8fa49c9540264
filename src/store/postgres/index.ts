// `taskhub/postgres`: the PostgreSQL task hub, on its own subpath so SQLite users never load `pg`.
export { openPostgresStore, PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
