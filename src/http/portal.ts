import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The portal's client-side routes: each answers `index.html`, and the single-page app draws the
 * page. Listed rather than a catch-all, so that no API path (`/v1.0`, `/beta`, `/oauth2`,
 * `/{tenant}/oauth2/…`, `/identity`, `/.well-known`, `/access`, `/docs`…) can ever be shadowed: an
 * unknown path keeps its API answer. `web/src/routes.ts` holds the same list (a test compares them).
 */
export const PORTAL_PAGES = [
  '/',
  '/roles',
  '/requests',
  '/approvals',
  '/admin/roles',
  '/admin/roles/:roleId',
  '/admin/directory',
  '/audit',
  '/compliance',
  '/alerts',
  '/reviews',
  '/groups',
  '/resources',
  '/channels',
  '/connectors',
  '/break-glass',
  '/portal/callback',
] as const;

/** Where the built assets live under the portal's folder; their names carry a content hash. */
const ASSETS = 'assets';

/** Hashed files never change under their name: a year, and the browser need not ask again. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The portal's policy: scripts, styles, fonts and images from Elevate only, API calls to Elevate
 * only, no inline script or style element (Mantine runs from its static CSS file; ADR 0032), no
 * framing, no plugins.
 */
export const PORTAL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

interface Asset {
  body: Buffer;
  type: string;
}

/** Every file under `dir/assets`, read once at start (a few hundred kilobytes). */
function readAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const root = join(dir, ASSETS);
  if (!existsSync(root)) return assets;
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    if (!statSync(path).isFile()) continue;
    assets.set(name, { body: readFileSync(path), type: TYPES[extname(name)] ?? 'application/octet-stream' });
  }
  return assets;
}

/**
 * The built portal (`dist/web`) next to the code that serves it: `dist/src/http/portal.js` when
 * started from the build, `src/http/portal.ts` under tsx; both find the repository's `dist/web`.
 */
export function defaultPortalDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'web');
    dir = resolve(dir, '..');
  }
  return resolve('dist', 'web');
}

/**
 * Serves the built portal from `dir` (absent `index.html`: nothing is registered, and `/` keeps its
 * 404). `index.html` is answered `no-cache` (revalidated on every load, so a new build is picked up
 * at once) under the portal's Content-Security-Policy; hashed assets are `immutable`.
 */
export function registerPortal(app: FastifyInstance, dir: string): boolean {
  const indexPath = join(dir, 'index.html');
  if (!existsSync(indexPath)) return false;
  const index = readFileSync(indexPath);
  const assets = readAssets(dir);
  const page = (_request: unknown, reply: FastifyReply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', PORTAL_CSP)
      .send(index);
  for (const url of PORTAL_PAGES) app.get(url, { schema: { hide: true } }, page);
  app.get<{ Params: { file: string } }>(`/${ASSETS}/:file`, { schema: { hide: true } }, (request, reply) => {
    const asset = assets.get(request.params.file);
    if (asset === undefined) return reply.callNotFound();
    return reply.header('content-type', asset.type).header('cache-control', IMMUTABLE).send(asset.body);
  });
  return true;
}
