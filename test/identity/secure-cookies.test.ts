// With an https issuer, every sign-in cookie is `Secure` (as well as HttpOnly and SameSite).
import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { createElevate, type Elevate } from '../../src/compose.js';
import { systemClock } from '../../src/domain/time/clock.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { freshDb } from '../helpers/db.js';
import { Browser, pkcePair } from './support/browser.js';

const ISSUER = 'https://elevate.example';
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => cleanup?.());

it('marks the sign-in cookies Secure when the issuer is https', async () => {
  const db = await freshDb();
  const elevate: Elevate = await createElevate({
    db,
    box: createSecretBox(randomBytes(32)),
    clock: systemClock,
    logger: false,
    publicUrl: ISSUER,
    accessTokenTtlSeconds: 600,
    bootstrapAdminUpn: 'admin@contoso.test',
    expirySweepIntervalMs: 0,
    auditCheckpointIntervalMs: 0,
  });
  cleanup = async () => {
    await elevate.app.close();
    await db.drop();
  };
  const b = new Browser(elevate);
  const q = new URLSearchParams({
    client_id: 'elevate-portal',
    response_type: 'code',
    redirect_uri: `${ISSUER}/portal/callback`,
    scope: 'openid',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
  });
  const start = await b.get(`/oauth2/v2.0/authorize?${q.toString()}`);
  expect(start.statusCode, start.body).toBe(303);
  const page = String(start.headers.location).replace(ISSUER, '');
  const form = await b.get(page);
  expect(form.statusCode, form.body).toBe(200);
  expect(b.setCookies.length).toBeGreaterThan(0);
  for (const cookie of b.setCookies) {
    expect(cookie.toLowerCase()).toMatch(/; secure/);
    expect(cookie.toLowerCase()).toContain('httponly');
  }
});
