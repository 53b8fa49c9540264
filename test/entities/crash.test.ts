// SIGKILL during a stream of 1,000 signals to one entity: the test process sends the signals through a client-only
// hub while a real child process runs the entity and is killed repeatedly; every signal is applied exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EntityId } from '../../src/core/entity-id.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';

const SIGNALS = 1000;
const dir = mkdtempSync(join(tmpdir(), 'taskhub-entity-crash-'));
const file = join(dir, 'hub.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startHost(): { child: ChildProcess; output: Promise<string>; started: Promise<void> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'entity-host.ts'), file, String(SIGNALS)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let text = '';
  let onStarted = (): void => undefined;
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    if (text.includes('started')) onStarted();
  });
  const output = new Promise<string>((resolve) => child.on('exit', () => resolve(text)));
  return { child, output, started: Promise.race([started, output.then(() => undefined)]) };
}

describe('entity crash recovery', () => {
  it(`applies each of ${SIGNALS} signals exactly once across SIGKILLs`, async () => {
    const sender = await openTaskHub({
      store: file,
      registry: new FunctionRegistry(),
      worker: false,
      logger: createLogger({ level: 'silent' }),
    });
    const id = new EntityId('Counter', 'crash');
    let sent = 0;
    let kills = 0;
    let partial = 0;
    try {
      while (sent < SIGNALS) {
        const { child, output, started } = startHost();
        await started;
        const killAt = Date.now() + 150 + Math.random() * 350;
        while (Date.now() < killAt && sent < SIGNALS) {
          const burst = Math.min(40, SIGNALS - sent);
          await Promise.all(Array.from({ length: burst }, () => sender.client.signalEntity(id, 'add', 1)));
          sent += burst;
          await new Promise((r) => setTimeout(r, 50));
        }
        child.kill('SIGKILL');
        kills++;
        await output;
        const value = (await sender.client.readEntityState<number>(id)).entityState ?? 0;
        if (value > 0 && value < sent) partial++;
        if (process.env.CRASH_DEBUG) process.stderr.write(`kill ${kills}: ${value} of ${sent} applied\n`);
      }
      const last = startHost();
      expect(await last.output).toContain('done');
      const state = await sender.client.readEntityState<number>(id);
      expect(state).toEqual({ entityExists: true, entityState: SIGNALS });
      expect(kills).toBeGreaterThanOrEqual(3);
      // Kills must have landed while signals were still waiting, or the test proves nothing.
      expect(partial).toBeGreaterThan(0);
    } finally {
      await sender.close();
    }
  }, 120_000);
});
