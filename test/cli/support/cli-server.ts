import { expect } from 'vitest';
import { roleAssignmentId } from '../../../src/domain/roles/assignment-id.js';
import { newId } from '../../../src/domain/shared/ids.js';
import { ManualClock } from '../../../src/domain/time/clock.js';
import { testServer, type TestServer } from '../../helpers/server.js';
import { freePort } from '../../helpers/tls-elevate.js';
import { Browser, csrfOf } from '../../identity/support/browser.js';
import { addPasswordUser, PASSWORD, submit } from '../../identity/support/sign-in.js';
import { inTx } from '../../pim/support.js';

/** A whole Elevate listening on a random port of 127.0.0.1, its public URL that address. */
export interface CliServer {
  s: TestServer;
  base: string;
  clock: ManualClock;
  close(): Promise<void>;
}

export async function cliServer(): Promise<CliServer> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const clock = new ManualClock(Date.now());
  const s = await testServer({ clock, publicUrl: base });
  await s.sweeper.stop();
  await s.app.listen({ host: '127.0.0.1', port });
  return { s, base, clock, close: () => s.close() };
}

/** The bootstrap application's `authorization` header (client credentials), for calls the test makes itself. */
export async function bootstrapAppHeaders(server: CliServer): Promise<Record<string, string>> {
  const res = await fetch(`${server.base}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: server.s.boot.app.clientId,
      client_secret: server.s.boot.app.clientSecret,
      scope: `${server.base}/.default`,
    }).toString(),
  });
  expect(res.status).toBe(200);
  return { authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}` };
}

/** A password user; with `directRoles`, holding those roles standing (e.g. an approver). */
export async function addUser(
  s: TestServer,
  directRoles: string[] = [],
): Promise<{ id: string; upn: string }> {
  const user = await addPasswordUser(s);
  await inTx(s, async (tx) => {
    for (const role of directRoles) {
      await tx.roleAssignments.insert({
        id: roleAssignmentId(role, user.id, '/', newId),
        tenantId: s.boot.tenantId,
        principalId: user.id,
        principalType: 'user',
        roleDefinitionId: role,
        directoryScopeId: '/',
        appScopeId: null,
        createdAt: 0,
        createdBy: null,
      });
    }
  });
  return user;
}

const xsrfOf = (html: string) => /name="xsrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/**
 * The person's part of the device flow, done by the test as a browser would: open the verification
 * page, enter and confirm the code, sign in with the password.
 */
export async function completeDeviceSignIn(
  server: CliServer,
  verificationUri: string,
  userCode: string,
  user: { upn: string },
  /** A TOTP code for a user with an authenticator app: the second step of the sign-in. */
  code?: () => string,
): Promise<void> {
  const path = (url: string) => (url.startsWith(server.base) ? url.slice(server.base.length) : url);
  const b = new Browser(server.s);
  const input = await b.get(path(verificationUri));
  expect(input.statusCode, input.body).toBe(200);
  const confirm = await b.post(path(verificationUri), { xsrf: xsrfOf(input.body), user_code: userCode });
  expect(confirm.statusCode, confirm.body).toBe(200);
  const confirmed = await b.post(path(verificationUri), {
    xsrf: xsrfOf(confirm.body),
    user_code: userCode,
    confirm: 'yes',
  });
  expect(confirmed.statusCode, confirmed.body).toBe(303);
  const page = path(String(confirmed.headers.location));
  const signInPage = await b.get(page);
  let res = await submit(b, page, csrfOf(signInPage.body), 'password', {
    username: user.upn,
    password: PASSWORD,
  });
  if (code !== undefined) {
    expect(res.statusCode, res.body).toBe(303);
    const totpPage = await b.get(path(String(res.headers.location)));
    expect(totpPage.body).toContain('authenticator app');
    res = await submit(b, page, csrfOf(totpPage.body), 'totp', { code: code() });
  }
  for (let hops = 0; hops < 5 && [302, 303].includes(res.statusCode); hops += 1) {
    res = await b.get(path(String(res.headers.location)));
  }
  expect(res.statusCode, res.body).toBe(200);
  expect(res.body).toContain('You are signed in on the command line');
}
