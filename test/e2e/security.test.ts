// What an operator sees from the real CLI: numeric options refused at startup with a clear message; a host bound off
// loopback whose built-in starter needs a key and hands out URLs at --public-url carrying only the presented key.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { post, runCli, startHost, type CliResult, type RunningHost } from './host.js';

const APP = 'examples/human-interaction';

function taskhub(...args: string[]): Promise<CliResult> {
  return runCli(args, { TASKHUB_KEY: '' });
}

let host: RunningHost | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await host?.stop();
  host = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempStore(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-security-'));
  dirs.push(dir);
  return `sqlite:${path.join(dir, 'hub.db')}`;
}

/** Runs every command at once and expects each to exit 1 with its message on stderr and no banner. */
async function expectRefused(cases: readonly (readonly [args: string[], message: string])[]): Promise<void> {
  const results = await Promise.all(cases.map(([args]) => taskhub(...args)));
  results.forEach((result, i) => {
    const [args, message] = cases[i]!;
    expect({ args, code: result.code, stderr: result.stderr.trim() }).toEqual({
      args,
      code: 1,
      stderr: `taskhub: ${message}`,
    });
    expect(result.stdout).not.toContain('Management API');
  });
}

describe('numeric options are refused at startup', () => {
  it('start --max-body-bytes: abc, -1, 1.5, 0, empty', async () => {
    const start = ['start', APP, '--store', tempStore(), '--port', '0'];
    const message = (value: string) => `--max-body-bytes must be a whole number of bytes, at least 1, not ${value}`;
    await expectRefused([
      [[...start, '--max-body-bytes', 'abc'], message('abc')],
      [[...start, '--max-body-bytes', '-1'], message('-1')],
      [[...start, '--max-body-bytes', '1.5'], message('1.5')],
      [[...start, '--max-body-bytes', '0'], message('0')],
      [[...start, '--max-body-bytes', ''], message('an empty value')],
    ]);
  });

  it('start and dashboard --port, worker --lease-ms, list --top', async () => {
    const store = tempStore();
    await expectRefused([
      [['start', APP, '--store', store, '--port', 'abc'], '--port must be a whole number, from 0 to 65535, not abc'],
      [
        ['start', APP, '--store', store, '--port', '70000'],
        '--port must be a whole number, from 0 to 65535, not 70000',
      ],
      [['dashboard', '--store', store, '--port', '-5'], '--port must be a whole number, from 0 to 65535, not -5'],
      [
        ['worker', APP, '--store', store, '--lease-ms', '5'],
        '--lease-ms must be a whole number of milliseconds, at least 100, not 5',
      ],
      [
        ['worker', APP, '--store', store, '--lease-ms', '1e3'],
        '--lease-ms must be a whole number of milliseconds, at least 100, not 1e3',
      ],
      [['list', '--store', store, '--top', 'all'], '--top must be a whole number, at least 1, not all'],
    ]);
  });

  it('start --public-url that is not an absolute http(s) URL', async () => {
    await expectRefused([
      [
        ['start', APP, '--store', tempStore(), '--port', '0', '--public-url', 'taskhub.example.com'],
        "The public URL must be an absolute http(s) URL such as https://taskhub.example.com, not 'taskhub.example.com'. " +
          '(INVALID_ARGUMENT)',
      ],
    ]);
  });

  it('a valid --max-body-bytes is applied', async () => {
    host = await startHost(APP, { args: ['--max-body-bytes', '100'] });
    const big = await post(`${host.url}/api/orchestrators/ApprovalWorkflow`, 'x'.repeat(200));
    expect(big.status).toBe(413);
    expect(String(big.body.Message)).toContain('larger than 100 bytes');
  });
});

describe('a host bound off loopback', () => {
  it('its built-in starter needs the key; URLs are at --public-url and carry the presented key only', async () => {
    host = await startHost(APP, {
      args: ['--host', '0.0.0.0', '--public-url', 'https://hub.example.com/'],
      env: { TASKHUB_KEY: 'first-key,second-key' },
    });
    // Bound to 0.0.0.0 the banner shows localhost; reach it over IPv4.
    const base = host.url.replace('localhost', '127.0.0.1');
    const refused = await post(`${base}/api/orchestrators/ApprovalWorkflow`);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'KEY_REQUIRED' });
    expect(JSON.stringify(refused.body)).not.toContain('first-key');

    const started = await post(`${base}/api/orchestrators/ApprovalWorkflow`, undefined, {
      'x-functions-key': 'second-key',
    });
    expect(started.status).toBe(202);
    const id = String(started.body.id);
    expect(started.body.statusQueryGetUri).toBe(
      `https://hub.example.com/runtime/webhooks/durabletask/instances/${id}` +
        '?taskHub=TestHubName&connection=Storage&code=second-key',
    );
    expect(JSON.stringify(started.body)).not.toContain('first-key');
    // The URL handed out works once pointed back at the real socket.
    const status = await fetch(String(started.body.statusQueryGetUri).replace('https://hub.example.com', base));
    expect(status.status).toBeLessThan(300);
    expect(await status.json()).toMatchObject({ instanceId: id, name: 'ApprovalWorkflow' });
  });
});
