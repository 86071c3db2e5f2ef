// The portal as Elevate serves it (src/http/portal.ts): index.html for the client-side pages only,
// revalidated on every load and under a strict Content-Security-Policy; hashed assets cached for a
// year; every API path answers as before. A stand-in build in a temporary folder: what is tested
// is the serving, not Vite (test/e2e/portal-browser.test.ts runs the real build in Chromium).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMMUTABLE, PORTAL_CSP, PORTAL_PAGES } from '../../src/http/portal.js';
import { PAGES } from '../../web/src/routes.js';
import { testServer, type TestServer } from '../helpers/server.js';

const INDEX =
  '<!doctype html><title>Elevate</title><script type="module" src="/assets/index-AbC123.js"></script>';
const SCRIPT = 'console.log("portal")';

describe('the portal served at /', () => {
  let dir: string;
  let s: TestServer;
  let bare: TestServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'elevate-portal-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'index-AbC123.js'), SCRIPT);
    writeFileSync(join(dir, 'assets', 'index-DeF456.css'), 'body{}');
    s = await testServer({ portalDir: dir });
    bare = await testServer();
  });
  afterAll(async () => {
    await s?.close();
    await bare?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers index.html for every page of the portal, no-cache, under its CSP', async () => {
    for (const url of [
      '/',
      '/roles',
      '/requests',
      '/approvals',
      '/admin/roles',
      '/admin/roles/62e90394-69f5-4237-9190-012177145e10',
      '/audit',
      '/compliance',
      '/alerts',
      '/portal/callback?code=x&state=y',
      '/roles/',
    ]) {
      const res = await s.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toBe(INDEX);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(PORTAL_CSP);
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('has a policy without unsafe-inline or unsafe-eval, scripts and styles from itself only', () => {
    expect(PORTAL_CSP).not.toMatch(/unsafe-/);
    expect(PORTAL_CSP).toContain("script-src 'self'");
    expect(PORTAL_CSP).toContain("style-src 'self'");
    expect(PORTAL_CSP).toContain("frame-ancestors 'none'");
  });

  it('serves hashed assets immutable for a year, with their media type', async () => {
    const js = await s.app.inject({ method: 'GET', url: '/assets/index-AbC123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.body).toBe(SCRIPT);
    expect(js.headers['cache-control']).toBe(IMMUTABLE);
    expect(IMMUTABLE).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const css = await s.app.inject({ method: 'GET', url: '/assets/index-DeF456.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe(IMMUTABLE);
  });

  it('answers an unknown asset 404 in the error envelope, never index.html', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/assets/index-gone.js' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toMatchObject({ error: { code: 'NotFound' } });
    const escape = await s.app.inject({ method: 'GET', url: '/assets/..%2Findex.html' });
    expect(escape.statusCode).toBe(404);
  });

  it('shadows no API path: unknown pages and API paths answer as without a portal', async () => {
    const urls = [
      '/v1.0/me',
      '/v1.0/nothing-here',
      '/beta/roleManagement/directory/roleAssignmentApprovals/x',
      '/roles/unknown/deeper',
      '/no-such-page',
      '/oauth2/v2.0/nothing',
      '/.well-known/openid-configuration',
      '/healthz',
      `/${s.boot.tenantId}/v2.0/.well-known/openid-configuration`,
    ];
    for (const url of urls) {
      const [withPortal, without] = await Promise.all([
        s.app.inject({ method: 'GET', url }),
        bare.app.inject({ method: 'GET', url: url.replace(s.boot.tenantId, bare.boot.tenantId) }),
      ]);
      expect(withPortal.statusCode, url).toBe(without.statusCode);
      expect(withPortal.headers['content-type'], url).toBe(without.headers['content-type']);
      expect(withPortal.body, url).not.toBe(INDEX);
    }
    const post = await s.app.inject({ method: 'POST', url: '/roles' });
    expect(post.statusCode).toBe(405);
  });

  it('without a built portal, / is not found', async () => {
    expect((await bare.app.inject({ method: 'GET', url: '/' })).statusCode).toBe(404);
  });

  it('serves exactly the pages the portal draws (web/src/routes.ts)', () => {
    expect([...PORTAL_PAGES].sort()).toEqual(Object.values(PAGES).sort());
  });
});
