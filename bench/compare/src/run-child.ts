// Runs one measurement (src/child.ts) in a fresh process and returns its metrics; a failed check, a crash or a
// timeout rejects with the tail of the child's output. Shared by this harness and the root's `npm run bench`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Job } from './job.js';
import type { Metric } from './common.js';

const HERE = import.meta.dirname;

export function runChild(job: Job, timeoutMs: number): Promise<Metric[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'child.ts'), JSON.stringify(job)], {
      cwd: join(HERE, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      err += `\n(timed out after ${timeoutMs / 1000} s)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) return resolvePromise(JSON.parse(line.slice(7)) as Metric[]);
      const tail = (err + out).trim().split('\n').slice(-25).join('\n');
      reject(new Error(`${job.engine} ${job.workload}: exit ${code ?? signal}\n${tail}`));
    });
  });
}
