// Anyone who holds or may activate a privileged role must hold a second factor: a sign-in by such a
// user who holds none registers an authenticator app before it completes (on by default).
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { base32Decode } from './support/totp.js';
import { totpCode, totpStepAt } from '../../src/domain/authn/totp.js';
import { ManualClock } from '../../src/domain/time/clock.js';
import { testServer, type TestServer } from '../helpers/server.js';
import {
  auditOf,
  eligibleForever,
  GLOBAL_ADMINISTRATOR,
  inTx,
  PRIVILEGED_ROLE_ADMINISTRATOR,
  setActivationRules,
  GROUPS_ADMINISTRATOR,
} from '../pim/support.js';
import { Browser, csrfOf, locationOf, pkcePair } from './support/browser.js';
import {
  addPasswordUser,
  followToCode,
  PASSWORD,
  redeem,
  signIn,
  startSignIn,
  submit,
} from './support/sign-in.js';

const SECRET_IN_PAGE = /<code>([A-Z2-7 ]+)<\/code>/;

let s: TestServer;
let clock: ManualClock;
afterEach(async () => s.close());

/** A server with Elevate's own default (registration on) unless a test says otherwise. */
async function server(opts: { requireMfaRegistration?: boolean } = {}) {
  clock = new ManualClock(Date.now());
  s = await testServer({ clock, requireMfaRegistration: opts.requireMfaRegistration ?? 'productDefault' });
  await s.sweeper.stop();
}

async function holding(role: string) {
  const user = await addPasswordUser(s);
  await inTx(s, (tx) =>
    tx.roleAssignments.insert({
      id: `${role}-${user.id}`,
      tenantId: s.boot.tenantId,
      principalId: user.id,
      principalType: 'user',
      roleDefinitionId: role,
      directoryScopeId: '/',
      appScopeId: null,
      createdAt: 0,
      createdBy: null,
    }),
  );
  return user;
}

/** Password step; returns the browser on the page that follows. */
async function afterPassword(user: { upn: string }, password = PASSWORD) {
  const b = new Browser(s);
  const { verifier, challenge } = pkcePair();
  const { page, csrf } = await startSignIn(b, challenge);
  const res = await submit(b, page, csrf, 'password', { username: user.upn, password });
  return { b, page, verifier, res };
}

const seedOf = (html: string): Buffer => {
  const secret = SECRET_IN_PAGE.exec(html)?.[1];
  if (secret === undefined) throw new Error(`no secret on the page: ${html}`);
  return base32Decode(secret.replaceAll(' ', ''));
};

