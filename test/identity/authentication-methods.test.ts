// Recovery codes, and users listing and removing their own sign-in methods (Graph's
// /me/authentication paths), through the real interaction pages and API.
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { totpCode, totpStepAt } from '../../src/domain/authn/totp.js';
import { ManualClock } from '../../src/domain/time/clock.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { USER_ADMINISTRATOR, eligibleForever } from '../pim/support.js';
import { csrfOf } from './support/browser.js';
import { afterPassword, api, registerPasskey } from './support/passkeys.js';
import { addPasswordUser, followToCode, redeem, signIn, submit, type Tokens } from './support/sign-in.js';
import { SoftwareAuthenticator } from './support/software-authenticator.js';
import { base32Decode } from './support/totp.js';

interface Method {
  '@odata.type': string;
  id: string;
  remainingCount?: number;
  displayName?: string;
}

describe('recovery codes and own sign-in methods', () => {
  let s: TestServer;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    s = await testServer({ clock });
    await s.sweeper.stop();
  });
  afterEach(async () => s.close());

  const methodsOf = async (token: string) => {
    const res = await api(s, 'GET', '/v1.0/me/authentication/methods', token);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ value: Method[] }>().value;
  };
  const generateCodes = async (token: string) => {
    const res = await api(s, 'POST', '/v1.0/me/authentication/recoveryCodes', token);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ codes: string[] }>().codes;
  };
  /** Password, then a recovery code on the second page. */
  async function signInWithRecoveryCode(user: { upn: string }, code: string) {
    const { b, page, verifier } = await afterPassword(s, user);
    const second = await b.get(page);
    expect(second.body).toContain('recovery code');
    const res = await submit(b, page, csrfOf(second.body), 'recovery', { recoveryCode: code });
    return { b, page, res, verifier };
  }
  /** Enrols TOTP with the given token; returns the seed. */
  async function enrolTotp(token: string): Promise<Buffer> {
    const begin = await api(s, 'POST', '/v1.0/me/authentication/totpEnrolment', token);
    const seed = base32Decode(
      new URL(begin.json<{ otpauthUri: string }>().otpauthUri).searchParams.get('secret') ?? '',
    );
    const confirm = await api(s, 'POST', '/v1.0/me/authentication/totpEnrolment/confirm', token, {
      code: totpCode(seed, totpStepAt(clock.now())),
    });
    expect(confirm.statusCode, confirm.body).toBe(204);
    return seed;
  }
  /** Makes MFA required for the user: eligible for User Administrator, whose default policy requires MFA. */
  async function makeEligible(userId: string) {
    await eligibleForever(s, clock, userId, USER_ADMINISTRATOR);
  }

  it('generates 10 one-time codes stored only as hashes; each works once at sign-in (amr pwd, otp, mfa)', async () => {
    const user = await addPasswordUser(s);
    const { access_token } = await signIn(s, user);
    const codes = await generateCodes(access_token);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    const rows = await s.db.kysely.selectFrom('recovery_codes').selectAll().execute();
    expect(rows).toHaveLength(10);
    const stored = JSON.stringify(rows);
    for (const code of codes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace(/-/g, ''));
    }
    const audits = await s.db.kysely
      .selectFrom('audit_entries')
      .select('payload')
      .where('activity_display_name', '=', 'User registered security info')
      .execute();
    expect(audits.map((a) => a.payload).join()).toContain('Recovery codes');

    // Typed in lower case with spaces: still the same code.
    const first = await signInWithRecoveryCode(user, codes[0]!.toLowerCase().replace(/-/g, ' '));
    const code = await followToCode(first.b, first.res);
    const tokens = (await redeem(s, code, first.verifier)).json<Tokens>();
    expect(decodeJwt(tokens.access_token).amr).toEqual(['pwd', 'otp', 'mfa']);

    const reused = await signInWithRecoveryCode(user, codes[0]!);
    expect(reused.res.statusCode).toBe(400);
    expect(reused.res.body).toContain('The verification code is incorrect or has already been used.');
    const throttle = await s.db.kysely.selectFrom('sign_in_throttle').select('key').execute();
    expect(throttle.map((t) => t.key).sort()).toEqual([
      'ip:127.0.0.1',
      `totp:${user.id}`,
      `totp:${user.id}|ip:127.0.0.1`,
    ]);

    const codesMethod = (await methodsOf(tokens.access_token)).find(
      (m) => m['@odata.type'] === '#elevate.recoveryCodesAuthenticationMethod',
    );
    expect(codesMethod?.remainingCount).toBe(9);

    // Regenerating replaces every code: an unused old one stops working.
    const fresh = await generateCodes(tokens.access_token);
    const old = await signInWithRecoveryCode(user, codes[1]!);
    expect(old.res.statusCode).toBe(400);
    const ok = await signInWithRecoveryCode(user, fresh[0]!);
    expect(await followToCode(ok.b, ok.res)).toEqual(expect.any(String));
  });

  it('lists password, authenticator app, passkey and recovery codes as Graph method types', async () => {
    const user = await addPasswordUser(s);
    const pwd = await signIn(s, user);
    const seed = await enrolTotp(pwd.access_token);
    const mfa = await signIn(s, user, { code: () => totpCode(seed, totpStepAt(clock.now()) + 1) });
    const token = mfa.access_token;
    expect(
      (await registerPasskey(s, token, new SoftwareAuthenticator(), { displayName: 'Laptop' })).statusCode,
    ).toBe(201);
    await generateCodes(token);
    const methods = await methodsOf(token);
    expect(methods.map((m) => m['@odata.type'])).toEqual([
      '#microsoft.graph.passwordAuthenticationMethod',
      '#microsoft.graph.softwareOathAuthenticationMethod',
      '#microsoft.graph.fido2AuthenticationMethod',
      '#elevate.recoveryCodesAuthenticationMethod',
    ]);
    expect(methods[0]).toMatchObject({ id: '28c10230-6103-485e-b985-444c60001490', password: null });
    expect(methods[1]).toMatchObject({ secretKey: null });
    expect(methods[2]).toMatchObject({ displayName: 'Laptop', attestationLevel: 'notAttested' });
    expect(methods[3]).toMatchObject({ remainingCount: 10 });
    const unauthenticated = await s.app.inject({ method: 'GET', url: '/v1.0/me/authentication/methods' });
    expect(unauthenticated.statusCode).toBe(401);
  });

  it("removes own methods (audited); another user's ids answer 404", async () => {
    const alice = await addPasswordUser(s);
    const bob = await addPasswordUser(s);
    const aliceToken = (await signIn(s, alice)).access_token;
    const bobToken = (await signIn(s, bob)).access_token;
    await registerPasskey(s, aliceToken, new SoftwareAuthenticator());
    await enrolTotp(aliceToken);
    const [, totp, passkey] = await methodsOf(aliceToken);
    for (const [path, id] of [
      ['fido2Methods', passkey!.id],
      ['softwareOathMethods', totp!.id],
    ] as const) {
      const res = await api(s, 'DELETE', `/v1.0/me/authentication/${path}/${id}`, bobToken);
      expect(res.statusCode, res.body).toBe(404);
    }
    expect(await methodsOf(aliceToken)).toHaveLength(3);
    // Not eligible for anything: MFA is not required, so even the last one may go.
    expect(
      (await api(s, 'DELETE', `/v1.0/me/authentication/fido2Methods/${passkey!.id}`, aliceToken)).statusCode,
    ).toBe(204);
    expect(
      (await api(s, 'DELETE', `/v1.0/me/authentication/softwareOathMethods/${totp!.id}`, aliceToken))
        .statusCode,
    ).toBe(204);
    expect((await methodsOf(aliceToken)).map((m) => m['@odata.type'])).toEqual([
      '#microsoft.graph.passwordAuthenticationMethod',
    ]);
    const again = await api(s, 'DELETE', `/v1.0/me/authentication/fido2Methods/${passkey!.id}`, aliceToken);
    expect(again.statusCode).toBe(404);
    const audits = await s.db.kysely
      .selectFrom('audit_entries')
      .select('payload')
      .where('activity_display_name', '=', 'User deleted security info')
      .execute();
    expect(audits).toHaveLength(2);
    const badId = await api(s, 'DELETE', '/v1.0/me/authentication/fido2Methods/not-a-guid', aliceToken);
    expect(badId.statusCode).toBe(400);
    expect(decodeJwt(aliceToken).amr).toEqual(['pwd']);
  });

  it('refuses to remove the last second factor while MFA is required (eligible for a role whose policy requires it)', async () => {
    const user = await addPasswordUser(s);
    const token = (await signIn(s, user)).access_token;
    await registerPasskey(s, token, new SoftwareAuthenticator());
    await enrolTotp(token);
    await makeEligible(user.id);
    const [, totp, passkey] = await methodsOf(token);
    // Two factors: one may go.
    expect(
      (await api(s, 'DELETE', `/v1.0/me/authentication/softwareOathMethods/${totp!.id}`, token)).statusCode,
    ).toBe(204);
    const refused = await api(s, 'DELETE', `/v1.0/me/authentication/fido2Methods/${passkey!.id}`, token);
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().error.code).toBe('lastSecondFactorRequired');
    expect(await s.db.kysely.selectFrom('webauthn_credentials').selectAll().execute()).toHaveLength(1);
    // Recovery codes do not count as a durable factor.
    await generateCodes(token);
    const still = await api(s, 'DELETE', `/v1.0/me/authentication/fido2Methods/${passkey!.id}`, token);
    expect(still.statusCode).toBe(400);
  });

  it('the administrator reset removes passkeys and recovery codes too; sign-in is password-only again', async () => {
    const user = await addPasswordUser(s);
    const token = (await signIn(s, user)).access_token;
    await registerPasskey(s, token, new SoftwareAuthenticator());
    await enrolTotp(token);
    await generateCodes(token);
    const reset = await s.app.inject({
      method: 'POST',
      url: `/v1.0/users/${user.id}/authentication/resetMethods`,
      headers: await s.admin(),
    });
    expect(reset.statusCode, reset.body).toBe(204);
    for (const table of ['webauthn_credentials', 'recovery_codes', 'user_factors'] as const) {
      expect(await s.db.kysely.selectFrom(table).selectAll().execute()).toEqual([]);
    }
    const audit = await s.db.kysely
      .selectFrom('audit_entries')
      .select('payload')
      .where('activity_display_name', '=', 'Admin deleted security info')
      .executeTakeFirst();
    expect(audit?.payload).toContain('"RemovedMethods","value":"3"');
    expect(decodeJwt((await signIn(s, user)).access_token).amr).toEqual(['pwd']);
  });
});
