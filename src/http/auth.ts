// Who may do what. Keys, as local Functions does it: bound to loopback, nobody else can reach the host and no key is
// needed; bound to any other address, the management API, the dashboard API, the built-in starter and
// function/admin-level functions require a key (`code` or x-functions-key). And --read-only, which refuses writes.
// docs/http-routes.md lists every route with its rule; test/http/route-auth.test.ts holds the code to that table.
import { existsSync, readFileSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
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

/**
 * The key the request presents (`x-functions-key`, else `code`) when it is one of `keys`; undefined when it presents
 * none, a wrong one, or keys are not required. URLs handed back to the caller carry this key and no other, so a
 * caller never learns a key it did not already hold.
 */
export function presentedKey(request: Request, keys: readonly string[]): string | undefined {
  if (keys.length === 0) return undefined;
  const given = request.headers.get('x-functions-key') ?? new URL(request.url).searchParams.get('code');
  return given !== null && keys.some((key) => same(key, given)) ? given : undefined;
}

/** Throws 401 unless the request carries one of `keys`. An empty key list means keys are not required. */
export function checkKey(request: Request, keys: readonly string[]): void {
  if (keys.length === 0 || presentedKey(request, keys) !== undefined) return;
  throw new HttpError(
    401,
    'KEY_REQUIRED',
    'This host is not bound to loopback, so this endpoint needs a key: pass ?code=<key> or the x-functions-key header.',
  );
}

/** 403 for anything but a read (GET, HEAD, OPTIONS): what a --read-only host answers to every mutating request. */
export function refuseWrites(request: Request): void {
  if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
  throw new HttpError(
    403,
    'READ_ONLY',
    'This host runs with --read-only: it shows instances but changes nothing. Restart it without --read-only.',
  );
}

/** refuseWrites as middleware, for the routes of a --read-only host that change things. */
export const readOnlyGuard: MiddlewareHandler = async (c, next) => {
  refuseWrites(c.req.raw);
  await next();
};