describe('second-factor registration at sign-in', () => {
  it('a Global Administrator without a second factor registers an authenticator app, then gets an MFA token', async () => {
    await server();
    const user = await holding(GLOBAL_ADMINISTRATOR);
    const { b, page, verifier, res } = await afterPassword(user);
    // No token after the password alone: the next page is the registration.
    expect(res.statusCode, res.body).toBe(303);
    expect(locationOf(res)).toBe(page);
    const shown = await b.get(page);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('Set up a second factor');
    expect(shown.body).toMatch(/<img src="data:image\/svg\+xml;base64,/);
    // Only its QR code may load: a data: image, still no script.
    expect(shown.headers['content-security-policy']).toBe(
      "default-src 'none'; img-src data:; form-action 'self'; frame-ancestors 'none'",
    );
    const seed = seedOf(shown.body);
    // A reload shows the same pending secret, not a new one the user did not scan.
    expect(seedOf((await b.get(page)).body)).toEqual(seed);

    // A wrong code is refused, shows the page again, and registers nothing.
    const wrong = await submit(b, page, csrfOf(shown.body), 'register', { code: '000000' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('Set up a second factor');
    expect(seedOf(wrong.body)).toEqual(seed);
    expect((await inTx(s, (tx) => tx.factors.getTotp(user.id)))?.confirmed).toBe(false);

    const step = totpStepAt(clock.now());
    const done = await submit(b, page, csrfOf(shown.body), 'register', { code: totpCode(seed, step) });
    const code = await followToCode(b, done);
    const tokens = await redeem(s, code, verifier);
    expect(tokens.statusCode, tokens.body).toBe(200);
    const claims = decodeJwt(tokens.json<{ access_token: string }>().access_token);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect((await inTx(s, (tx) => tx.factors.getTotp(user.id)))?.confirmed).toBe(true);
    const registered = await auditOf(s, 'User registered security info');
    expect(registered.map((e) => String(e.payload))).toEqual([expect.stringContaining(user.id)]);

    // The next sign-in asks for the registered app, as for anyone who holds one.
    clock.advance(60_000);
    const next = await signIn(s, user, { code: () => totpCode(seed, totpStepAt(clock.now())) });
    expect(decodeJwt(next.access_token).amr).toEqual(['pwd', 'otp', 'mfa']);
  });

  it('applies to an eligible (not active) privileged role, and to a role whose activation requires MFA', async () => {
    await server();
    const eligible = await addPasswordUser(s);
    await eligibleForever(s, clock, eligible.id, PRIVILEGED_ROLE_ADMINISTRATOR);
    const first = await afterPassword(eligible);
    expect((await first.b.get(first.page)).body).toContain('Set up a second factor');

    // Groups Administrator is not privileged; once its activation requires MFA, its eligibles must register too.
    const helpdesk = await addPasswordUser(s);
    await eligibleForever(s, clock, helpdesk.id, GROUPS_ADMINISTRATOR);
    await setActivationRules(s, GROUPS_ADMINISTRATOR, []);
    const plain = await afterPassword(helpdesk);
    expect(plain.res.statusCode).toBe(303);
    expect(locationOf(plain.res)).not.toBe(plain.page); // straight on to the client: no registration
    await setActivationRules(s, GROUPS_ADMINISTRATOR, ['MultiFactorAuthentication']);
    const required = await afterPassword(helpdesk);
    expect((await required.b.get(required.page)).body).toContain('Set up a second factor');
  });

  it('does not stop a user with no privileged role, and can be turned off', async () => {
    await server();
    const user = await addPasswordUser(s);
    const tokens = await signIn(s, user);
    expect(decodeJwt(tokens.access_token).amr).toEqual(['pwd']);
    // Steps out of order are refused like any forged form: a registration before the password,
    // a code for a factor the user does not hold while registration is pending.
    const early = new Browser(s);
    const { page: firstPage, csrf } = await startSignIn(early, pkcePair().challenge);
    const skipped = await submit(early, firstPage, csrf, 'register', { code: '123456' });
    expect(skipped.statusCode).toBe(403);
    const { b, page } = await afterPassword(await holding(GLOBAL_ADMINISTRATOR));
    const shown = await b.get(page);
    const sideways = await submit(b, page, csrfOf(shown.body), 'totp', { code: '123456' });
    expect(sideways.statusCode).toBe(403);
    expect(sideways.body).toContain('Set up a second factor');
    await s.close();

    await server({ requireMfaRegistration: false });
    const admin = await holding(GLOBAL_ADMINISTRATOR);
    const off = await signIn(s, admin);
    expect(decodeJwt(off.access_token).amr).toEqual(['pwd']);
    expect(await inTx(s, (tx) => tx.factors.getTotp(admin.id))).toBeUndefined();
  });

  it('the bootstrap administrator changes the one-time password, then registers a second factor', async () => {
    await server();
    const admin = { upn: s.boot.admin.userPrincipalName };
    const { b, page, verifier, res } = await afterPassword(admin, s.boot.admin.oneTimePassword);
    expect(res.statusCode, res.body).toBe(303);
    const change = await b.get(page);
    expect(change.body).toContain('Change your password');
    const changed = await submit(b, page, csrfOf(change.body), 'change', {
      newPassword: 'a long and private passphrase 7',
    });
    expect(changed.statusCode, changed.body).toBe(303);
    const register = await b.get(page);
    expect(register.body).toContain('Set up a second factor');
    const seed = seedOf(register.body);
    const done = await submit(b, page, csrfOf(register.body), 'register', {
      code: totpCode(seed, totpStepAt(clock.now())),
    });
    const tokens = await redeem(s, await followToCode(b, done), verifier);
    expect(tokens.statusCode, tokens.body).toBe(200);
    expect(decodeJwt(tokens.json<{ access_token: string }>().access_token).amr).toContain('mfa');
  });
});
