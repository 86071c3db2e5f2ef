// Activation with the phishing-resistant authentication context in a real browser: Debian's
// Chromium (playwright-core) with Chrome's virtual authenticator, against Elevate listening on
// localhost. A user signed in with password + authenticator app is refused activation of a role
// that requires `c1` (a passkey) with Entra's claims challenge; the browser follows it to
// /authorize with the `claims` parameter, the sign-in page offers only the passkey although the
// session is signed in, the virtual authenticator answers, and the new token (`acrs: ["c1"]`)
// activates.
import { createHash, randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { decodeJwt } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElevate, type Elevate } from '../../src/compose.js';
import { totpCode, totpStepAt } from '../../src/domain/authn/totp.js';
import { newId } from '../../src/domain/shared/ids.js';
import { systemClock } from '../../src/domain/time/clock.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { freshDb } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';
import { browserMissing, freePort, launchChromium } from './support/chromium.js';
import { base32Decode } from '../identity/support/totp.js';

const PASSWORD = 'correct horse battery staple';
const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
describe(
  'authentication context step-up in Chromium with a virtual authenticator',
  skipFor(browserMissing('authentication contexts in a real browser')),
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
        // The user enrols the authenticator app through the API after a password sign-in here;
        // registration at sign-in has its own tests (test/identity/mfa-registration.test.ts).
        requireMfaRegistration: false,
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

    /** Graph API call with a bearer token. */
    const graph = async (method: string, path: string, token: string, body?: unknown) =>
      fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    async function appToken(): Promise<string> {
      const boot = elevate.bootstrapped!;
      const res = await fetch(`${base}/${boot.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: boot.app.clientId,
          client_secret: boot.app.clientSecret,
          scope: `${base}/.default`,
        }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { access_token: string }).access_token;
    }

    const activate = (token: string) =>
      graph('POST', '/v1.0/roleManagement/directory/roleAssignmentScheduleRequests', token, {
        action: 'selfActivate',
        principalId: user.id,
        roleDefinitionId: USER_ADMINISTRATOR,
        directoryScopeId: '/',
        justification: 'browser incident',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
      });

    it('password + TOTP is refused, the claims challenge leads to a passkey prompt, and the new token activates', async () => {
      // The administrator makes the user eligible and turns on the built-in c1 for the role.
      const admin = await appToken();
      const eligible = await graph(
        'POST',
        '/v1.0/roleManagement/directory/roleEligibilityScheduleRequests',
        admin,
        {
          action: 'adminAssign',
          principalId: user.id,
          roleDefinitionId: USER_ADMINISTRATOR,
          directoryScopeId: '/',
          justification: 'on call',
          scheduleInfo: { expiration: { type: 'noExpiration' } },
        },
      );
      expect(eligible.status).toBe(201);
      const filter = encodeURIComponent(
        `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${USER_ADMINISTRATOR}'`,
      );
      const policies = await graph(
        'GET',
        `/v1.0/policies/roleManagementPolicyAssignments?$filter=${filter}`,
        admin,
      );
      const { policyId } = ((await policies.json()) as { value: { policyId: string }[] }).value[0]!;
      const rule = await graph(
        'PATCH',
        `/v1.0/policies/roleManagementPolicies/${policyId}/rules/AuthenticationContext_EndUser_Assignment`,
        admin,
        {
          '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule',
          isEnabled: true,
          claimValue: 'c1',
        },
      );
      expect(rule.status).toBe(204);

      // 1. Password sign-in; the user enrols an authenticator app through the API.
      let verifier = await authorize();
      await page.getByLabel('User name').fill(user.upn);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      const first = await tokensAfterRedirect(verifier);
      const begin = await graph('POST', '/v1.0/me/authentication/totpEnrolment', first.access_token);
      const seed = base32Decode(
        new URL(((await begin.json()) as { otpauthUri: string }).otpauthUri).searchParams.get('secret') ?? '',
      );
      const confirm = await graph(
        'POST',
        '/v1.0/me/authentication/totpEnrolment/confirm',
        first.access_token,
        {
          code: totpCode(seed, totpStepAt(Date.now())),
        },
      );
      expect(confirm.status).toBe(204);

      // 2. On a sign-in page the page script registers a passkey (virtual authenticator); then the
      //    user signs in there with password + authenticator app.
      verifier = await authorize({ prompt: 'login' });
      await expect.poll(() => page.evaluate(() => 'ElevatePasskeys' in globalThis)).toBe(true);
      await page.evaluate(
        (token) =>
          (
            globalThis as unknown as { ElevatePasskeys: { register(t: string, n: string): Promise<unknown> } }
          ).ElevatePasskeys.register(token, 'Chromium virtual key'),
        first.access_token,
      );
      await page.getByLabel('User name').fill(user.upn);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page
        .getByLabel('Code from your authenticator app')
        .fill(totpCode(seed, totpStepAt(Date.now()) + 1));
      await page.getByRole('button', { name: 'Verify' }).click();
      const totp = await tokensAfterRedirect(verifier);
      expect(decodeJwt(totp.access_token).amr).toEqual(['pwd', 'otp', 'mfa']);

      // 3. Refused with Entra's claims challenge.
      const refused = await activate(totp.access_token);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        'RoleAssignmentRequestAcrsValidationFailed',
      );
      const challenge = refused.headers.get('www-authenticate') ?? '';
      expect(challenge).toContain('error="insufficient_claims"');
      const claims = Buffer.from(/claims="([^"]+)"/.exec(challenge)?.[1] ?? '', 'base64').toString();
      expect(JSON.parse(claims)).toEqual({ access_token: { acrs: { essential: true, value: 'c1' } } });

      // 4. The client follows it: the signed-in browser is asked for the passkey only.
      verifier = await authorize({ claims });
      await page.getByRole('button', { name: 'Use your passkey' }).waitFor({ state: 'visible' });
      expect(await page.getByLabel('Code from your authenticator app').count()).toBe(0);
      await page.getByRole('button', { name: 'Use your passkey' }).click();
      const stepped = await tokensAfterRedirect(verifier);
      const steppedClaims = decodeJwt(stepped.access_token);
      expect(steppedClaims).toMatchObject({ oid: user.id, acrs: ['c1'] });
      expect(steppedClaims.amr).toEqual(
        expect.arrayContaining([expect.stringMatching(/^(hwk|swk)$/), 'mfa']),
      );

      const granted = await activate(stepped.access_token);
      expect(granted.status).toBe(201);
      expect(await granted.json()).toMatchObject({ action: 'selfActivate', status: 'Provisioned' });
    }, 90_000);
  },
);
