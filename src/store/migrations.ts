// The schema as one ordered, append-only list of migrations. Each step carries its SQLite and PostgreSQL statements
// side by side, so both stores always agree on the shape. SQLite scopes rows by a `hub` column (one file can hold
// several task hubs); PostgreSQL gives each hub its own schema and uses the same tables without that column.
// PostgreSQL ids and times use the "C" collation: byte order, as SQLite compares, whatever the database's locale, so
// keyset pages and id-prefix ranges mean the same on both and the indexes serve them.
// History is stored one row per commit: `events` is the JSON array of the events one episode appended and `seq` the
// position of its first event, so an episode costs one insert and one serialization, however many events it adds.

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sqlite: readonly string[];
  readonly postgres: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'instances, history, messages, work items',
    sqlite: [
      `CREATE TABLE instances (
        hub TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        execution_id TEXT NOT NULL,
        name TEXT NOT NULL,
        runtime_status TEXT NOT NULL,
        input TEXT,
        output TEXT,
        failure_details TEXT,
        custom_status TEXT,
        parent_instance_id TEXT,
        created_time TEXT NOT NULL,
        last_updated_time TEXT NOT NULL,
        history_length INTEGER NOT NULL DEFAULT 0,
        locked_by TEXT,
        lock_expires INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (hub, instance_id)
      )`,
      `CREATE INDEX instances_created ON instances (hub, created_time, instance_id)`,
      `CREATE INDEX instances_status ON instances (hub, runtime_status)`,
      // Lease renewal and release touch only the rows one worker holds.
      `CREATE INDEX instances_locked ON instances (hub, locked_by) WHERE locked_by IS NOT NULL`,
      `CREATE TABLE history (
        hub TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        events TEXT NOT NULL,
        PRIMARY KEY (hub, instance_id, seq)
      ) WITHOUT ROWID`,
      `CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        hub TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        execution_id TEXT,
        event TEXT NOT NULL,
        visible_at INTEGER NOT NULL
      )`,
      `CREATE INDEX messages_instance ON messages (hub, instance_id, id)`,
      `CREATE INDEX messages_visible ON messages (hub, visible_at)`,
      `CREATE TABLE work_items (
        hub TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        execution_id TEXT NOT NULL,
        task_scheduled_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        input TEXT,
        locked_by TEXT,
        lock_expires INTEGER NOT NULL DEFAULT 0,
        delivery_count INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (hub, instance_id, execution_id, task_scheduled_id)
      )`,
      `CREATE INDEX work_items_ready ON work_items (hub, lock_expires)`,
      `CREATE INDEX work_items_locked ON work_items (hub, locked_by) WHERE locked_by IS NOT NULL`,
    ],
    postgres: [
      `CREATE TABLE instances (
        instance_id TEXT COLLATE "C" PRIMARY KEY,
        execution_id TEXT NOT NULL,
        name TEXT NOT NULL,
        runtime_status TEXT NOT NULL,
        input TEXT,
        output TEXT,
        failure_details TEXT,
        custom_status TEXT,
        parent_instance_id TEXT,
        created_time TEXT COLLATE "C" NOT NULL,
        last_updated_time TEXT NOT NULL,
        history_length INTEGER NOT NULL DEFAULT 0,
        locked_by TEXT,
        lock_expires BIGINT NOT NULL DEFAULT 0
      )`,
      `CREATE INDEX instances_created ON instances (created_time, instance_id)`,
      `CREATE INDEX instances_status ON instances (runtime_status)`,
      `CREATE INDEX instances_locked ON instances (locked_by) WHERE locked_by IS NOT NULL`,
      `CREATE TABLE history (
        instance_id TEXT COLLATE "C" NOT NULL,
        seq INTEGER NOT NULL,
        events TEXT NOT NULL,
        PRIMARY KEY (instance_id, seq)
      )`,
      `CREATE TABLE messages (
        id BIGSERIAL PRIMARY KEY,
        instance_id TEXT COLLATE "C" NOT NULL,
        execution_id TEXT,
        event TEXT NOT NULL,
        visible_at BIGINT NOT NULL
      )`,
      `CREATE INDEX messages_instance ON messages (instance_id, id)`,
      `CREATE INDEX messages_visible ON messages (visible_at)`,
      `CREATE TABLE work_items (
        instance_id TEXT COLLATE "C" NOT NULL,
        execution_id TEXT NOT NULL,
        task_scheduled_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        input TEXT,
        locked_by TEXT,
        lock_expires BIGINT NOT NULL DEFAULT 0,
        delivery_count INTEGER NOT NULL DEFAULT 0,
        seq BIGSERIAL,
        PRIMARY KEY (instance_id, execution_id, task_scheduled_id)
      )`,
      `CREATE INDEX work_items_ready ON work_items (lock_expires, seq)`,
      `CREATE INDEX work_items_locked ON work_items (locked_by) WHERE locked_by IS NOT NULL`,
    ],
  },
  {
    version: 2,
    // An entity is an instance row (id '@name@key'); its state, lock and dedupe window are one JSON text here.
    description: 'entity state',
    sqlite: [`ALTER TABLE instances ADD COLUMN entity_state TEXT`],
    postgres: [`ALTER TABLE instances ADD COLUMN entity_state TEXT`],
  },
  {
    version: 3,
    // Claims of an instance by a new owner since its last committed episode: poison detection (maxDeliveryCount).
    description: 'instance delivery count',
    sqlite: [`ALTER TABLE instances ADD COLUMN delivery_count INTEGER NOT NULL DEFAULT 0`],
    postgres: [`ALTER TABLE instances ADD COLUMN delivery_count INTEGER NOT NULL DEFAULT 0`],
  },
  {
    version: 4,
    // Timer triggers (NCRONTAB / TimeSpan schedules): the schedule status of each timer function, Azure's schedule
    // monitor record. Claiming an occurrence advances `last` in one statement, so one worker fires each occurrence.
    description: 'timer trigger schedules',
    sqlite: [
      `CREATE TABLE timer_schedules (
        hub TEXT NOT NULL,
        function_name TEXT NOT NULL,
        last TEXT NOT NULL,
        next TEXT NOT NULL,
        last_updated TEXT NOT NULL,
        claimed_by TEXT NOT NULL,
        PRIMARY KEY (hub, function_name)
      )`,
    ],
    postgres: [
      `CREATE TABLE timer_schedules (
        function_name TEXT COLLATE "C" PRIMARY KEY,
        last TEXT COLLATE "C" NOT NULL,
        next TEXT NOT NULL,
        last_updated TEXT NOT NULL,
        claimed_by TEXT NOT NULL
      )`,
    ],
  },
  {
    version: 5,
    // Orchestration tags (the Durable Task protocol's CreateInstanceRequest.tags): a JSON object of strings.
    description: 'instance tags',
    sqlite: [`ALTER TABLE instances ADD COLUMN tags TEXT`],
    postgres: [`ALTER TABLE instances ADD COLUMN tags TEXT`],
  },
  {
    version: 6,
    // Orchestration versioning: the version an instance was created with (its ExecutionStarted's), so a worker's
    // claim can pass over the instances whose version it does not run. PostgreSQL compares versions in the claim
    // with Durable Functions' rules (core/versioning.ts compareVersions says the same in TypeScript): blank versions
    // are equal and oldest, two System.Version-shaped versions compare part by part, anything else as text, ignoring
    // case. SQLite claims in-process and compares in TypeScript.
    description: 'instance version',
    sqlite: [`ALTER TABLE instances ADD COLUMN version TEXT`],
    postgres: [
      `ALTER TABLE instances ADD COLUMN version TEXT`,
      `CREATE OR REPLACE FUNCTION version_compare(a text, b text) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $$
      DECLARE
        x text := CASE WHEN btrim(coalesce(a, ''), E' \t\r\n') = '' THEN '' ELSE a END;
        y text := CASE WHEN btrim(coalesce(b, ''), E' \t\r\n') = '' THEN '' ELSE b END;
        px numeric[];
        py numeric[];
      BEGIN
        IF x = '' OR y = '' THEN
          RETURN (CASE WHEN x = '' THEN 0 ELSE 1 END) - (CASE WHEN y = '' THEN 0 ELSE 1 END);
        END IF;
        IF x ~ '^[0-9]+([.][0-9]+){1,3}$' AND y ~ '^[0-9]+([.][0-9]+){1,3}$' THEN
          px := string_to_array(x, '.')::numeric[];
          py := string_to_array(y, '.')::numeric[];
          IF (SELECT max(v) FROM unnest(px || py) v) <= 2147483647 THEN
            RETURN CASE WHEN px < py THEN -1 WHEN px > py THEN 1 ELSE 0 END;
          END IF;
        END IF;
        RETURN CASE WHEN upper(x) COLLATE "C" < upper(y) COLLATE "C" THEN -1
          WHEN upper(x) COLLATE "C" > upper(y) COLLATE "C" THEN 1 ELSE 0 END;
      END $$`,
    ],
  },
  {
    version: 8,
    // Retention and large purges take finished instances oldest last update first, one small batch at a time: this
    // partial index holds only finished rows, so an episode of a running instance never touches it. It depends on
    // nothing after 5 (version 7 is not used; steps are applied by version, whichever are missing). PostgreSQL keys
    // the time in the "C" collation, byte order like SQLite's, as the purge queries compare it.
    description: 'finished instances by last update',
    sqlite: [
      `CREATE INDEX instances_finished ON instances (hub, runtime_status, last_updated_time)
        WHERE runtime_status IN ('Completed','Failed','Terminated','Canceled')`,
    ],
    postgres: [
      `CREATE INDEX instances_finished ON instances (runtime_status, last_updated_time COLLATE "C")
        WHERE runtime_status IN ('Completed','Failed','Terminated','Canceled')`,
    ],
  },
  {
    version: 9,
    // SQLite history becomes a rowid table with a unique index on (hub, instance_id, seq). WITHOUT ROWID kept each
    // instance's rows (payloads included) together, so 64 instances in flight dirtied ~28 separate history pages per
    // group commit (65 % of W1's WAL frames); rows appended by rowid land together on the table's last pages, and only
    // the small index entries scatter. W1 43.4 → 29.7 pages per commit, W2 8.0 → 7.5, W4 22.8 → 21.5. Reads by
    // instance in seq order stay a range scan of the index. The rebuild runs inside the migration's one transaction
    // (all or nothing), holding the write lock: for a hub of 1,000,000 history rows (a 300 MB file) it took 2.7 s on a
    // loaded 2-core machine, the WAL grew by the table's size (checkpointed afterwards as usual) and the old table's
    // pages stay in the file as free pages that new rows reuse (VACUUM returns them). It depends on nothing after
    // version 1. PostgreSQL keeps its heap table (already appended in arrival order).
    description: 'history appended in arrival order (SQLite)',
    sqlite: [
      `CREATE TABLE history_by_arrival (
        hub TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        events TEXT NOT NULL
      )`,
      `INSERT INTO history_by_arrival (hub, instance_id, seq, events) SELECT hub, instance_id, seq, events FROM history`,
      `DROP TABLE history`,
      `ALTER TABLE history_by_arrival RENAME TO history`,
      `CREATE UNIQUE INDEX history_instance_seq ON history (hub, instance_id, seq)`,
    ],
    postgres: [],
  },
  {
    version: 10,
    // Whether a work item's latest delivery ran alone in its process (no other activity or episode beside it). Only a
    // delivery that ended its worker while alone counts toward quarantine: a bystander of someone else's crash never
    // reaches it (docs/architecture.md, "Work that keeps failing").
    description: 'work item delivered alone',
    sqlite: [`ALTER TABLE work_items ADD COLUMN solo INTEGER NOT NULL DEFAULT 0`],
    postgres: [`ALTER TABLE work_items ADD COLUMN solo BOOLEAN NOT NULL DEFAULT false`],
  },
  {
    version: 11,
    // The local activities an instance's owner runs in its own process, as a JSON array of
    // { taskScheduledId, name, input?, executionId? } (NULL when none). Written by the instance update every episode
    // commit does anyway, so a local activity costs no work_items insert and delete (52 % of W2's WAL pages on
    // SQLite). Whoever gives up or takes over the lock turns the list into ordinary work items
    // (docs/architecture.md, "Crash recovery"). Not indexed: PostgreSQL's update stays HOT.
    description: 'local activities in the instance row',
    sqlite: [`ALTER TABLE instances ADD COLUMN local_work TEXT`],
    postgres: [`ALTER TABLE instances ADD COLUMN local_work TEXT`],
  },
  {
    version: 12,
    // PostgreSQL updates a row in place (HOT: no new index entries, far less WAL) only when no indexed column changes.
    // instances_finished keyed last_updated_time, which every episode sets, so since version 8 no episode update was
    // HOT and each wrote a new entry into every index of the table. Finished rows are now keyed by finished_time, set
    // only when an instance reaches a terminal status (and cleared when it runs again): an episode of a running
    // instance changes no indexed column. New pages are filled to 60 % only, so the new row version fits on the page
    // of the old one (W1: HOT updates 0.29 of 1 per activity at 80 %, 0.59 at 60 %, 0.67 of the possible 0.67 at 50 %).
    // SQLite maintains an index only where the updated columns appear in it and the row is in it: nothing to do.
    description: 'finished time (PostgreSQL): episode updates in place',
    sqlite: [],
    postgres: [
      `ALTER TABLE instances ADD COLUMN finished_time TEXT COLLATE "C"`,
      `UPDATE instances SET finished_time = last_updated_time WHERE runtime_status IN ('Completed','Failed','Terminated','Canceled')`,
      `DROP INDEX instances_finished`,
      `CREATE INDEX instances_finished ON instances (runtime_status, finished_time) WHERE finished_time IS NOT NULL`,
      `ALTER TABLE instances SET (fillfactor = 60)`,
    ],
  },
];
