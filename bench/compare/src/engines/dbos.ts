// DBOS Transact: a library, so its workflows run inside the measuring process and checkpoint into its PostgreSQL
// system database (a fresh one per run). Settings are DBOS's defaults (system pool of 10) except the log level.
import { DBOS } from '@dbos-inc/dbos-sdk';
import { CITIES, type Adapter } from '../common.js';

const sayHello = DBOS.registerStep(async (name: string) => Promise.resolve(`Hello ${name}!`), { name: 'sayHello' });

const helloChain = DBOS.registerWorkflow(
  async () => {
    const out: string[] = [];
    for (const c of CITIES) out.push(await sayHello(c));
    return out;
  },
  { name: 'helloChain' },
);

const oneStep = DBOS.registerWorkflow(async (name: string) => sayHello(name), { name: 'oneStep' });

const sequence = DBOS.registerWorkflow(
  async (n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await DBOS.runStep(async () => Promise.resolve(1), { name: 'one' });
    return sum;
  },
  { name: 'sequence' },
);

const fanout = DBOS.registerWorkflow(
  async (n: number) => {
    const steps: Promise<number>[] = [];
    for (let i = 0; i < n; i++) steps.push(DBOS.runStep(async () => Promise.resolve(i + 1), { name: 'plusOne' }));
    return (await Promise.all(steps)).reduce((a, b) => a + b, 0);
  },
  { name: 'fanout' },
);

// W5 with DBOS's own messaging: DBOS.send from the client, DBOS.recv in the workflow, one message per event.
const events = DBOS.registerWorkflow(
  async (n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = await DBOS.recv<number>('tick', { timeoutSeconds: 600 });
      if (v === null) throw new Error(`event ${i} did not arrive`);
      sum += v;
    }
    return sum;
  },
  { name: 'events' },
);

async function startAndWait<A extends unknown[], R>(wf: (...args: A) => Promise<R>, id: string, ...args: A) {
  const handle = await DBOS.startWorkflow(wf, { workflowID: id })(...args);
  return handle.getResult();
}

export async function openDbos(systemDatabaseUrl: string): Promise<{ adapter: Adapter; close(): Promise<void> }> {
  DBOS.setConfig({ name: 'taskhub-compare', systemDatabaseUrl, logLevel: 'warn', applicationVersion: 'compare-1' });
  await DBOS.launch();
  const adapter: Adapter = {
    helloChain: (id) => startAndWait(helloChain, id),
    sequence: (id, n) => startAndWait(sequence, id, n),
    fanout: (id, n) => startAndWait(fanout, id, n),
    oneStep: (id, name) => startAndWait(oneStep, id, name),
    async startEvents(id, n) {
      const handle = await DBOS.startWorkflow(events, { workflowID: id })(n);
      return () => handle.getResult();
    },
    raiseEvent: (id) => DBOS.send(id, 1, 'tick'),
  };
  return { adapter, close: () => DBOS.shutdown() };
}
