// Passkeys (WebAuthn) end to end: registration through the Graph-style API, then sign-in on the
// real interaction pages (after a password, and passwordless) through code + PKCE, with a software
// authenticator doing real P-256 signatures.
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import { testServer, type TestServer } from '../helpers/server.js';
import {
  ASSIGNMENT_REQUESTS,
  call,
  setActivationRules,
  USER_ADMINISTRATOR,
  eligibleForever,
} from '../pim/support.js';
import { csrfOf } from './support/browser.js';
import {
  afterPassword,
  api,
  bearer,
  finishToTokens,
  firstPage,
  passkeyOptions,
  registerPasskey,
  usePasskey,
} from './support/passkeys.js';
import { addPasswordUser, signIn } from './support/sign-in.js';
import { SoftwareAuthenticator } from './support/software-authenticator.js';

describe('passkeys', () => {
  let s: TestServer;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    s = await testServer({ clock });
    await s.sweeper.stop();
  });
  afterEach(async () => s.close());

  const credentialRows = () =>
    s.db.kysely.selectFrom('webauthn_credentials').selectAll().orderBy('id').execute();

  async function userWithPasskey(authenticator = new SoftwareAuthenticator()) {
    const user = await addPasswordUser(s);
    const { access_token } = await signIn(s, user);
    const registered = await registerPasskey(s, access_token, authenticator);
    expect(registered.statusCode, registered.body).toBe(201);
    return { user, authenticator, token: access_token, method: registered.json<{ id: string }>() };
  }

  it('registers a passkey: creation options with a stored challenge, then 201 fido2AuthenticationMethod, audited', async () => {
    const user = await addPasswordUser(s);
    const { access_token } = await signIn(s, user);
    const options = await api(
      s,
      'POST',
      '/v1.0/me/authentication/fido2Methods/creationOptions',
      access_token,
    );
    expect(options.statusCode, options.body).toBe(200);
    const { publicKey } = options.json<{ publicKey: Record<string, unknown> }>();
    expect(publicKey).toMatchObject({
      rp: { name: 'Elevate', id: '127.0.0.1' },
      user: { name: user.upn, id: Buffer.from(user.id).toString('base64url') },
      attestation: 'none',
      authenticatorSelection: { userVerification: 'required' },
      excludeCredentials: [],
    });
    const authenticator = new SoftwareAuthenticator();
    const created = await api(s, 'POST', '/v1.0/me/authentication/fido2Methods', access_token, {
      displayName: 'Desk key',
      publicKeyCredential: authenticator.create(publicKey as { challenge: string; user: { id: string } }),
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toEqual({
      '@odata.type': '#microsoft.graph.fido2AuthenticationMethod',
      id: expect.any(String),
      displayName: 'Desk key',
      createdDateTime: new Date(clock.now()).toISOString(),
      aaGuid: '00000000-0000-0000-0000-000000000000',
      model: null,
      attestationCertificates: [],
      attestationLevel: 'notAttested',
    });
    const [row] = await credentialRows();
    expect(row).toMatchObject({
      credential_id: authenticator.id,
      user_id: user.id,
      transports: '["usb"]',
      backup_eligible: 0,
      backed_up: 0,
    });
    expect(Number(row?.counter)).toBe(0);
    const audits = await s.db.kysely
      .selectFrom('audit_entries')
      .select('payload')
      .where('activity_display_name', '=', 'User registered security info')
      .execute();
    expect(audits).toHaveLength(1);
    expect(audits[0]?.payload).toContain('Passkey (FIDO2)');

    // The challenge was single use; the same response again is refused and stores nothing.
    const again = await api(s, 'POST', '/v1.0/me/authentication/fido2Methods', access_token, {
      displayName: 'Desk key',
      publicKeyCredential: authenticator.create(publicKey as { challenge: string; user: { id: string } }),
    });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('invalidAuthenticatorResponse');
    // The next options exclude the registered credential.
    const next = await api(s, 'POST', '/v1.0/me/authentication/fido2Methods/creationOptions', access_token);
    expect(next.json().publicKey.excludeCredentials).toEqual([
      { id: authenticator.id, type: 'public-key', transports: ['usb'] },
    ]);
    expect(await credentialRows()).toHaveLength(1);
  });

  it.each([
    ['wrong origin', { origin: 'https://evil.example' }],
    ['wrong RP id', { rpId: 'evil.example' }],
    ['no user verification', { noUserVerification: true }],
    ['unknown challenge', { challenge: Buffer.alloc(32, 7).toString('base64url') }],
  ])('refuses a registration with %s and stores nothing', async (_name, tweaks) => {
    const user = await addPasswordUser(s);
    const { access_token } = await signIn(s, user);
    const res = await registerPasskey(s, access_token, new SoftwareAuthenticator(), { tweaks });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('invalidAuthenticatorResponse');
    expect(await credentialRows()).toEqual([]);
  });

  it('signs in with password + device-bound passkey: amr pwd, hwk, mfa; the counter advances', async () => {
    const { user, authenticator } = await userWithPasskey(
      new SoftwareAuthenticator({ countsSignatures: true }),
    );
    const { b, page, verifier } = await afterPassword(s, user);
    const second = await b.get(page);
    expect(second.body).toContain('Use your passkey');
    expect(second.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'",
    );
    expect(second.body).toContain('<script src="/identity/passkey.js" defer></script>');
    expect(second.body).not.toMatch(/<script>/);
    const options = await passkeyOptions(b, page, csrfOf(second.body));
    expect(options.userVerification).toBe('required');
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([authenticator.id]);
    const verified = await b.postJson(`${page}/passkey`, {
      csrf: csrfOf(second.body),
      credential: authenticator.get(options),
    });
    const tokens = await finishToTokens(s, b, verified, verifier);
    const claims = decodeJwt(tokens.access_token);
    expect(claims.amr).toEqual(['pwd', 'hwk', 'mfa']);
    expect(claims.oid).toBe(user.id);
    const [row] = await credentialRows();
    expect(Number(row?.counter)).toBe(2);
    expect(Number(row?.last_used_at)).toBe(clock.now());
  });

  it('a synced passkey gives swk; the passkey script is served same-origin as JavaScript', async () => {
    const { user, authenticator } = await userWithPasskey(new SoftwareAuthenticator({ synced: true }));
    const { b, page, verifier } = await afterPassword(s, user);
    const tokens = await finishToTokens(s, b, await usePasskey(b, page, authenticator), verifier);
    expect(decodeJwt(tokens.access_token).amr).toEqual(['pwd', 'swk', 'mfa']);
    const script = await b.get('/identity/passkey.js');
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toContain('navigator.credentials.get');
  });

  it('signs in passwordless with a discoverable passkey from the first page: amr hwk, mfa; step-up accepts it', async () => {
    const { user, authenticator } = await userWithPasskey();
    const { b, page, verifier, form } = await firstPage(s);
    expect(form.body).toContain('Sign in with a passkey');
    expect(form.headers['content-security-policy']).toContain("script-src 'self'");
    const options = await passkeyOptions(b, page, csrfOf(form.body));
    expect(options.allowCredentials ?? []).toEqual([]);
    const verified = await b.postJson(`${page}/passkey`, {
      csrf: csrfOf(form.body),
      credential: authenticator.get(options),
    });
    const tokens = await finishToTokens(s, b, verified, verifier);
    const claims = decodeJwt(tokens.access_token);
    expect(claims.amr).toEqual(['hwk', 'mfa']);
    expect(claims.oid).toBe(user.id);

    // mfaDoneWithin accepts it: an activation that requires MFA goes through.
    await eligibleForever(s, clock, user.id, USER_ADMINISTRATOR);
    await setActivationRules(s, USER_ADMINISTRATOR, ['MultiFactorAuthentication', 'Justification']);
    const activated = await call(s, 'POST', ASSIGNMENT_REQUESTS, bearer(tokens.access_token), {
      action: 'selfActivate',
      principalId: user.id,
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      justification: 'incident 7',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
    });
    expect(activated.statusCode, activated.body).toBe(201);
  });

  it('one assertion posted twice at once: exactly one is accepted (single-use challenge, counter compare-and-set)', async () => {
    const { authenticator } = await userWithPasskey(new SoftwareAuthenticator({ countsSignatures: true }));
    const { b, page, form } = await firstPage(s);
    const csrf = csrfOf(form.body);
    const credential = authenticator.get(await passkeyOptions(b, page, csrf));
    const results = await Promise.all([
      b.postJson(`${page}/passkey`, { csrf, credential }),
      b.postJson(`${page}/passkey`, { csrf, credential }),
    ]);
    // The loser is refused by the spent challenge (400) or, when it loads the interaction after the
    // winner saved it, by a finished passkey step (403); either way it changes nothing.
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses[0]).toBe(200);
    expect([400, 403]).toContain(statuses[1]);
    const [row] = await credentialRows();
    expect(Number(row?.counter)).toBe(2);
  });

  it('refuses a passwordless passkey of a disabled account', async () => {
    const { user, authenticator } = await userWithPasskey();
    await s.db.kysely.updateTable('users').set({ account_enabled: 0 }).where('id', '=', user.id).execute();
    const { b, page, form } = await firstPage(s);
    const csrf = csrfOf(form.body);
    const refused = await b.postJson(`${page}/passkey`, {
      csrf,
      credential: authenticator.get(await passkeyOptions(b, page, csrf)),
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('invalidPasskey');
  });

  describe('refusals change nothing but the throttling counters', () => {
    const artifacts = () =>
      s.db.kysely
        .selectFrom('oidc_models')
        .select(['model', 'id', 'payload'])
        .orderBy('model')
        .orderBy('id')
        .execute();
    const throttleKeys = async () =>
      (await s.db.kysely.selectFrom('sign_in_throttle').select('key').execute()).map((r) => r.key).sort();

    it.each([
      ['a bad signature', { wrongKey: true }],
      ['a wrong origin', { origin: 'https://evil.example' }],
      ['a wrong RP id', { rpId: 'evil.example' }],
      ['an unknown challenge', { challenge: Buffer.alloc(32, 9).toString('base64url') }],
      ['a missing UV flag', { noUserVerification: true }],
      ['a counter that went back (cloned authenticator)', { counter: 1 }],
    ])('after a password: %s', async (_name, tweaks) => {
      const { user, authenticator } = await userWithPasskey(
        new SoftwareAuthenticator({ countsSignatures: true }),
      );
      // One good sign-in moves the stored counter to 2; the clone replays counter 1.
      const first = await afterPassword(s, user);
      await finishToTokens(s, first.b, await usePasskey(first.b, first.page, authenticator), first.verifier);

      const { b, page } = await afterPassword(s, user);
      const form = await b.get(page);
      const csrf = csrfOf(form.body);
      const options = await passkeyOptions(b, page, csrf);
      const credentialsBefore = await credentialRows();
      const artifactsBefore = await artifacts();
      const refused = await b.postJson(`${page}/passkey`, {
        csrf,
        credential: authenticator.get(options, tweaks),
      });
      expect(refused.statusCode, refused.body).toBe(400);
      expect(refused.json().error).toMatchObject({
        code: 'invalidPasskey',
        message: 'The passkey could not be verified. Try again or use another method.',
      });
      expect(await credentialRows()).toEqual(credentialsBefore);
      expect(await artifacts()).toEqual(artifactsBefore);
      expect(await throttleKeys()).toEqual([
        'ip:127.0.0.1',
        `passkey:${user.id}`,
        `passkey:${user.id}|ip:127.0.0.1`,
      ]);
      const failures = await s.db.kysely
        .selectFrom('audit_entries')
        .select('payload')
        .where('activity_display_name', '=', 'Sign-in failure')
        .execute();
      expect(failures).toHaveLength(1);
      // The interaction is still waiting for the second factor, and a good assertion still works.
      const retry = await b.postJson(`${page}/passkey`, {
        csrf,
        credential: authenticator.get(await passkeyOptions(b, page, csrf)),
      });
      expect(retry.statusCode, retry.body).toBe(200);
    });

    it('a replayed assertion (its challenge already spent) is refused in another interaction', async () => {
      const { authenticator } = await userWithPasskey();
      const first = await firstPage(s);
      const csrf1 = csrfOf(first.form.body);
      const assertion = authenticator.get(await passkeyOptions(first.b, first.page, csrf1));
      await finishToTokens(
        s,
        first.b,
        await first.b.postJson(`${first.page}/passkey`, { csrf: csrf1, credential: assertion }),
        first.verifier,
      );

      const second = await firstPage(s);
      const csrf2 = csrfOf(second.form.body);
      await passkeyOptions(second.b, second.page, csrf2);
      const credentialsBefore = await credentialRows();
      const artifactsBefore = await artifacts();
      const replayed = await second.b.postJson(`${second.page}/passkey`, {
        csrf: csrf2,
        credential: assertion,
      });
      expect(replayed.statusCode, replayed.body).toBe(400);
      expect(replayed.json().error.code).toBe('invalidPasskey');
      expect(await credentialRows()).toEqual(credentialsBefore);
      expect(await artifacts()).toEqual(artifactsBefore);
    });

    it("refuses another user's passkey after a password, and an unknown credential passwordless", async () => {
      const alice = await userWithPasskey();
      const bob = await userWithPasskey();
      const { b, page } = await afterPassword(s, alice.user);
      const csrf = csrfOf((await b.get(page)).body);
      const options = await passkeyOptions(b, page, csrf);
      const refused = await b.postJson(`${page}/passkey`, {
        csrf,
        credential: bob.authenticator.get(options),
      });
      expect(refused.statusCode).toBe(400);
      // Counted and audited against the user who signed in with the password.
      expect(await throttleKeys()).toEqual([
        'ip:127.0.0.1',
        `passkey:${alice.user.id}`,
        `passkey:${alice.user.id}|ip:127.0.0.1`,
      ]);
      const failure = await s.db.kysely
        .selectFrom('audit_entries')
        .select(['initiated_by_upn', 'payload'])
        .where('activity_display_name', '=', 'Sign-in failure')
        .executeTakeFirstOrThrow();
      expect(failure.initiated_by_upn).toBe(alice.user.upn);
      expect(failure.payload).toContain("another user's credential");

      const lone = await firstPage(s);
      const loneCsrf = csrfOf(lone.form.body);
      const stranger = new SoftwareAuthenticator();
      const unknown = await lone.b.postJson(`${lone.page}/passkey`, {
        csrf: loneCsrf,
        credential: stranger.get(await passkeyOptions(lone.b, lone.page, loneCsrf)),
      });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().error.code).toBe('invalidPasskey');
      // It names no one: counted for unknown credentials from this address, and the address.
      expect(await throttleKeys()).toEqual([
        'ip:127.0.0.1',
        `passkey:${alice.user.id}`,
        `passkey:${alice.user.id}|ip:127.0.0.1`,
        'unknown|ip:127.0.0.1',
      ]);
    });

    it('bad input: wrong types, huge strings, missing CSRF → 4xx, nothing stored', async () => {
      const { user, token } = await userWithPasskey();
      const { b, page } = await firstPage(s);
      const csrf = csrfOf((await b.get(page)).body);
      const artifactsBefore = await artifacts();
      for (const body of [
        { csrf, credential: { id: 5 } },
        { csrf, credential: 'x'.repeat(40_000) },
        {
          csrf,
          credential: {
            id: 'a',
            rawId: 'a',
            type: 'public-key',
            response: { clientDataJSON: 'x'.repeat(5000), authenticatorData: 'a', signature: 'a' },
          },
        },
        { credential: {} },
      ]) {
        const res = await b.postJson(`${page}/passkey`, body);
        expect([400, 413]).toContain(res.statusCode);
        expect(res.json().error.code).toEqual(expect.any(String));
      }
      const forged = await b.postJson(`${page}/passkey/options`, { csrf: 'forged' });
      expect(forged.statusCode).toBe(403);
      expect(await artifacts()).toEqual(artifactsBefore);

      const before = await credentialRows();
      for (const body of [
        { displayName: 7, publicKeyCredential: {} },
        { displayName: 'k'.repeat(201), publicKeyCredential: {} },
        {
          displayName: 'key',
          publicKeyCredential: {
            id: 'a',
            rawId: 'a',
            type: 'public-key',
            response: { clientDataJSON: 'a'.repeat(5000), attestationObject: 'a' },
          },
        },
        { displayName: 'key', extra: true },
      ]) {
        const res = await api(s, 'POST', '/v1.0/me/authentication/fido2Methods', token, body);
        expect(res.statusCode, res.body).toBe(400);
      }
      expect(await credentialRows()).toEqual(before);
      expect(user.id).toBeTruthy();
    });
  });
});
