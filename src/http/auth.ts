// Keys, as local Functions does it: bound to loopback, nobody else can reach the host and no key is needed; bound to
// any other address, the management API and function/admin-level functions require a key (`code` or x-functions-key).
import { existsSync, readFileSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import { TaskhubError } from '../core/errors.js';
import { HttpError } from './errors.js';

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * The accepted keys: `TASKHUB_KEY` (comma-separated allowed) and the lines of a keys file (blank lines and `#`
 * comments skipped).
 */
export function loadKeys(options: { env?: NodeJS.ProcessEnv; keysFile?: string } = {}): string[] {
  const env = options.env ?? process.env;
  const keys = (env.TASKHUB_KEY ?? '').split(',').map((k) => k.trim());
  const file = options.keysFile ?? env.TASKHUB_KEYS_FILE;
  if (file) {
    if (!existsSync(file)) throw new TaskhubError('INVALID_ARGUMENT', `The keys file ${file} does not exist.`);
    for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) keys.push(line.trim());
  }
  return keys.filter((k) => k !== '' && !k.startsWith('#'));
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Throws 401 unless the request carries one of `keys`. An empty key list means keys are not required. */
export function checkKey(request: Request, keys: readonly string[]): void {
  if (keys.length === 0) return;
  const given = request.headers.get('x-functions-key') ?? new URL(request.url).searchParams.get('code');
  if (given !== null && keys.some((key) => same(key, given))) return;
  throw new HttpError(
    401,
    'KEY_REQUIRED',
    'This host is not bound to loopback, so this endpoint needs a key: pass ?code=<key> or the x-functions-key header.',
  );
}
