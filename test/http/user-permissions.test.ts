// Elevate's own authorization with *user* tokens from the real sign-in flow: every API route in the
// OpenAPI document × {anonymous, plain user, wrong role, right role, right role that has ended}.
// Roles count only while active: the "ended" user held the right role through PIM for an hour that
// is over (manual clock), and is refused exactly like someone who never held it.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppPermission } from '../../src/domain/directory/app-permissions.js';
import * as R from '../../src/domain/roles/built-in-role-ids.js';
import { ManualClock } from '../../src/domain/time/clock.js';
import { testServer } from '../helpers/server.js';
import { addPasswordUser, signIn } from '../identity/support/sign-in.js';
import { tokenAt } from '../pim/support.js';
import { assign, assignStanding, ROLES } from './support/fixtures.js';
import { PERMANENT_ACTIVE_FORBIDDEN_BY_DEFAULT } from '../../src/domain/policy/default-rules.js';
import { declaredStatuses, expectDeclared, type DeclaredStatuses } from './support/declared-statuses.js';
import { AUDIT_TABLES, call, dbSnapshot, expectGraphError } from './support/graph.js';
import { openApiPath, type Route } from './support/permission-routes.js';
import {
  pimPolicyAuditRoutes,
  type Caller,
  type WalkEnv,
  type WalkRoute,
} from './support/routes-pim-policy-audit.js';
import { appAndRoleRoutes } from './support/routes-apps-roles.js';
import { notificationRoutes } from './support/routes-notifications.js';
import { pimGroupRoutes } from './support/routes-pim-groups.js';
import { alertRoutes } from './support/routes-alerts.js';
import { breakGlassRoutes } from './support/routes-break-glass.js';
import { accessReviewRoutes } from './support/routes-access-reviews.js';
import { connectorRoutes } from './support/routes-connectors.js';
import { resourceRoutes } from './support/routes-resources.js';
import { scimClientRoutes } from './support/routes-scim-clients.js';
import { ssfRoutes } from './support/routes-ssf.js';
import { administrativeUnitRoutes } from './support/routes-administrative-units.js';
import { userAndGroupRoutes } from './support/routes-users-groups.js';

const HOUR = 3_600_000;
const ASSIGNMENT_REQUESTS = `${ROLES}/roleAssignmentScheduleRequests`;

/** The directory role that must be enough for each application permission of the app walk, and a near miss. */
const ROLE_FOR: Partial<Record<AppPermission, { role: string; wrongRole: string }>> = {
  'User.Read.All': { role: R.HELPDESK_ADMINISTRATOR, wrongRole: R.APPLICATION_ADMINISTRATOR },
  'User.ReadWrite.All': { role: R.USER_ADMINISTRATOR, wrongRole: R.HELPDESK_ADMINISTRATOR },
  'Group.Read.All': { role: R.GROUPS_ADMINISTRATOR, wrongRole: R.APPLICATION_ADMINISTRATOR },
  'Group.ReadWrite.All': { role: R.GROUPS_ADMINISTRATOR, wrongRole: R.GLOBAL_READER },
  'Application.Read.All': { role: R.CLOUD_APPLICATION_ADMINISTRATOR, wrongRole: R.GROUPS_ADMINISTRATOR },
  'Application.ReadWrite.All': { role: R.APPLICATION_ADMINISTRATOR, wrongRole: R.GLOBAL_READER },
  'RoleManagement.Read.Directory': { role: R.GLOBAL_READER, wrongRole: R.HELPDESK_ADMINISTRATOR },
  'RoleManagement.ReadWrite.Directory': { role: R.PRIVILEGED_ROLE_ADMINISTRATOR, wrongRole: R.GLOBAL_READER },
};

/** The application walk's directory and role routes, as user-walk routes with their OpenAPI path. */
function fromAppWalk(route: Route): WalkRoute {
  const roles = ROLE_FOR[route.allow];
  if (roles === undefined) throw new Error(`no directory role mapped for ${route.allow}`);
  return {
    method: route.method,
    path: openApiPath(route),
    ...roles,
    status: route.status,
    own: () => route.own(),
  };
}

