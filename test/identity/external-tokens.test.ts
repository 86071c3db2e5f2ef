// Access tokens from a trusted external issuer on Elevate's API: verified through the issuer's
// real discovery document and JWKS (a second oidc-provider on a random port), mapped to the
// linked directory user, with amr/auth_time usable for the activation MFA step-up.
import { generateKeyPair, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import { testServer, type TestServer } from '../helpers/server.js';
import {
  ASSIGNMENT_REQUESTS,
  call,
  expectGraphError,
  setActivationRules,
  USER_ADMINISTRATOR,
  eligibleForever,
} from '../pim/support.js';
import { ELEVATE_AUDIENCE, ExternalIssuer } from './support/external-issuer.js';
import { addDirectoryUser, corpIssuer, federationState } from './support/federation.js';

describe('access tokens from a trusted external issuer', () => {
  let ext: ExternalIssuer;
  let s: TestServer;
  let clock: ManualClock;
  let aliceId: string;
  const ALICE = { sub: 'alice-sub', upn: 'alice@contoso.test' };

  beforeEach(async () => {
    ext = await ExternalIssuer.start();
    clock = new ManualClock(Date.now());
    s = await testServer({ clock, trustedIssuers: [corpIssuer(ext)] });
    await s.sweeper.stop();
    aliceId = await addDirectoryUser(s, ALICE.upn);
  });
  afterEach(async () => {
    await s.close();
    await ext.close();
  });

  const me = (token: string) => call(s, 'GET', '/v1.0/me', { authorization: `Bearer ${token}` });
  const mint = (claims: Record<string, unknown>, opts: Parameters<ExternalIssuer['mint']>[1] = {}) =>
    ext.mint(claims, { nowMs: clock.now(), ...opts });

  it('is accepted on GET /v1.0/me as the user the claim names, linked on first sight', async () => {
    const res = await me(await mint({ ...ALICE, amr: ['pwd', 'mfa'] }));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: aliceId, userPrincipalName: ALICE.upn });
    const links = await s.db.kysely.selectFrom('external_identities').selectAll().execute();
    expect(links).toMatchObject([{ issuer_id: 'corp', subject: 'alice-sub', user_id: aliceId }]);
    expect(ext.served).toContain('/.well-known/openid-configuration');

    // From now on the link decides, not the claim.
    const renamed = await me(await mint({ sub: 'alice-sub', upn: 'someone.else@contoso.test' }));
    expect(renamed.json()).toMatchObject({ id: aliceId });
  });

  it('satisfies the MFA step-up of a PIM activation only when the external amr says mfa', async () => {
    await eligibleForever(s, clock, aliceId, USER_ADMINISTRATOR);
    await setActivationRules(s, USER_ADMINISTRATOR, ['MultiFactorAuthentication', 'Justification']);
    const activate = (token: string) =>
      call(
        s,
        'POST',
        ASSIGNMENT_REQUESTS,
        { authorization: `Bearer ${token}` },
        {
          action: 'selfActivate',
          principalId: aliceId,
          roleDefinitionId: USER_ADMINISTRATOR,
          directoryScopeId: '/',
          justification: 'incident 7',
          scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
        },
      );
    const authTime = Math.floor(clock.now() / 1000) - 60;

    const pwdOnly = await activate(await mint({ ...ALICE, amr: ['pwd'], auth_time: authTime }));
    expectGraphError(
      pwdOnly,
      400,
      'RoleAssignmentRequestPolicyValidationFailed',
      'The following policy rules failed: ["MfaRule"]',
    );
    expect(String(pwdOnly.headers['www-authenticate'])).toMatch(/^Bearer error="insufficient_claims"/);

    // MFA without auth_time: Elevate cannot tell how fresh it is, so it does not count.
    const noAuthTime = await activate(await mint({ ...ALICE, amr: ['pwd', 'mfa'] }));
    expectGraphError(noAuthTime, 400, 'RoleAssignmentRequestPolicyValidationFailed');

    const withMfa = await activate(await mint({ ...ALICE, amr: ['pwd', 'mfa'], auth_time: authTime }));
    expect(withMfa.statusCode, withMfa.body).toBe(201);
    expect(withMfa.json()).toMatchObject({ principalId: aliceId, status: 'Provisioned' });
  });

  it('keeps verifying after the issuer rotates its signing key (new kid)', async () => {
    expect((await me(await mint(ALICE))).statusCode).toBe(200);
    const oldKid = ext.kid;
    await ext.rotateKeys();
    expect(ext.kid).not.toBe(oldKid);
    const jwksReads = () => ext.served.filter((p) => p.includes('jwks')).length;
    const before = jwksReads();
    const res = await me(await mint(ALICE));
    expect(res.statusCode, res.body).toBe(200);
    expect(jwksReads()).toBe(before + 1);
  });

  it('refuses an untrusted issuer, a wrong audience, a forged signature, an unknown key and an expired token, changing nothing', async () => {
    expect((await me(await mint(ALICE))).statusCode).toBe(200); // links Alice; keys loaded
    const before = await federationState(s);
    const other = await ExternalIssuer.start();
    const { privateKey: forger } = await generateKeyPair('RS256', { extractable: true });
    try {
      const refusals: [string, string, RegExp][] = [
        ['untrusted issuer', await other.mint({ ...ALICE, aud: ELEVATE_AUDIENCE }), /./],
        ['wrong audience', await mint({ ...ALICE, aud: 'api://someone-else' }), /Invalid audience/],
        ['forged signature', await mint(ALICE, { key: forger }), /Invalid signature/],
        ['unknown key', await mint(ALICE, { key: forger, kid: 'not-in-the-jwks' }), /Signing key not found/],
        [
          'expired',
          await mint(ALICE, { nowMs: clock.now() - 3_600_000, expiresInSeconds: 600 }),
          /the token is expired/,
        ],
        ['no subject', await mint({ upn: ALICE.upn, sub: undefined }), /Required claims|missing/],
        ['HMAC', await hmacToken(ext.issuer), /Unsupported signing algorithm/],
      ];
      for (const [name, token, message] of refusals) {
        const res = await me(token);
        expect(res.statusCode, `${name}: ${res.body}`).toBe(401);
        expectGraphError(res, 401, 'InvalidAuthenticationToken', message);
      }
    } finally {
      await other.close();
    }
    expect(await federationState(s)).toEqual(before);
  });

  it('refuses (401) a token for no directory user or a disabled one', async () => {
    const before = await federationState(s);
    expectGraphError(
      await me(await mint({ sub: 'mallory', upn: 'mallory@contoso.test' })),
      401,
      'InvalidAuthenticationToken',
    );
    expect(await federationState(s)).toEqual(before);
    await addDirectoryUser(s, 'dora@contoso.test', { enabled: false });
    expectGraphError(
      await me(await mint({ sub: 'dora-sub', upn: 'dora@contoso.test' })),
      401,
      'InvalidAuthenticationToken',
    );
    // Dora's identity is not linked to her disabled account.
    expect(await s.db.kysely.selectFrom('external_identities').selectAll().execute()).toEqual([]);
  });
});

/** An HS256 token naming the trusted issuer: must be refused whatever its key. */
async function hmacToken(issuer: string): Promise<string> {
  return new SignJWT({ sub: 'alice-sub', aud: ELEVATE_AUDIENCE })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(issuer)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode('a shared secret nobody should accept'));
}

describe('trusted issuer configuration at start-up', () => {
  it('refuses an issuer that claims to be Elevate itself, or a tenant that does not exist', async () => {
    const ext = await ExternalIssuer.start();
    try {
      await expect(
        testServer({ trustedIssuers: [corpIssuer(ext, { issuer: 'http://127.0.0.1:8080' })] }),
      ).rejects.toThrow(/corp: the issuer is Elevate itself/);
      await expect(
        testServer({
          trustedIssuers: [corpIssuer(ext, { tenantId: '6e4b2a1c-1111-4222-8333-944445555666' })],
        }),
      ).rejects.toThrow(/corp: tenant 6e4b2a1c-1111-4222-8333-944445555666 does not exist/);
    } finally {
      await ext.close();
    }
  });
});
