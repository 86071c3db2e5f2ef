// Activation with an authentication context, end to end over HTTP: a password + TOTP token is
// refused with Entra's claims challenge, the client follows it to /authorize with the `claims`
// parameter, the sign-in asks for the passkey (software authenticator, real P-256 signatures)
// although the session is signed in, and the new token (`acrs: ["c1"]`) activates. A passkey
// sign-in older than the context's maximum age is refused again; an external issuer's token
// whose `acr` the context lists satisfies it.
import { decodeJwt } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { totpCode, totpStepAt } from '../../src/domain/authn/totp.js';
import { ManualClock } from '../../src/domain/time/clock.js';
import { testServer, PUBLIC_URL, type TestServer } from '../helpers/server.js';
import {
  ASSIGNMENT_REQUESTS,
  eligibleForever,
  GROUPS_ADMINISTRATOR,
  USER_ADMINISTRATOR,
} from '../pim/support.js';
import { call } from '../http/support/graph.js';
import { authorizeUrl, Browser, csrfOf, locationOf, pkcePair } from '../identity/support/browser.js';
import { api, finishToTokens, firstPage, registerPasskey, usePasskey } from '../identity/support/passkeys.js';
import {
  addPasswordUser,
  followToCode,
  PASSWORD,
  redeem,
  refresh,
  signIn,
  startSignIn,
  submit,
} from '../identity/support/sign-in.js';
import { SoftwareAuthenticator } from '../identity/support/software-authenticator.js';
import { base32Decode } from '../identity/support/totp.js';

const CONTEXTS = '/v1.0/identity/conditionalAccess/authenticationContextClassReferences';
const CONTEXT_RULE = '#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule';
const MINUTE = 60_000;

