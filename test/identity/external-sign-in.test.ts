// Portal sign-in through a trusted external OpenID Connect issuer: a second, real oidc-provider
// on a random port, driven over HTTP. Elevate's interaction page links to it; the code + PKCE
// round-trip ends at Elevate's callback, which validates the ID token and finishes the interaction.
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import { auditOf, inTx, newId } from '../pim/support.js';
import { Browser } from './support/browser.js';
import { ExternalIssuer } from './support/external-issuer.js';
import {
  addDirectoryUser,
  corpIssuer,
  federationState,
  roundTrip,
  signInThroughCorp,
} from './support/federation.js';

describe('sign-in through a trusted external issuer', () => {
  let ext: ExternalIssuer;
  let s: TestServer;
  const start = async (extra: Record<string, unknown> = {}) => {
    s = await testServer({ trustedIssuers: [corpIssuer(ext, extra)] });
    await s.sweeper.stop();
  };
  beforeEach(async () => {
    ext = await ExternalIssuer.start();
  });
  afterEach(async () => {
    await s.close();
    await ext.close();
  });

  it('links an existing user by the configured claim; the Elevate token carries the external MFA and auth_time', async () => {
    await start();
    const userId = await addDirectoryUser(s, 'alice@contoso.test');
    ext.accounts.set('alice-sub', { upn: 'Alice@Contoso.test', name: 'Alice' });
    const authTime = Math.floor(Date.now() / 1000) - 42;
    ext.nextLogin = { accountId: 'alice-sub', amr: ['pwd', 'mfa'], authTime };

    const tokens = await signInThroughCorp(s, ext);
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({
      oid: userId,
      sub: userId,
      tid: s.boot.tenantId,
      upn: 'alice@contoso.test',
    });
    expect(claims.amr).toEqual(['pwd', 'mfa']);
    expect(claims.auth_time).toBe(authTime);

    const links = await s.db.kysely.selectFrom('external_identities').selectAll().execute();
    expect(links).toMatchObject([{ issuer_id: 'corp', subject: 'alice-sub', user_id: userId }]);
    const signIns = await auditOf(s, 'Sign-in through external identity provider');
    expect(signIns.map((e) => e.result)).toEqual(['success']);
    expect(JSON.parse(signIns[0]!.payload)).toMatchObject({ amr: ['pwd', 'mfa'] });
    expect((await auditOf(s, 'Update user')).length).toBe(1); // the link

    // The link, not the claim, decides from now on: a changed upn still signs Alice in.
    ext.accounts.set('alice-sub', { upn: 'alice.renamed@contoso.test' });
    ext.nextLogin = { accountId: 'alice-sub', amr: ['pwd'] };
    const again = decodeJwt((await signInThroughCorp(s, ext)).access_token);
    expect(again.oid).toBe(userId);
    expect(again.amr).toEqual(['pwd']);
    expect((await auditOf(s, 'Update user')).length).toBe(1);
  });

  it('maps MFA from acr when the issuer says so, and never trusts an unlisted external "mfa"', async () => {
    await start({ mfaAmrValues: ['hwk'], mfaAcrValues: ['urn:corp:loa:2'] });
    const userId = await addDirectoryUser(s, 'bob@contoso.test');
    ext.accounts.set('bob-sub', { upn: 'bob@contoso.test' });
    ext.nextLogin = { accountId: 'bob-sub', amr: ['pwd', 'mfa'] };
    const plain = decodeJwt((await signInThroughCorp(s, ext)).access_token);
    expect(plain).toMatchObject({ oid: userId, amr: ['pwd'] });
    ext.nextLogin = { accountId: 'bob-sub', amr: ['pwd'], acr: 'urn:corp:loa:2' };
    expect(decodeJwt((await signInThroughCorp(s, ext)).access_token).amr).toEqual(['pwd', 'mfa']);
  });

  it('with onFirstSignIn "link", refuses an identity no user matches: nothing but the failure is recorded', async () => {
    await start();
    ext.accounts.set('eve-sub', { upn: 'eve@contoso.test' });
    ext.nextLogin = { accountId: 'eve-sub', amr: ['pwd', 'mfa'] };
    const before = await federationState(s);
    const { b, callback } = await roundTrip(s, ext);
    const refused = await b.get(callback);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Sign-in with Corp IdP failed');
    const after = await federationState(s);
    expect({ ...after, audit: before.audit }).toEqual(before);
    expect(after.audit).toBe(before.audit + 1);
    const failures = await auditOf(s, 'Sign-in failure');
    expect(failures.map((f) => f.result)).toEqual(['failure']);
    expect(JSON.parse(failures[0]!.payload)).toMatchObject({
      resultReason: 'Corp IdP: no directory user matches the external identity',
    });
  });

  it('with onFirstSignIn "create", creates the directory user and links it', async () => {
    await start({ onFirstSignIn: 'create' });
    const usersAdded = (await auditOf(s, 'Add user')).length;
    ext.accounts.set('carol-sub', {
      upn: 'carol@contoso.test',
      name: 'Carol Created',
      email: 'carol@contoso.test',
    });
    ext.nextLogin = { accountId: 'carol-sub', amr: ['pwd', 'mfa'] };
    const claims = decodeJwt((await signInThroughCorp(s, ext)).access_token);
    const user = await inTx(s, (tx) => tx.users.getByUpn(s.boot.tenantId, 'carol@contoso.test'));
    expect(user).toMatchObject({ displayName: 'Carol Created', accountEnabled: true, passwordHash: null });
    expect(claims.oid).toBe(user!.id);
    expect(await auditOf(s, 'Add user')).toHaveLength(usersAdded + 1);
    // A disabled user is refused at the next sign-in.
    await inTx(s, (tx) => tx.users.update({ ...user!, accountEnabled: false }, user!.version));
    const { b, callback } = await roundTrip(s, ext);
    expect((await b.get(callback)).statusCode).toBe(400);
  });

  it('synchronises membership of mapped groups at each sign-in, and only of those', async () => {
    const [admins, ops, unmapped] = [newId(), newId(), newId()];
    await start({ groupsClaim: 'groups', groupMap: { 'ext-admins': admins, 'ext-ops': ops } });
    ext.accounts.set('dan-sub', { upn: 'dan@contoso.test', groups: ['ext-admins', 'ext-unmapped'] });
    for (const id of [admins, ops, unmapped]) await insertGroup(s, id);
    const dan = await addDirectoryUser(s, 'dan@contoso.test');
    await inTx(s, async (tx) => {
      await tx.groups.addMember(s.boot.tenantId, { groupId: ops, memberId: dan, memberType: 'user' }, 0);
      await tx.groups.addMember(s.boot.tenantId, { groupId: unmapped, memberId: dan, memberType: 'user' }, 0);
    });
    const groupsOf = () => inTx(s, (tx) => tx.groups.groupsOf(s.boot.tenantId, dan));

    ext.nextLogin = { accountId: 'dan-sub', amr: ['pwd'] };
    await signInThroughCorp(s, ext);
    expect((await groupsOf()).sort()).toEqual([admins, unmapped].sort());
    expect(await auditOf(s, 'Add member to group')).toHaveLength(1);
    expect(await auditOf(s, 'Remove member from group')).toHaveLength(1);

    ext.accounts.set('dan-sub', { upn: 'dan@contoso.test', groups: ['ext-ops'] });
    await signInThroughCorp(s, ext);
    expect((await groupsOf()).sort()).toEqual([ops, unmapped].sort());

    // Unchanged claims change nothing and add no entries.
    await signInThroughCorp(s, ext);
    expect(await auditOf(s, 'Add member to group')).toHaveLength(2);
    expect(await auditOf(s, 'Remove member from group')).toHaveLength(2);
  });

  it('refuses a replayed, forged or foreign-browser callback, changing nothing', async () => {
    await start();
    await addDirectoryUser(s, 'alice@contoso.test');
    ext.accounts.set('alice-sub', { upn: 'alice@contoso.test' });
    ext.nextLogin = { accountId: 'alice-sub', amr: ['pwd', 'mfa'] };
    const { b, page, callback } = await roundTrip(s, ext);
    const before = await federationState(s);
    // Starting a round-trip needs the interaction's own cookie.
    const foreignStart = await new Browser(s).get(`${page}/federation/corp`);
    expect(foreignStart.statusCode).toBe(400);
    const tokenRequests = () => ext.served.filter((p) => p === '/token').length;

    // Another browser (no binding cookie) cannot use the callback.
    expect((await new Browser(s).get(callback)).statusCode).toBe(400);
    // A forged or altered state is refused.
    const url = new URL(callback);
    const state = url.searchParams.get('state')!;
    url.searchParams.set('state', `${state.slice(0, -4)}AAAA`);
    expect((await b.get(url.href)).statusCode).toBe(400);
    url.searchParams.set('state', 'not-sealed');
    expect((await b.get(url.href)).statusCode).toBe(400);
    expect(await federationState(s)).toEqual(before);
    expect(tokenRequests()).toBe(0);

    // The genuine callback works once …
    expect((await b.get(callback)).statusCode).toBe(303);
    const after = await federationState(s);
    expect(tokenRequests()).toBe(1);
    // … and its replay is refused before any token request.
    const replay = await b.get(callback);
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('expired');
    expect(await federationState(s)).toEqual(after);
    expect(tokenRequests()).toBe(1);
  });

  it('records an error the issuer sends back as a failed sign-in, and changes nothing else', async () => {
    await start();
    await addDirectoryUser(s, 'alice@contoso.test');
    ext.accounts.set('alice-sub', { upn: 'alice@contoso.test' });
    const { b, callback } = await roundTrip(s, ext);
    const before = await federationState(s);
    const denied = new URL(callback);
    denied.searchParams.delete('code');
    denied.searchParams.set('error', 'access_denied');
    const res = await b.get(denied.href);
    expect(res.statusCode).toBe(400);
    const after = await federationState(s);
    expect({ ...after, audit: before.audit }).toEqual(before);
    const failures = await auditOf(s, 'Sign-in failure');
    expect(JSON.parse(failures.at(-1)!.payload)).toMatchObject({
      result: 'failure',
      resultReason: 'Corp IdP: the issuer answered access_denied',
    });
    // The state was used up by that answer: the code it was meant for no longer signs in.
    expect((await b.get(callback)).statusCode).toBe(400);
  });

  it('works as a public client with PKCE when no client secret is configured', async () => {
    await ext.close();
    ext = await ExternalIssuer.start({ clientSecret: null });
    await start();
    const userId = await addDirectoryUser(s, 'alice@contoso.test');
    ext.accounts.set('alice-sub', { upn: 'alice@contoso.test' });
    ext.nextLogin = { accountId: 'alice-sub', amr: ['pwd', 'mfa'] };
    const claims = decodeJwt((await signInThroughCorp(s, ext)).access_token);
    expect(claims).toMatchObject({ oid: userId, amr: ['pwd', 'mfa'] });
  });
});

/** A security group with a given id (the server's configuration names it). */
async function insertGroup(s: TestServer, id: string): Promise<void> {
  await inTx(s, (tx) =>
    tx.groups.insert({
      id,
      tenantId: s.boot.tenantId,
      displayName: `Group ${id.slice(0, 8)}`,
      description: null,
      mailNickname: `g-${id.slice(0, 8)}`,
      mailEnabled: false,
      securityEnabled: true,
      isAssignableToRole: false,
      createdAt: 0,
      modifiedAt: 0,
      version: 1,
    }),
  );
}
