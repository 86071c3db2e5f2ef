// People sign in on the embedded authorization server: authorization code + PKCE through
// Elevate's interaction pages, driven over HTTP with a cookie-keeping test browser.
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { totpCode, totpStepAt } from '../../src/domain/authn/totp.js';
import {
  ASSIGNMENT_REQUESTS,
  call,
  expectGraphError,
  setActivationRules,
  USER_ADMINISTRATOR,
  eligibleForever,
} from '../pim/support.js';
import { Browser, csrfOf, pkcePair } from './support/browser.js';
import {
  addPasswordUser,
  PASSWORD,
  refresh,
  signIn,
  startSignIn,
  submit,
  type Tokens,
} from './support/sign-in.js';
import { base32Decode, qrModulesOf } from './support/totp.js';
import QRCode from 'qrcode';

describe('password sign-in with authorization code + PKCE', () => {
  let s: TestServer;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    s = await testServer({ clock });
    await s.sweeper.stop();
  });
  afterEach(async () => s.close());

  it('issues a user token with oid, tid, upn, amr pwd, auth_time and wids', async () => {
    const user = await addPasswordUser(s);
    const tokens = await signIn(s, user);
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({
      oid: user.id,
      sub: user.id,
      tid: s.boot.tenantId,
      upn: user.upn,
      amr: ['pwd'],
      wids: [],
      idtyp: 'user',
    });
    expect(Math.abs(Number(claims.auth_time) - Date.now() / 1000)).toBeLessThan(60);
    const me = await s.app.inject({
      method: 'GET',
      url: `/v1.0/users/${user.id}`,
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(me.statusCode, me.body).not.toBe(401);
  });
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('TOTP enrolment and sign-in with password + code', () => {
  let s: TestServer;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    s = await testServer({ clock });
    await s.sweeper.stop();
  });
  afterEach(async () => s.close());

  /** Signs in with a password, enrols an authenticator app, returns its seed. */
  async function enrolWithToken(user: {
    id: string;
    upn: string;
  }): Promise<{ seed: Buffer; pwdToken: string }> {
    const first = await signIn(s, user);
    const begin = await s.app.inject({
      method: 'POST',
      url: '/v1.0/me/authentication/totpEnrolment',
      headers: bearer(first.access_token),
    });
    expect(begin.statusCode, begin.body).toBe(200);
    const { otpauthUri, qrCode } = begin.json<{ otpauthUri: string; qrCode: string }>();
    const uri = new URL(otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    // The QR code an authenticator app scans encodes exactly this URI.
    const expected = QRCode.create(otpauthUri, { errorCorrectionLevel: 'M' }).modules;
    const grid = qrModulesOf(qrCode);
    expect(grid).toHaveLength(expected.size);
    expect(grid.flat()).toEqual(Array.from(expected.data, (bit) => bit === 1));
    const seed = base32Decode(uri.searchParams.get('secret') ?? '');
    const confirm = await s.app.inject({
      method: 'POST',
      url: '/v1.0/me/authentication/totpEnrolment/confirm',
      headers: { ...bearer(first.access_token), 'content-type': 'application/json' },
      payload: { code: totpCode(seed, totpStepAt(clock.now())) },
    });
    expect(confirm.statusCode, confirm.body).toBe(204);
    return { seed, pwdToken: first.access_token };
  }
  const enrol = async (user: { id: string; upn: string }) => (await enrolWithToken(user)).seed;

  const factorRow = (userId: string) =>
    s.db.kysely.selectFrom('user_factors').selectAll().where('user_id', '=', userId).executeTakeFirst();

  it('enrols TOTP, then signs in with password + code: amr pwd, otp, mfa', async () => {
    const user = await addPasswordUser(s);
    const seed = await enrol(user);
    const row = await factorRow(user.id);
    expect(row?.secret_enc).not.toContain(seed.toString('base64'));
    const step = totpStepAt(clock.now());
    // The enrolment used the current step; the next one is inside the ±1 window.
    const tokens = await signIn(s, user, { code: () => totpCode(seed, step + 1) });
    const claims = decodeJwt(tokens.access_token);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    const audits = await s.db.kysely
      .selectFrom('audit_entries')
      .select('activity_display_name')
      .where('activity_display_name', '=', 'User registered security info')
      .execute();
    expect(audits).toHaveLength(1);
  });

  it("an administrator resets a user's factors (audited); sign-in is password-only again", async () => {
    const user = await addPasswordUser(s);
    await enrol(user);
    const reset = await s.app.inject({
      method: 'POST',
      url: `/v1.0/users/${user.id}/authentication/resetMethods`,
      headers: await s.admin(),
    });
    expect(reset.statusCode, reset.body).toBe(204);
    expect(await factorRow(user.id)).toBeUndefined();
    const audits = await s.db.kysely
      .selectFrom('audit_entries')
      .select('payload')
      .where('activity_display_name', '=', 'Admin deleted security info')
      .execute();
    expect(audits).toHaveLength(1);
    expect(decodeJwt((await signIn(s, user)).access_token).amr).toEqual(['pwd']);
    const stranger = await s.app.inject({
      method: 'POST',
      url: `/v1.0/users/${user.id}/authentication/resetMethods`,
      headers: { authorization: (await s.appWith([])).authorization },
    });
    expect(stranger.statusCode).toBe(403);
  });

  it('deleting a user removes their factors', async () => {
    const user = await addPasswordUser(s);
    await enrol(user);
    const del = await s.app.inject({
      method: 'DELETE',
      url: `/v1.0/users/${user.id}`,
      headers: await s.admin(),
    });
    expect(del.statusCode, del.body).toBe(204);
    expect(await factorRow(user.id)).toBeUndefined();
  });

  it.each([
    ['a replayed code', 0],
    ['a code from 3 steps ago', -3],
  ])('refuses %s with no state change except throttling counters', async (_name, offset) => {
    const user = await addPasswordUser(s);
    const seed = await enrol(user);
    const step = totpStepAt(clock.now());
    const before = await factorRow(user.id);
    const b = new Browser(s);
    const { challenge } = pkcePair();
    const { page, csrf } = await startSignIn(b, challenge);
    const afterPassword = await submit(b, page, csrf, 'password', { username: user.upn, password: PASSWORD });
    expect(afterPassword.statusCode).toBe(303);
    const totpPage = await b.get(page);
    const artifactsBefore = await s.db.kysely
      .selectFrom('oidc_models')
      .select(['model', 'id', 'payload'])
      .orderBy('model')
      .orderBy('id')
      .execute();
    const refused = await submit(b, page, csrfOf(totpPage.body), 'totp', {
      code: totpCode(seed, step + offset),
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('The verification code is incorrect or has already been used.');
    expect(await factorRow(user.id)).toEqual(before);
    const throttle = await s.db.kysely.selectFrom('sign_in_throttle').selectAll().execute();
    expect(throttle.map((t) => t.key).sort()).toEqual([
      'ip:127.0.0.1',
      `totp:${user.id}`,
      `totp:${user.id}|ip:127.0.0.1`,
    ]);
    const artifactsAfter = await s.db.kysely
      .selectFrom('oidc_models')
      .select(['model', 'id', 'payload'])
      .orderBy('model')
      .orderBy('id')
      .execute();
    expect(artifactsAfter).toEqual(artifactsBefore);
  });

  it('an activation needing MFA is refused for a password-only token with a step-up challenge, allowed after MFA', async () => {
    const user = await addPasswordUser(s);
    const { seed, pwdToken } = await enrolWithToken(user);
    await eligibleForever(s, clock, user.id, USER_ADMINISTRATOR);
    await setActivationRules(s, USER_ADMINISTRATOR, ['MultiFactorAuthentication', 'Justification']);
    const activate = (token: string) =>
      call(s, 'POST', ASSIGNMENT_REQUESTS, bearer(token), {
        action: 'selfActivate',
        principalId: user.id,
        roleDefinitionId: USER_ADMINISTRATOR,
        directoryScopeId: '/',
        justification: 'incident 7',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
      });

    expect(decodeJwt(pwdToken).amr).toEqual(['pwd']);
    const refused = await activate(pwdToken);
    expectGraphError(
      refused,
      400,
      'RoleAssignmentRequestPolicyValidationFailed',
      'The following policy rules failed: ["MfaRule"]',
    );
    const challenge = String(refused.headers['www-authenticate']);
    expect(challenge).toMatch(/^Bearer error="insufficient_claims", .*claims="([^"]+)"$/);
    const claims = /claims="([^"]+)"/.exec(challenge)?.[1] ?? '';
    expect(JSON.parse(Buffer.from(claims, 'base64').toString('utf8'))).toEqual({
      access_token: { amr: { essential: true, values: ['mfa'] } },
    });

    const step = totpStepAt(clock.now());
    const mfa = await signIn(s, user, { code: () => totpCode(seed, step + 1) });
    expect(decodeJwt(mfa.access_token).wids).toEqual([]);
    const allowed = await activate(mfa.access_token);
    expect(allowed.statusCode, allowed.body).toBe(201);
    // The next token carries the activated role.
    const next = await refresh(s, mfa.refresh_token);
    expect(next.statusCode, next.body).toBe(200);
    expect(decodeJwt(next.json<Tokens>().access_token).wids).toEqual([USER_ADMINISTRATOR]);
  });
});