const env = {} as WalkEnv;
const routes: WalkRoute[] = [
  ...userAndGroupRoutes(env).map(fromAppWalk),
  ...appAndRoleRoutes(env).map(fromAppWalk),
  ...pimPolicyAuditRoutes(env),
  ...pimGroupRoutes(env),
  ...notificationRoutes(env),
  ...alertRoutes(env),
  ...breakGlassRoutes(env),
  ...accessReviewRoutes(env),
  ...connectorRoutes(env),
  ...resourceRoutes(env),
  ...scimClientRoutes(env),
  ...ssfRoutes(env),
  ...administrativeUnitRoutes(env),
];

const idsOf = (body: { value?: { id: string }[] }) => (body.value ?? []).map((item) => item.id);

const users = {} as { plain: Caller; holder: Map<string, Caller>; ended: Map<string, Caller> };
let declared: DeclaredStatuses;

/** Signs a user in through the real pages at the manual clock's time; returns their caller. */
async function signedIn(clock: ManualClock, user: { id: string; upn: string }): Promise<Caller> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(clock.now());
  try {
    const tokens = await signIn(env.s, user);
    return { id: user.id, headers: { authorization: `Bearer ${tokens.access_token}` } };
  } finally {
    vi.useRealTimers();
  }
}

beforeAll(async () => {
  const clock = new ManualClock(Date.now());
  env.clock = clock;
  // The walk makes thousands of calls as one administrator; rate limits have tests of their own.
  env.s = await testServer({ clock, rateLimits: { graph: null, authzen: null } });
  declared = await declaredStatuses(env.s);
  await env.s.sweeper.stop();
  // No delivery attempts in the background: a refused call must leave every table as it was.
  await env.s.notifications?.stop();
  await env.s.ssf.stop();
  env.admin = { authorization: `Bearer ${await tokenAt(env.s, clock)}` };

  const rightRoles = new Set(routes.flatMap((r) => (r.role === undefined ? [] : [r.role])));
  const anyRoles = new Set([
    ...rightRoles,
    ...routes.flatMap((r) => (r.wrongRole === undefined ? [] : [r.wrongRole])),
  ]);
  const plain = await addPasswordUser(env.s);
  const holders = new Map<string, { id: string; upn: string }>();
  for (const role of anyRoles) {
    const user = await addPasswordUser(env.s);
    if (PERMANENT_ACTIVE_FORBIDDEN_BY_DEFAULT.includes(role)) {
      await assignStanding(env.s, env.admin, user.id, role);
    } else {
      await assign(env.s, env.admin, user.id, role);
    }
    holders.set(role, user);
  }
  // Each right role, held through PIM for one hour that is over by the time anyone signs in.
  const ended = new Map<string, { id: string; upn: string }>();
  for (const role of rightRoles) {
    const user = await addPasswordUser(env.s);
    const res = await call(env.s, 'POST', ASSIGNMENT_REQUESTS, env.admin, {
      action: 'adminAssign',
      principalId: user.id,
      roleDefinitionId: role,
      directoryScopeId: '/',
      justification: 'held for an hour',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    ended.set(role, user);
  }
  const activeNow = async (principalId: string) => {
    const filter = encodeURIComponent(`principalId eq '${principalId}'`);
    const res = await call(
      env.s,
      'GET',
      `${ROLES}/roleAssignmentScheduleInstances?$filter=${filter}`,
      env.admin,
    );
    return idsOf(res.json()).length;
  };
  // The "ended" users really held their role: active now, over after the clock moves on.
  for (const user of ended.values()) expect(await activeNow(user.id)).toBe(1);
  clock.advance(2 * HOUR);
  env.admin = { authorization: `Bearer ${await tokenAt(env.s, clock)}` };
  for (const user of ended.values()) expect(await activeNow(user.id)).toBe(0);
  users.plain = await signedIn(clock, plain);
  users.holder = new Map();
  for (const [role, user] of holders) users.holder.set(role, await signedIn(clock, user));
  users.ended = new Map();
  for (const [role, user] of ended) users.ended.set(role, await signedIn(clock, user));
}, 120_000);
afterAll(() => env.s.close());

/** Asserts that `caller` is refused as `expected` says and that nothing changed. */
async function expectRefused(
  route: WalkRoute,
  caller: Caller,
  expected: 403 | 404 | 'filtered',
): Promise<void> {
  const { url, body, itemId } = await route.own(caller);
  const before = await dbSnapshot(env.s, AUDIT_TABLES);
  const res = await call(env.s, route.method, url, caller.headers, body);
  expectDeclared(declared, `${route.method} ${route.path}`, res.statusCode);
  if (expected === 'filtered') {
    expect(res.statusCode, res.body).toBe(200);
    expect(itemId).toBeDefined();
    expect(idsOf(res.json())).not.toContain(itemId);
  } else if (expected === 403) {
    expectGraphError(res, 403, 'Authorization_RequestDenied');
  } else {
    expect(res.statusCode, res.body).toBe(404);
    expect(res.json().error.code).toMatch(/NotFound/);
  }
  expect(await dbSnapshot(env.s, AUDIT_TABLES)).toStrictEqual(before);
}

async function expectAllowed(route: WalkRoute, caller: Caller): Promise<void> {
  const { url, body, itemId } = await route.own(caller);
  const res = await call(env.s, route.method, url, caller.headers, body);
  expect(res.statusCode, res.body).toBe(route.status);
  expectDeclared(declared, `${route.method} ${route.path}`, res.statusCode);
  if (itemId !== undefined) expect(idsOf(res.json())).toContain(itemId);
}

describe('the walk covers the API', () => {
  it('has an entry for every API operation in the OpenAPI document', async () => {
    const doc = (await call(env.s, 'GET', '/openapi.json')).json<{ paths: Record<string, object> }>();
    // A collection's `/$count` runs the collection's own handler, so it is authorized exactly as
    // the collection walked here is (test/http/count.test.ts checks that it refuses and filters alike).
    const api = Object.entries(doc.paths)
      .filter(([path]) => /^\/(v1\.0|beta|access)\//.test(path) && !path.endsWith('/$count'))
      .flatMap(([path, ops]) =>
        Object.keys(ops)
          .filter((m) => m !== 'options' && m !== 'head')
          .map((m) => `${m.toUpperCase()} ${path}`),
      );
    const walked = new Set(routes.map((r) => `${r.method} ${r.path}`));
    expect(api.filter((op) => !walked.has(op))).toEqual([]);
    expect(api.length).toBeGreaterThan(50);
  });
});

describe.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_name, route) => {
  it('401 without a token', async () => {
    const { url, body } = await route.own(users.plain);
    const res = await call(env.s, route.method, url, {}, body);
    expectGraphError(res, 401, 'InvalidAuthenticationToken');
    expectDeclared(declared, `${route.method} ${route.path}`, res.statusCode);
  });

  if (route.appsOnly) {
    it('403 for every user, whatever their roles', async () => {
      await expectRefused(route, users.plain, 403);
      await expectRefused(route, users.holder.get(R.PRIVILEGED_ROLE_ADMINISTRATOR)!, 403);
    });
    return;
  }

  if (route.role === undefined) {
    it(`${route.status} for any signed-in user`, async () => {
      await expectAllowed(route, users.plain);
    });
    return;
  }
  const role = route.role;
  const denied = route.denied ?? 403;

  it(`${denied} for a signed-in user without roles`, async () => {
    await expectRefused(route, users.plain, denied);
  });

  it(`${route.wrongDenied ?? denied} for a user holding only the wrong role`, async () => {
    await expectRefused(route, users.holder.get(route.wrongRole!)!, route.wrongDenied ?? denied);
  });

  it(`${route.status} for a user holding the right role`, async () => {
    await expectAllowed(route, users.holder.get(role)!);
  });

  it(`${denied} for a user whose right role has ended`, async () => {
    await expectRefused(route, users.ended.get(role)!, denied);
  });
});
