// What the dashboard's browser tests share: building the front-end when its sources are newer than the build,
// launching Debian's Chromium through playwright-core, and waiting for an instance's state over the management API.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { until } from '../until.js';
import { ROOT } from './host.js';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Files the bundle is built from, besides dashboard/src (the shared "waiting for" module, the page, the icon). */
const ALSO_BUILT_FROM = ['src/client/waiting-for.ts', 'dashboard/index.html', 'dashboard/public/favicon.ico'];

/** Builds the dashboard when dist/dashboard is missing or older than its sources, so `vitest run` alone works. */
export function ensureBuilt(): void {
  const built = path.join(ROOT, 'dist/dashboard/index.html');
  const sources = path.join(ROOT, 'dashboard/src');
  const files = [
    ...readdirSync(sources).map((f) => path.join(sources, f)),
    ...ALSO_BUILT_FROM.map((f) => path.join(ROOT, f)),
  ];
  const newest = Math.max(...files.map((f) => statSync(f).mtimeMs));
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return;
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'dashboard/vite.config.ts'],
    { cwd: ROOT, stdio: 'pipe' },
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Polls the management API's status of `id` until `check` holds. */
export async function waitForStatus(
  api: string,
  id: string,
  check: (body: Record<string, unknown>) => boolean,
): Promise<void> {
  await until(
    async () => {
      const response = await fetch(`${api}/instances/${encodeURIComponent(id)}`);
      return response.status === 200 || response.status === 202
        ? check((await response.json()) as Record<string, unknown>)
        : false;
    },
    { what: `${id} to reach the expected state` },
  );
}
