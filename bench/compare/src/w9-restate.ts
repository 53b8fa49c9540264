// W9 on Restate: the same HTTP burst as Taskhub's (../../w9.ts: 64 keep-alive clients, one POST per start, each
// answered 202 once durable) into restate-server's own HTTP ingress, `POST /HelloChain/{id}/run/send` (a workflow
// started without waiting for its result). Completion times come from the server, as Taskhub's do: the
// `completed_at` (ms) of each invocation in `sys_invocation`, read through the admin API's SQL endpoint after the
// run. Every output is then checked through the ingress (`/restate/workflow/HelloChain/{id}/output`).
import http from 'node:http';
import { burstMetrics, getJson, httpBurst, post } from '../../w9.js';
import { assertEqual, HELLO, pool, type Metric } from './common.js';

interface InvocationRow {
  target_service_key: string;
  status: string;
  completed_at: string | null;
}

async function query<T>(adminUrl: string, sql: string): Promise<T[]> {
  const r = await fetch(`${adminUrl}/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: sql }),
  });
  if (!r.ok) throw new Error(`admin query answered ${r.status}: ${await r.text()}`);
  return ((await r.json()) as { rows: T[] }).rows;
}

export async function restateW9(ingressUrl: string, adminUrl: string, tag: string, starts: number): Promise<Metric[]> {
  const concurrency = 64;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const start = (id: string): Promise<number> => post(agent, `${ingressUrl}/HelloChain/${id}/run/send`, 'null');
  const unfinished = async (prefix: string): Promise<number> => {
    const rows = await query<{ n: number }>(
      adminUrl,
      `SELECT count(*) AS n FROM sys_invocation WHERE target_service_name = 'HelloChain'
         AND target_service_key LIKE '${prefix}%' AND status <> 'completed'`,
    );
    return Number(rows[0]?.n ?? 0);
  };
  // Waits until every invocation completed; every 10 s it says on stderr how many are left in which status, so a
  // run the harness has to kill shows what Restate was stuck on.
  const drain = async (prefix: string): Promise<void> => {
    let next = Date.now() + 10_000;
    while ((await unfinished(prefix)) > 0) {
      if (Date.now() > next) {
        next = Date.now() + 10_000;
        const rows = await query<{ status: string; n: number }>(
          adminUrl,
          `SELECT status, count(*) AS n FROM sys_invocation WHERE target_service_name = 'HelloChain'
             AND target_service_key LIKE '${prefix}%' AND status <> 'completed' GROUP BY status`,
        );
        process.stderr.write(`restate W9: still unfinished: ${rows.map((r) => `${r.n} ${r.status}`).join(', ')}\n`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    await pool(200, concurrency, async (i) => {
      const status = await start(`${tag}-warm-${i}`);
      if (status !== 202) throw new Error(`warm-up start answered ${status}`);
    });
    await drain(`${tag}-warm-`);

    const prefix = `${tag}-w9-`;
    const { sent, t0, burstEnd } = await httpBurst(starts, concurrency, (i) => start(`${prefix}${i}`));
    await drain(prefix);
    const rows = await query<InvocationRow>(
      adminUrl,
      `SELECT target_service_key, status, completed_at FROM sys_invocation
       WHERE target_service_name = 'HelloChain' AND target_service_key LIKE '${prefix}%'`,
    );
    const done = new Map(rows.map((r) => [r.target_service_key, r]));
    if (done.size !== starts) throw new Error(`W9: ${done.size} invocations, ${starts} started`);
    const finished = Array.from({ length: starts }, (_, i) => {
      const row = done.get(`${prefix}${i}`);
      if (row?.status !== 'completed' || !row.completed_at) throw new Error(`W9 ${i} is ${row?.status}`);
      return Date.parse(row.completed_at);
    });
    await pool(starts, concurrency, async (i) => {
      const output = await getJson(agent, `${ingressUrl}/restate/workflow/HelloChain/${prefix}${i}/output`);
      assertEqual(output, HELLO, `W9 invocation ${i}`);
    });
    return burstMetrics('restate', sent, finished, t0, burstEnd).metrics;
  } finally {
    agent.destroy();
  }
}
