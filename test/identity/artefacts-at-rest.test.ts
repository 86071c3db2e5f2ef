// oidc-provider's artefacts at rest (security finding): a copy of the database must not hand out a
// usable refresh token, authorization code, device code, user code or session. Rows hold SHA-256
// digests of those values and payloads sealed under the data key, bound to their row.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { Browser, CLIENT_ID, pkcePair, toPath } from './support/browser.js';
import {
  addPasswordUser,
  followToCode,
  PASSWORD,
  redeem,
  refresh,
  startSignIn,
  submit,
  type Tokens,
} from './support/sign-in.js';

let s: TestServer;
beforeEach(async () => {
  s = await testServer({ clock: new ManualClock(Date.now()) });
  await s.sweeper.stop();
});
afterEach(async () => s.close());

const rows = () => s.db.kysely.selectFrom('oidc_models').selectAll().orderBy('model').orderBy('id').execute();

/** Every row of the artefact table as one text: ids, digests and payloads. */
const tableText = async () => JSON.stringify(await rows());

/** The values of the cookies the browser was given (session, interaction, resume…). */
const cookieValues = (b: Browser) =>
  b.setCookies
    .map((h) => (h.split(';')[0] ?? '').split('=').slice(1).join('='))
    .filter((v) => v.length >= 16);

/** Signs in through the browser flow; returns the secrets it saw along the way and the tokens. */
async function signInSeeingSecrets(): Promise<{ secrets: string[]; tokens: Tokens }> {
  const user = await addPasswordUser(s);
  const b = new Browser(s);
  const { verifier, challenge } = pkcePair();
  const { page, csrf } = await startSignIn(b, challenge);
  const interactionUid = page.split('/').pop() ?? '';
  const res = await submit(b, page, csrf, 'password', { username: user.upn, password: PASSWORD });
  const code = await followToCode(b, res);
  const redeemed = await redeem(s, code, verifier);
  expect(redeemed.statusCode, redeemed.body).toBe(200);
  const tokens = redeemed.json<Tokens>();
  expect(tokens.refresh_token).toBeTruthy();
  return { secrets: [interactionUid, code, tokens.refresh_token, ...cookieValues(b)], tokens };
}

const form = (body: Record<string, string>) => ({
  method: 'POST' as const,
  url: '/oauth2/v2.0/token',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(body).toString(),
});

describe('no bearer artefact is stored as is', () => {
  it('after a sign-in and a refresh, no code, refresh token, interaction or session id appears in the table', async () => {
    const { secrets, tokens } = await signInSeeingSecrets();
    const refreshed = await refresh(s, tokens.refresh_token);
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    const rotated = refreshed.json<Tokens>().refresh_token;
    secrets.push(rotated);

    const all = await rows();
    expect(all.map((r) => r.model)).toEqual(expect.arrayContaining(['Session', 'RefreshToken']));
    for (const r of all) {
      expect(r.payload.startsWith('v1.'), `${r.model} payload is sealed`).toBe(true);
      expect(r.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    const text = await tableText();
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    for (const secret of secrets) expect(text, `table holds ${secret}`).not.toContain(secret);

    // The stored refresh token still works through the token endpoint.
    const again = await refresh(s, rotated);
    expect(again.statusCode, again.body).toBe(200);
  });

  it('the device flow stores neither the device code nor the user code', async () => {
    const device = await s.app.inject({
      ...form({ client_id: CLIENT_ID, scope: 'openid offline_access' }),
      url: '/oauth2/v2.0/devicecode',
    });
    expect(device.statusCode, device.body).toBe(200);
    const grant = device.json<{ device_code: string; user_code: string; verification_uri: string }>();
    const b = new Browser(s);
    const input = await b.get(toPath(grant.verification_uri));
    expect(input.statusCode).toBe(200);
    const text = await tableText();
    expect(text).toContain('DeviceCode');
    const userCode = grant.user_code;
    for (const secret of [grant.device_code, userCode, userCode.replace(/-/g, ''), ...cookieValues(b)]) {
      expect(text, `table holds ${secret}`).not.toContain(secret);
    }
    // Still found by its user code and by its device code.
    const pending = await s.app.inject(
      form({
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        client_id: CLIENT_ID,
        device_code: grant.device_code,
      }),
    );
    expect(pending.json()).toMatchObject({ error: 'authorization_pending' });
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(input.body)?.[1] ?? '';
    const confirm = await b.post(toPath(grant.verification_uri), { xsrf, user_code: userCode });
    expect(confirm.statusCode, confirm.body).toBe(200);
    expect(confirm.body).toContain(userCode);
  });
});

describe('a sealed payload only opens on its own row', () => {
  it('a tampered payload is refused', async () => {
    const { tokens } = await signInSeeingSecrets();
    const row = await s.db.kysely
      .selectFrom('oidc_models')
      .select(['id', 'payload'])
      .where('model', '=', 'RefreshToken')
      .executeTakeFirstOrThrow();
    const last = row.payload.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${row.payload.slice(0, -2)}${last}${row.payload.slice(-1)}`;
    await s.db.kysely
      .updateTable('oidc_models')
      .set({ payload: tampered })
      .where('model', '=', 'RefreshToken')
      .where('id', '=', row.id)
      .execute();
    const res = await refresh(s, tokens.refresh_token);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('a payload moved onto another row is refused', async () => {
    const first = await signInSeeingSecrets();
    const second = await signInSeeingSecrets();
    const refreshRows = await s.db.kysely
      .selectFrom('oidc_models')
      .select(['id', 'payload'])
      .where('model', '=', 'RefreshToken')
      .execute();
    expect(refreshRows).toHaveLength(2);
    const [a, b] = refreshRows as [(typeof refreshRows)[0], (typeof refreshRows)[0]];
    for (const [row, payload] of [
      [a, b.payload],
      [b, a.payload],
    ] as const) {
      await s.db.kysely
        .updateTable('oidc_models')
        .set({ payload })
        .where('model', '=', 'RefreshToken')
        .where('id', '=', row.id)
        .execute();
    }
    for (const { tokens } of [first, second]) {
      const res = await refresh(s, tokens.refresh_token);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_grant' });
    }
  });
});