describe('activation with an authentication context', () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: Record<string, string>;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    s = await testServer({ clock });
    await s.sweeper.stop();
    admin = await s.admin();
  });
  afterEach(async () => s.close());

  /** Turns the role's authentication-context rule on with `claimValue`, through the policies API. */
  async function requireContext(roleId: string, claimValue: string) {
    const list = await call(
      s,
      'GET',
      `/v1.0/policies/roleManagementPolicyAssignments?$filter=${encodeURIComponent(
        `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${roleId}'`,
      )}`,
      admin,
    );
    const policyId = list.json<{ value: { policyId: string }[] }>().value[0]!.policyId;
    const res = await call(
      s,
      'PATCH',
      `/v1.0/policies/roleManagementPolicies/${policyId}/rules/AuthenticationContext_EndUser_Assignment`,
      admin,
      { '@odata.type': CONTEXT_RULE, isEnabled: true, claimValue },
    );
    expect(res.statusCode, res.body).toBe(204);
  }

  const activate = (token: string, principalId: string, roleDefinitionId: string) =>
    call(
      s,
      'POST',
      ASSIGNMENT_REQUESTS,
      { authorization: `Bearer ${token}` },
      {
        action: 'selfActivate',
        principalId,
        roleDefinitionId,
        directoryScopeId: '/',
        justification: 'incident 42',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
      },
    );

  /** Asserts Entra's refusal and challenge; returns the claims request it carries. */
  function expectChallenge(res: LightMyRequestResponse, claimValue: string): string {
    expect(res.statusCode, res.body).toBe(400);
    const claims = JSON.stringify({ access_token: { acrs: { essential: true, value: claimValue } } });
    expect(res.json()).toMatchObject({
      error: {
        code: 'RoleAssignmentRequestAcrsValidationFailed',
        message: expect.stringContaining(`&claims=${encodeURIComponent(claims)}`),
      },
    });
    expect(res.headers['www-authenticate']).toBe(
      `Bearer realm="", authorization_uri="${PUBLIC_URL}/oauth2/v2.0/authorize", ` +
        `error="insufficient_claims", claims="${Buffer.from(claims).toString('base64')}"`,
    );
    return claims;
  }

  /** A user with a password, an authenticator app and a passkey; returns the TOTP seed. */
  async function userWithFactors() {
    const user = await addPasswordUser(s);
    const { access_token } = await signIn(s, user);
    const begin = await api(s, 'POST', '/v1.0/me/authentication/totpEnrolment', access_token);
    const seed = base32Decode(
      new URL(begin.json<{ otpauthUri: string }>().otpauthUri).searchParams.get('secret') ?? '',
    );
    const confirm = await api(s, 'POST', '/v1.0/me/authentication/totpEnrolment/confirm', access_token, {
      code: totpCode(seed, totpStepAt(clock.now())),
    });
    expect(confirm.statusCode, confirm.body).toBe(204);
    const authenticator = new SoftwareAuthenticator();
    expect((await registerPasskey(s, access_token, authenticator)).statusCode).toBe(201);
    return { user, seed, authenticator };
  }

  it('password + TOTP is refused with the claims challenge; following it asks for the passkey, and the new token activates', async () => {
    const { user, seed, authenticator } = await userWithFactors();
    await eligibleForever(s, clock, user.id, USER_ADMINISTRATOR);
    await requireContext(USER_ADMINISTRATOR, 'c1');

    // Password + authenticator app, in one browser that keeps its session.
    const b = new Browser(s);
    const first = pkcePair();
    const { page, csrf } = await startSignIn(b, first.challenge);
    const afterPwd = await submit(b, page, csrf, 'password', { username: user.upn, password: PASSWORD });
    expect(locationOf(afterPwd)).toBe(page);
    const second = await b.get(page);
    expect(second.body).toContain('authenticator app');
    const done = await submit(b, page, csrfOf(second.body), 'totp', {
      code: totpCode(seed, totpStepAt(clock.now()) + 1),
    });
    const redeemed = await redeem(s, await followToCode(b, done), first.verifier);
    const totpToken = redeemed.json<{ access_token: string }>().access_token;
    const totpClaims = decodeJwt(totpToken);
    expect(totpClaims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(totpClaims.acrs).toBeUndefined();

    const before = await s.db.kysely.selectFrom('pim_schedules').select('id').execute();
    const refused = await activate(totpToken, user.id, USER_ADMINISTRATOR);
    const claims = expectChallenge(refused, 'c1');
    expect(await s.db.kysely.selectFrom('pim_schedules').select('id').execute()).toEqual(before);

    // The client sends the user back with the claims request: the session is not enough, so the
    // sign-in shows only the passkey (no authenticator-app form), for this user.
    const again = pkcePair();
    const start = await b.get(authorizeUrl(again.challenge, { claims }));
    expect(start.statusCode, start.body).toBe(303);
    const stepUpPage = locationOf(start);
    expect(stepUpPage).toMatch(/^\/identity\/interaction\//);
    const prompt = await b.get(stepUpPage);
    expect(prompt.statusCode, prompt.body).toBe(200);
    expect(prompt.body).toContain('Use your passkey');
    expect(prompt.body).not.toContain('authenticator app');
    // The authenticator-app form is refused even if posted by hand.
    const sneaky = await submit(b, stepUpPage, csrfOf(prompt.body), 'totp', {
      code: totpCode(seed, totpStepAt(clock.now()) + 2),
    });
    expect(sneaky.statusCode).toBe(403);

    const verified = await usePasskey(b, stepUpPage, authenticator);
    const tokens = await finishToTokens(s, b, verified, again.verifier);
    const stepped = decodeJwt(tokens.access_token);
    expect(stepped).toMatchObject({ sub: user.id, acrs: ['c1'] });
    expect(stepped.amr).toContain('mfa');
    expect(stepped.amr).not.toContain('otp');

    const granted = await activate(tokens.access_token, user.id, USER_ADMINISTRATOR);
    expect(granted.statusCode, granted.body).toBe(201);
    expect(granted.json()).toMatchObject({ action: 'selfActivate', status: 'Provisioned' });

    // Without a claims request, the signed-in session goes straight back to the client.
    const plain = pkcePair();
    const silent = await b.get(authorizeUrl(plain.challenge));
    expect(locationOf(silent)).not.toMatch(/^\/identity\/interaction\//);
  });

  it('a passkey sign-in older than the maximum age is refused again; a fresh one activates', async () => {
    const { user, authenticator } = await userWithFactors();
    const created = await call(s, 'PATCH', `${CONTEXTS}/c2`, admin, {
      displayName: 'Passkey within 5 minutes',
      elevateRequirement: { authenticationStrength: 'phishingResistant', maxAgeMinutes: 5 },
    });
    expect(created.statusCode, created.body).toBe(201);
    await eligibleForever(s, clock, user.id, GROUPS_ADMINISTRATOR);
    await requireContext(GROUPS_ADMINISTRATOR, 'c2');

    const { b, page, verifier } = await firstPage(s);
    const tokens = await finishToTokens(s, b, await usePasskey(b, page, authenticator), verifier);
    const token = tokens.access_token;
    expect(decodeJwt(token).acrs).toEqual(['c1', 'c2']);

    clock.advance(6 * MINUTE); // the token is still valid (10 minutes), the sign-in too old for c2
    const claims = expectChallenge(await activate(token, user.id, GROUPS_ADMINISTRATOR), 'c2');

    // A refreshed token keeps the sign-in's auth_time, so it no longer names c2 (c1 allows 10 minutes).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(clock.now());
    try {
      const refreshed = await refresh(s, tokens.refresh_token);
      expect(refreshed.statusCode, refreshed.body).toBe(200);
      const claims = decodeJwt(refreshed.json<{ access_token: string }>().access_token);
      expect(claims.acrs).toEqual(['c1']);
      expect(claims.auth_time).toBe(decodeJwt(token).auth_time);
    } finally {
      vi.useRealTimers();
    }

    // Following the challenge: the browser's passkey session is too old for c2, so it is asked again.
    const again = pkcePair();
    const start = await b.get(authorizeUrl(again.challenge, { claims }));
    const stepUpPage = locationOf(start);
    expect(stepUpPage).toMatch(/^\/identity\/interaction\//);
    const fresh = await finishToTokens(s, b, await usePasskey(b, stepUpPage, authenticator), again.verifier);
    expect(decodeJwt(fresh.access_token).acrs).toEqual(['c1', 'c2']);
    const granted = await activate(fresh.access_token, user.id, GROUPS_ADMINISTRATOR);
    expect(granted.statusCode, granted.body).toBe(201);
  });

  it('an unavailable or deleted context satisfies nothing (the rule fails closed)', async () => {
    const { user, authenticator } = await userWithFactors();
    await eligibleForever(s, clock, user.id, USER_ADMINISTRATOR);
    await requireContext(USER_ADMINISTRATOR, 'c1');
    const { b, page, verifier } = await firstPage(s);
    const token = (await finishToTokens(s, b, await usePasskey(b, page, authenticator), verifier))
      .access_token;
    expect(decodeJwt(token).acrs).toEqual(['c1']);
    expect((await call(s, 'PATCH', `${CONTEXTS}/c1`, admin, { isAvailable: false })).statusCode).toBe(204);
    expectChallenge(await activate(token, user.id, USER_ADMINISTRATOR), 'c1');
    expect((await call(s, 'DELETE', `${CONTEXTS}/c1`, admin)).statusCode).toBe(204);
    expectChallenge(await activate(token, user.id, USER_ADMINISTRATOR), 'c1');
  });

  it("a role's own maximum MFA age (elevateMfaMaxAgeMinutes) makes an older MFA fail MfaRule for that role only", async () => {
    const { user, seed } = await userWithFactors();
    await eligibleForever(s, clock, user.id, USER_ADMINISTRATOR);
    await eligibleForever(s, clock, user.id, GROUPS_ADMINISTRATOR);
    const policyOf = async (roleId: string) => {
      const filter = encodeURIComponent(
        `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${roleId}'`,
      );
      const list = await call(
        s,
        'GET',
        `/v1.0/policies/roleManagementPolicyAssignments?$filter=${filter}`,
        admin,
      );
      return `/v1.0/policies/roleManagementPolicies/${list.json<{ value: { policyId: string }[] }>().value[0]!.policyId}`;
    };
    const ENABLEMENT = '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule';
    const userAdminRule = `${await policyOf(USER_ADMINISTRATOR)}/rules/Enablement_EndUser_Assignment`;
    const set = await call(s, 'PATCH', userAdminRule, admin, {
      '@odata.type': ENABLEMENT,
      enabledRules: ['MultiFactorAuthentication', 'Justification'],
      elevateMfaMaxAgeMinutes: 5,
    });
    expect(set.statusCode, set.body).toBe(204);
    expect((await call(s, 'GET', userAdminRule, admin)).json()).toMatchObject({ elevateMfaMaxAgeMinutes: 5 });
    // Only the activation rule takes it; refused elsewhere, nothing changed.
    const adminRule = `${await policyOf(USER_ADMINISTRATOR)}/rules/Enablement_Admin_Assignment`;
    const wrong = await call(s, 'PATCH', adminRule, admin, {
      '@odata.type': ENABLEMENT,
      elevateMfaMaxAgeMinutes: 5,
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({
      error: { code: 'invalidRequest', target: 'elevateMfaMaxAgeMinutes' },
    });
    expect((await call(s, 'GET', adminRule, admin)).json()).not.toHaveProperty('elevateMfaMaxAgeMinutes');

    const token = (await signIn(s, user, { code: () => totpCode(seed, totpStepAt(clock.now()) + 1) }))
      .access_token;
    const tryActivate = (roleId: string) =>
      call(
        s,
        'POST',
        ASSIGNMENT_REQUESTS,
        { authorization: `Bearer ${token}` },
        {
          action: 'selfActivate',
          principalId: user.id,
          roleDefinitionId: roleId,
          directoryScopeId: '/',
          justification: 'incident 43',
          scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
          isValidationOnly: true,
        },
      );
    expect((await tryActivate(USER_ADMINISTRATOR)).statusCode).toBe(201);
    clock.advance(6 * MINUTE);
    const stale = await tryActivate(USER_ADMINISTRATOR);
    expect(stale.statusCode, stale.body).toBe(400);
    expect(stale.json()).toMatchObject({
      error: {
        code: 'RoleAssignmentRequestPolicyValidationFailed',
        message: 'The following policy rules failed: ["MfaRule"]',
      },
    });
    expect(stale.headers['www-authenticate']).toContain('insufficient_claims');
    // Another role keeps the server-wide 15 minutes.
    expect((await tryActivate(GROUPS_ADMINISTRATOR)).statusCode).toBe(201);
    // null returns the role to the default.
    const reset = await call(s, 'PATCH', userAdminRule, admin, {
      '@odata.type': ENABLEMENT,
      elevateMfaMaxAgeMinutes: null,
    });
    expect(reset.statusCode).toBe(204);
    expect((await call(s, 'GET', userAdminRule, admin)).json()).not.toHaveProperty('elevateMfaMaxAgeMinutes');
    expect((await tryActivate(USER_ADMINISTRATOR)).statusCode).toBe(201);
  });

  it('a signed-in user without a passkey is told to register one, and offered no weaker method', async () => {
    const user = await addPasswordUser(s);
    const { access_token } = await signIn(s, user);
    const begin = await api(s, 'POST', '/v1.0/me/authentication/totpEnrolment', access_token);
    const seed = base32Decode(
      new URL(begin.json<{ otpauthUri: string }>().otpauthUri).searchParams.get('secret') ?? '',
    );
    await api(s, 'POST', '/v1.0/me/authentication/totpEnrolment/confirm', access_token, {
      code: totpCode(seed, totpStepAt(clock.now())),
    });
    const b = new Browser(s);
    const first = pkcePair();
    const { page, csrf } = await startSignIn(b, first.challenge);
    await submit(b, page, csrf, 'password', { username: user.upn, password: PASSWORD });
    const second = await b.get(page);
    const done = await submit(b, page, csrfOf(second.body), 'totp', {
      code: totpCode(seed, totpStepAt(clock.now()) + 1),
    });
    await redeem(s, await followToCode(b, done), first.verifier);

    const claims = JSON.stringify({ access_token: { acrs: { essential: true, value: 'c1' } } });
    const again = pkcePair();
    const start = await b.get(authorizeUrl(again.challenge, { claims }));
    const prompt = await b.get(locationOf(start));
    expect(prompt.statusCode).toBe(200);
    expect(prompt.body).toContain('you have not registered');
    expect(prompt.body).not.toContain('authenticator app');
    expect(prompt.body).not.toContain('Use your passkey');
  });
});
