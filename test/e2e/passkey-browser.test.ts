// Passkeys in a real browser: Debian's Chromium (driven by playwright-core, never a downloaded
// browser) with Chrome's virtual authenticator, against Elevate listening on localhost. It runs the
// sign-in pages' own script (`/identity/passkey.js`) under the pages' CSP: a password sign-in, the
// registration through `ElevatePasskeys.register`, then a passwordless sign-in with the passkey.
// WebAuthn needs a domain as relying party id, so the public URL is `http://localhost:<port>`.
import { createHash, randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { decodeJwt } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElevate, type Elevate } from '../../src/compose.js';
import { newId } from '../../src/domain/shared/ids.js';
import { systemClock } from '../../src/domain/time/clock.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { freshDb } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';
import { browserMissing, freePort, launchChromium } from './support/chromium.js';

const PASSWORD = 'correct horse battery staple';
describe(
  'passkeys in Chromium with a virtual authenticator',
  skipFor(browserMissing('passkeys in a real browser')),
  () => {
    let db: Awaited<ReturnType<typeof freshDb>>;
    let elevate: Elevate;
    let browser: Browser;
    let page: Page;
    let base: string;
    const user = { id: newId(), upn: `passkey-${randomBytes(3).toString('hex')}@contoso.test` };

    beforeAll(async () => {
      const port = await freePort();
      base = `http://localhost:${port}`;
      db = await freshDb();
      elevate = await createElevate({
        db,
        box: createSecretBox(randomBytes(32)),
        clock: systemClock,
        logger: false,
        publicUrl: base,
        accessTokenTtlSeconds: 600,
        bootstrapAdminUpn: 'admin@contoso.test',
      });
      await elevate.sweeper.stop();
      await elevate.app.listen({ host: '127.0.0.1', port });
      const tenantId = elevate.bootstrapped!.tenantId;
      const passwordHash = await hash(PASSWORD, { algorithm: 2 });
      await createUnitOfWork(db).run((tx) =>
        tx.users.insert({
          id: user.id,
          tenantId,
          displayName: 'Ada Passkey',
          userPrincipalName: user.upn,
          mail: null,
          givenName: null,
          surname: null,
          jobTitle: null,
          accountEnabled: true,
          passwordHash,
          passwordMustChange: false,
          createdAt: 0,
          modifiedAt: 0,
          version: 1,
        }),
      );
      browser = await launchChromium();
      const context = await browser.newContext();
      page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('WebAuthn.enable');
      await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
        },
      });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await elevate?.app.close();
      await db?.drop();
    });

    /** Starts an authorization request in the browser; returns the PKCE verifier. */
    async function authorize(extra: Record<string, string> = {}): Promise<string> {
      const verifier = randomBytes(32).toString('base64url');
      const query = new URLSearchParams({
        client_id: 'elevate-portal',
        response_type: 'code',
        redirect_uri: `${base}/portal/callback`,
        scope: 'openid profile offline_access',
        state: 'st-browser',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        ...extra,
      });
      await page.goto(`${base}/oauth2/v2.0/authorize?${query.toString()}`);
      await page.waitForURL(/\/identity\/interaction\//);
      return verifier;
    }

    /** Waits for the redirect to the portal's callback and redeems its code. */
    async function tokensAfterRedirect(verifier: string): Promise<{ access_token: string }> {
      await page.waitForURL(/\/portal\/callback\?/);
      const code = new URL(page.url()).searchParams.get('code');
      expect(code).toBeTruthy();
      const res = await fetch(`${base}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: 'elevate-portal',
          code: code!,
          redirect_uri: `${base}/portal/callback`,
          code_verifier: verifier,
        }),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { access_token: string };
    }

    it('registers a passkey from the page script and signs in with it alone', async () => {
      // 1. A password sign-in in the browser gives the token the registration needs.
      let verifier = await authorize();
      await page.getByLabel('User name').fill(user.upn);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      const first = await tokensAfterRedirect(verifier);
      expect(decodeJwt(first.access_token).amr).toEqual(['pwd']);

      // 2. On a sign-in page (which loads /identity/passkey.js under its CSP), the script registers
      //    a passkey with the virtual authenticator through the Graph-style API.
      // `prompt=login`: the browser's session would otherwise sign in silently.
      verifier = await authorize({ prompt: 'login' });
      await expect.poll(() => page.evaluate(() => 'ElevatePasskeys' in globalThis)).toBe(true);
      const registered = await page.evaluate(
        (token) =>
          (
            globalThis as unknown as {
              ElevatePasskeys: {
                register(t: string, n: string): Promise<{ id: string; displayName: string }>;
              };
            }
          ).ElevatePasskeys.register(token, 'Chromium virtual key'),
        first.access_token,
      );
      expect(registered.displayName).toBe('Chromium virtual key');

      // 3. Passwordless: the page's passkey button, the authenticator's assertion, back to the client.
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      const second = await tokensAfterRedirect(verifier);
      const claims = decodeJwt(second.access_token);
      expect(claims.oid).toBe(user.id);
      expect(claims.amr).toEqual(expect.arrayContaining(['mfa']));
      expect(claims.amr).toEqual(expect.arrayContaining([expect.stringMatching(/^(hwk|swk)$/)]));
      expect(claims.amr).not.toContain('pwd');
    }, 60_000);
  },
);
