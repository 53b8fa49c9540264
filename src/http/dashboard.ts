// The web dashboard: the built front-end (dashboard/ built by Vite into dist/dashboard) served at `/` with its assets
// under /dashboard/assets, and its JSON API under /dashboard/api. The page and assets are public, as any static site;
// the API asks for the same key as the management API. Read-only mode answers 403 to every mutating request.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { checkKey, readOnlyGuard } from './auth.js';
import { dashboardApi, type DashboardApiOptions } from './dashboard-api.js';
import { HttpError } from './errors.js';
import type { HostContext } from './host-context.js';

export const DASHBOARD_PATH = '/dashboard';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** dist/dashboard beside the built code (dist/http/), or from the sources (src/http/) once `npm run build` ran. */
export function findDashboardAssets(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [path.join(here, '../dashboard'), path.join(here, '../../dist/dashboard')].find((dir) =>
    existsSync(path.join(dir, 'index.html')),
  );
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Taskhub dashboard</title>
<p>The dashboard is not built. Run <code>npm run build:dashboard</code> in the Taskhub folder, then reload.</p>`;

export function dashboard(host: HostContext, options: DashboardApiOptions & { assetsDir?: string }): Hono {
  const app = new Hono();
  const assets = options.assetsDir ?? findDashboardAssets();

  app.use(`${DASHBOARD_PATH}/api/*`, async (c, next) => {
    checkKey(c.req.raw, host.keys);
    await next();
  });
  if (host.readOnly) app.use(`${DASHBOARD_PATH}/api/*`, readOnlyGuard);
  app.route(`${DASHBOARD_PATH}/api`, dashboardApi(host, options));

  const index = (): Response => {
    const file = assets ? path.join(assets, 'index.html') : undefined;
    const html = file && existsSync(file) ? readFileSync(file, 'utf8') : NOT_BUILT;
    return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' } });
  };
  app.get('/', index);
  app.get(DASHBOARD_PATH, index);
  app.get(`${DASHBOARD_PATH}/`, index);
  // Browsers ask for /favicon.ico on their own; the dashboard's page links the same icon.
  const favicon = (): Response => {
    const file = assets ? path.join(assets, 'favicon.ico') : undefined;
    if (!file || !existsSync(file))
      throw new HttpError(404, 'NOT_FOUND', 'The dashboard is not built, so it has no icon.');
    return new Response(readFileSync(file), {
      headers: { 'content-type': 'image/x-icon', 'cache-control': 'public, max-age=86400' },
    });
  };
  app.get('/favicon.ico', favicon);
  app.get(`${DASHBOARD_PATH}/favicon.ico`, favicon);
  app.get(`${DASHBOARD_PATH}/assets/:file`, (c) => {
    const name = c.req.param('file');
    // Vite names assets by content hash in one flat folder: anything else is not ours to serve.
    const type = CONTENT_TYPES[path.extname(name)];
    const file = assets && type && /^[\w.-]+$/.test(name) ? path.join(assets, 'assets', name) : undefined;
    if (!file || !existsSync(file)) throw new HttpError(404, 'NOT_FOUND', `No dashboard asset '${name}'.`);
    return new Response(readFileSync(file), {
      headers: { 'content-type': type!, 'cache-control': 'public, max-age=31536000, immutable' },
    });
  });
  return app;
}
