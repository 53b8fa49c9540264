// W1 (hello chains, 64 in flight) and W4 (one-step latency) driven by the official Durable Task SDK
// (@microsoft/durabletask-js) against `taskhub serve-grpc` on SQLite, beside the same workloads in-process in the
// same run. Three processes, as a deployment has them: the serve-grpc server (a child), the SDK worker (a child:
// bench/grpc-worker.ts, it replays the orchestrators) and the SDK client (this process). Every result is checked.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { NoOpLogger, OrchestrationStatus, TaskHubGrpcClient } from '@microsoft/durabletask-js';
import { openBenchHub } from './lib/hub.js';
import { assertEqual, percentile, pool, round } from './lib/stats.js';
import { w1, w4, type Metric } from './lib/workloads.js';

const ROOT = join(import.meta.dirname, '..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const HELLO = ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'];
export const GRPC_ENGINE = 'taskhub-grpc-sdk';
const BASELINE_ENGINE = 'taskhub-sqlite';

interface Child {
  readonly process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

function startChild(args: readonly string[], ready: RegExp): Promise<Child> {
  const child = spawn(process.execPath, ['--import', TSX, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const handle: Child = {
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      if (ready.test(out)) resolve(handle);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`${args.join(' ')} exited (${String(code)}) before it was ready:\n${out}`)),
    );
    child.once('error', reject);
  });
}

/** CPU time (user + system) a child process has used, from /proc (Linux); NaN elsewhere. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields =
      readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
        .split(') ')[1]
        ?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function clientCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function runSdk(client: TaskHubGrpcClient, name: string, id: string, input?: unknown): Promise<unknown> {
  await client.scheduleNewOrchestration(name, input, id);
  const state = await client.waitForOrchestrationCompletion(id, true, 600);
  if (state?.runtimeStatus !== OrchestrationStatus.COMPLETED) {
    throw new Error(`${id} ended ${String(state?.runtimeStatus)}: ${String(state?.failureDetails?.message)}`);
  }
  return JSON.parse(state.serializedOutput ?? 'null') as unknown;
}

async function sdkW1(client: TaskHubGrpcClient, tag: string, instances: number): Promise<Metric[]> {
  const latencies: number[] = [];
  const t0 = performance.now();
  await pool(instances, 64, async (i) => {
    const s = performance.now();
    assertEqual(await runSdk(client, 'HelloChain', `${tag}-gw1-${i}`), HELLO, `gRPC W1 instance ${i}`);
    latencies.push(performance.now() - s);
  });
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return [
    { engine: GRPC_ENGINE, workload: 'W1', metric: 'instances_per_s', value: round(instances / seconds), unit: '1/s' },
    { engine: GRPC_ENGINE, workload: 'W1', metric: 'p50_ms', value: round(percentile(latencies, 50)), unit: 'ms' },
    { engine: GRPC_ENGINE, workload: 'W1', metric: 'p99_ms', value: round(percentile(latencies, 99)), unit: 'ms' },
  ];
}

async function sdkW4(client: TaskHubGrpcClient, tag: string, instances: number): Promise<Metric[]> {
  const latencies: number[] = [];
  for (let i = 0; i < instances; i++) {
    const s = performance.now();
    assertEqual(await runSdk(client, 'OneStep', `${tag}-gw4-${i}`, 'Tokyo'), 'Hello Tokyo!', `gRPC W4 instance ${i}`);
    latencies.push(performance.now() - s);
  }
  latencies.sort((a, b) => a - b);
  return [
    { engine: GRPC_ENGINE, workload: 'W4', metric: 'p50_ms', value: round(percentile(latencies, 50), 3), unit: 'ms' },
    { engine: GRPC_ENGINE, workload: 'W4', metric: 'p99_ms', value: round(percentile(latencies, 99), 3), unit: 'ms' },
  ];
}

/**
 * One run: in-process W1/W4 on a fresh SQLite hub, then the same over gRPC on another; returns both, plus the gRPC
 * figures as multiples of the in-process ones (`x_inprocess`: throughput ratio below 1, latency ratio above 1).
 */
export async function benchGrpc(tag: string, w1Instances: number, w4Instances: number): Promise<Metric[]> {
  const local = await openBenchHub();
  let baseline: Metric[];
  try {
    baseline = [
      ...(await w1(BASELINE_ENGINE, local.client, `${tag}-g`, w1Instances)),
      ...(await w4(BASELINE_ENGINE, local.client, `${tag}-g`, w4Instances)),
    ].map((m) => ({ ...m, workload: `${m.workload}-vs-grpc` }));
  } finally {
    await local.dispose();
  }

  const dir = mkdtempSync(join(tmpdir(), 'taskhub-bench-grpc-'));
  const children: Child[] = [];
  let client: TaskHubGrpcClient | undefined;
  try {
    const server = await startChild(
      ['src/cli/main.ts', 'serve-grpc', '--store', `sqlite:${join(dir, 'hub.db')}`, '--port', '0'],
      /Durable Task gRPC endpoint: http:\/\/\S+/,
    );
    children.push(server);
    const address = /Durable Task gRPC endpoint: http:\/\/(\S+)/.exec(server.output())?.[1] ?? '';
    const worker = await startChild(['bench/grpc-worker.ts', address], /worker started/);
    children.push(worker);
    client = new TaskHubGrpcClient({ hostAddress: address, logger: new NoOpLogger() });
    const sdk = client;
    // Warm-up: connections, the worker's first claims, the JIT on both sides.
    await pool(20, 8, async (i) => assertEqual(await runSdk(sdk, 'HelloChain', `${tag}-gwarm-${i}`), HELLO, 'warm-up'));
    // Where W1's CPU goes: the server (store, protobuf, dispatch), the SDK worker (replay, protobuf), the client.
    const cpuBefore = [cpuMs(server.process.pid), cpuMs(worker.process.pid), clientCpuMs()];
    const w1Metrics = await sdkW1(sdk, tag, w1Instances);
    const cpuAfter = [cpuMs(server.process.pid), cpuMs(worker.process.pid), clientCpuMs()];
    const cpu: Metric[] = ['server', 'sdk_worker', 'client'].flatMap((who, i) => {
      const spent = (cpuAfter[i] ?? NaN) - (cpuBefore[i] ?? NaN);
      return Number.isFinite(spent)
        ? [
            {
              engine: GRPC_ENGINE,
              workload: 'W1',
              metric: `${who}_cpu_ms_per_instance`,
              value: round(spent / w1Instances, 3),
              unit: 'ms',
            },
          ]
        : [];
    });
    const grpcMetrics = [...w1Metrics, ...cpu, ...(await sdkW4(sdk, tag, w4Instances))];
    const ratios: Metric[] = grpcMetrics.flatMap((g) => {
      const b = baseline.find((m) => m.workload === `${g.workload}-vs-grpc` && m.metric === g.metric);
      return b && b.value > 0
        ? [
            {
              engine: GRPC_ENGINE,
              workload: g.workload,
              metric: `${g.metric}_x_inprocess`,
              value: round(g.value / b.value, 2),
              unit: 'x',
            },
          ]
        : [];
    });
    return [...baseline, ...grpcMetrics, ...ratios];
  } finally {
    await client?.stop();
    for (const c of children.reverse()) await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
