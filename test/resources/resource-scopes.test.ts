// The resource hierarchy over HTTP (`/v1.0/elevate/resourceScopes`, ADR 0029) on SQLite and
// PostgreSQL: a scope's parent must exist, malformed paths are 400 and change nothing, a scope
// with children is not removed, and removing one ends the schedules at it at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { adminAt, appAt, HOUR, NOW, pimServer, type Headers, type ManualClock } from '../pim/support.js';
import { register, scopeUrl, send, SCOPES } from './support.js';

describe('resource scopes', () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: Headers;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    admin = await adminAt(s, clock);
  });
  afterEach(async () => s.close());

  const count = async () => (await s.db.kysely.selectFrom('resource_scopes').select('id').execute()).length;

  it('registers a tree, reads a scope by its percent-encoded path, renames it, lists with $filter/$count', async () => {
    await register(
      s,
      admin,
      '/subscriptions',
      '/subscriptions/s1',
      '/subscriptions/s1/resourceGroups',
      '/subscriptions/s1/resourceGroups/rg1',
    );
    const got = await send(s, 'GET', scopeUrl('/subscriptions/s1/resourceGroups/rg1'), admin);
    expect(got.statusCode, got.body).toBe(200);
    expect(got.json()).toMatchObject({
      id: '/subscriptions/s1/resourceGroups/rg1',
      parentId: '/subscriptions/s1/resourceGroups',
      displayName: 'rg1',
      type: 'test',
    });
    const patched = await send(s, 'PATCH', scopeUrl('/subscriptions/s1'), admin, {
      displayName: 'Production',
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ id: '/subscriptions/s1', displayName: 'Production' });
    const listed = await send(
      s,
      'GET',
      `${SCOPES}?$filter=${encodeURIComponent("parentId eq '/subscriptions/s1'")}&$count=true`,
      admin,
    );
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json()).toMatchObject({
      '@odata.count': 1,
      value: [{ id: '/subscriptions/s1/resourceGroups' }],
    });
  });

  it.each([
    ['/prod/', 'trailing slash'],
    ['/prod//db', 'empty segment'],
    ['/prod/../etc', 'dot-dot'],
    ['prod/db', 'no leading slash'],
    ['/prod/d b', 'space'],
    ['/prod/d%b', 'percent'],
    [`/${'a'.repeat(1030)}`, 'too long'],
    ['/', 'the root'],
  ])('refuses the malformed path %s (%s) with 400 InvalidResourceScope, nothing written', async (id) => {
    const before = await count();
    const res = await send(s, 'POST', SCOPES, admin, { id, displayName: 'x', type: 'test' });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toMatch(/InvalidResourceScope|invalidRequest/);
    expect(await count()).toBe(before);
  });

  it('refuses a scope whose parent is not registered (400 ParentScopeNotFound) and a duplicate (400 ScopeExists)', async () => {
    const orphan = await send(s, 'POST', SCOPES, admin, {
      id: '/prod/databases',
      displayName: 'db',
      type: 'test',
    });
    expect(orphan.statusCode, orphan.body).toBe(400);
    expect(orphan.json().error.code).toBe('ParentScopeNotFound');
    expect(await count()).toBe(0);
    await register(s, admin, '/prod');
    const again = await send(s, 'POST', SCOPES, admin, { id: '/prod', displayName: 'again', type: 'test' });
    expect(again.statusCode, again.body).toBe(400);
    expect(again.json().error.code).toBe('ScopeExists');
    expect(await count()).toBe(1);
  });

  it('does not remove a scope with children (400 ScopeHasChildren); removes leaves; 404 for unknown', async () => {
    await register(s, admin, '/prod', '/prod/db');
    const refused = await send(s, 'DELETE', scopeUrl('/prod'), admin);
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().error.code).toBe('ScopeHasChildren');
    expect(await count()).toBe(2);
    expect((await send(s, 'DELETE', scopeUrl('/prod/db'), admin)).statusCode).toBe(204);
    expect((await send(s, 'DELETE', scopeUrl('/prod'), admin)).statusCode).toBe(204);
    expect((await send(s, 'GET', scopeUrl('/prod'), admin)).statusCode).toBe(404);
    expect(await count()).toBe(0);
  });

  it('is for role administrators: an app without RoleManagement.ReadWrite.Directory gets 403, nothing written', async () => {
    const reader = await appAt(s, clock, ['RoleManagement.Read.Directory']);
    const res = await send(s, 'POST', SCOPES, await reader.headers(), {
      id: '/prod',
      displayName: 'p',
      type: 't',
    });
    expect(res.statusCode, res.body).toBe(403);
    expect(await count()).toBe(0);
    clock.set(NOW + HOUR);
    expect((await send(s, 'GET', SCOPES, await reader.headers())).statusCode).toBe(200);
  });
});
