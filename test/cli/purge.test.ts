// A bulk purge of many instances from the app folder: progress lines on stderr at every tenth, then the total, and
// the instances are gone; on a terminal it asks first and does nothing unless told yes.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { cliCommand } from '../e2e/host.js';
import { makeApp, taskhub } from './cli-helpers.js';

const COUNT = 120;
const app = makeApp();
const cwd = app.dir;

beforeAll(async () => {
  // The app's own store and hub (host.json's %CLI_HUB% is CliHub), filled by a hub in this process.
  mkdirSync(path.join(cwd, '.taskhub'));
  const registry = new FunctionRegistry();
  registry.registerOrchestration('Quick', function* (context: OrchestrationContext) {
    return context.df.getInput<number>();
  });
  const hub = await openTaskHub({
    store: path.join(cwd, '.taskhub/taskhub.db'),
    hubName: 'CliHub',
    registry,
    logger: createLogger({ level: 'silent' }),
  });
  await hub.start();
  const ids = await Promise.all(
    Array.from({ length: COUNT }, (_, i) => hub.client.startNew('Quick', { instanceId: `q-${i}`, input: i })),
  );
  await Promise.all(ids.map((id) => hub.client.waitForCompletion(id, { timeoutInMilliseconds: 60_000 })));
  await hub.close();
});
afterAll(() => app.remove());

/** Runs the CLI on a terminal (`script` gives it one), answering `reply` when it asks; resolves what it printed. */
function onTerminal(args: readonly string[], env: Record<string, string> = {}, reply?: string): Promise<string> {
  const command = [process.execPath, ...cliCommand(), ...args].map((arg) => `'${arg}'`).join(' ');
  return new Promise<string>((resolve) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd,
      env: { ...process.env, TASKHUB_LOG_LEVEL: 'warn', NO_COLOR: '', FORCE_COLOR: '', ...env },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (reply !== undefined && output.includes('[y/N]')) child.stdin.end(`${reply}\n`);
    });
    child.on('exit', () => resolve(output));
  });
}

describe('taskhub on a terminal', () => {
  it('colours statuses and headers unless NO_COLOR is set', async () => {
    const coloured = await onTerminal(['list', '--top', '2']);
    expect(coloured).toContain('\u001b[1mINSTANCE');
    expect(coloured).toContain('\u001b[32mCompleted\u001b[39m');
    const plain = await onTerminal(['list', '--top', '2'], { NO_COLOR: '1' });
    expect(plain).toMatch(/q-\d+\s+Quick\s+Completed/);
    expect(plain).not.toContain('\u001b[');
  });
});

describe('taskhub purge of many instances', () => {
  it('asks on a terminal, and purges nothing unless the answer is yes', async () => {
    const declined = await onTerminal(['purge', '--prefix', 'q-', '--status', 'Completed'], { NO_COLOR: '1' }, 'n');
    expect(declined).toContain(`Purge ${COUNT} instances from task hub CliHub`);
    expect(declined).toContain('Nothing purged.');
    expect((await taskhub(['list', '--top', '1000', '--json'], { cwd })).stdout).toContain('"q-0"');
  });

  it('reports progress at every tenth and purges them all', async () => {
    const purged = await taskhub(['purge', '--prefix', 'q-', '--status', 'Completed', '--yes'], { cwd });
    expect(purged.code).toBe(0);
    expect(purged.stdout).toBe(`Purged ${COUNT} instances.\n`);
    const progress = purged.stderr.split('\n').filter((line) => line.startsWith('Purged '));
    expect(progress).toEqual(Array.from({ length: 9 }, (_, i) => `Purged ${(i + 1) * 12} of ${COUNT}…`));
    const left = await taskhub(['list'], { cwd });
    expect(left.stdout).toContain('No instances in task hub CliHub');
  });
});
