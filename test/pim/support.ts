import type { LightMyRequestResponse } from 'fastify';
import { expect, vi } from 'vitest';
import type { Caller } from '../../src/app/authorization/caller.js';
import { makeScheduleRequests } from '../../src/app/pim/schedule-requests.js';
import { makePimSchedules } from '../../src/app/pim/schedules.js';
import type { Stores } from '../../src/app/ports.js';
import type { EnabledRule, PolicyRule } from '../../src/domain/policy/types.js';
import { findRule } from '../../src/domain/policy/types.js';
import { roleAssignmentId } from '../../src/domain/roles/assignment-id.js';
import { newId } from '../../src/domain/shared/ids.js';
import { type Clock, ManualClock } from '../../src/domain/time/clock.js';
import { parseDateTime } from '../../src/domain/time/datetime.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { holdingsCommitHook } from '../../src/store/authzen/holdings-source.js';
import { PUBLIC_URL, testServer, type TestServer } from '../helpers/server.js';

export const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
export const PRIVILEGED_ROLE_ADMINISTRATOR = 'e8611ab8-c189-46e8-94e1-60213ab1f814';
export const GROUPS_ADMINISTRATOR = 'fdd7a751-b60b-444a-984c-02652fe8fa1c';
export const ATTRIBUTE_DEFINITION_ADMINISTRATOR = '8424c6f0-a189-499e-bbd0-26c1753c96d4';
export const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';

export const BASE = '/v1.0/roleManagement/directory';
export const ASSIGNMENT_REQUESTS = `${BASE}/roleAssignmentScheduleRequests`;
export const ELIGIBILITY_REQUESTS = `${BASE}/roleEligibilityScheduleRequests`;
export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const DAY = 24 * HOUR;

/** 2026-11-27, the day the acceptance flow is pinned to. */
export const NOW = parseDateTime('2026-11-27T10:15:00Z');

export type Headers = Record<string, string>;

/** `@odata.context` as Elevate writes it. */
export const ctx = (fragment: string) => `${PUBLIC_URL}/v1.0/$metadata#${fragment}`;

/** A fresh server on a manual clock at {@link NOW}, the background sweeper off. */
export async function pimServer(start = NOW): Promise<{ s: TestServer; clock: ManualClock }> {
  const clock = new ManualClock(start);
  const s = await testServer({ clock });
  await s.sweeper.stop();
  return { s, clock };
}

/**
 * An app access token minted at the manual clock's time. The embedded authorization server stamps
 * `iat`/`exp` from the system time, so the system `Date` is set to the manual clock just for the
 * mint; the verifier then checks the token against the same manual clock.
 */
export async function tokenAt(
  s: TestServer,
  clock: Clock,
  clientId = s.boot.app.clientId,
  secret = s.boot.app.clientSecret,
  tenantId = s.boot.tenantId,
): Promise<string> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(clock.now());
  try {
    const res = await s.app.inject({
      method: 'POST',
      url: `/${tenantId}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: secret,
        scope: `${PUBLIC_URL}/.default`,
      }).toString(),
    });
    if (res.statusCode !== 200) throw new Error(`token request failed: ${res.statusCode} ${res.body}`);
    return res.json<{ access_token: string }>().access_token;
  } finally {
    vi.useRealTimers();
  }
}

/** Authorization header of the bootstrap app, minted now on the manual clock. */
export async function adminAt(s: TestServer, clock: Clock): Promise<Headers> {
  return { authorization: `Bearer ${await tokenAt(s, clock)}` };
}

/** A service principal with these app permissions, able to mint its own tokens on the manual clock. */
export interface TestApp {
  servicePrincipalId: string;
  appId: string;
  headers(): Promise<Headers>;
}

export async function appAt(s: TestServer, clock: Clock, permissions: string[] = []): Promise<TestApp> {
  const admin = await adminAt(s, clock);
  const sp = await call(s, 'POST', '/v1.0/servicePrincipals', admin, {
    displayName: `pim app ${newId().slice(0, 8)}`,
    appPermissions: permissions,
  });
  if (sp.statusCode !== 201) throw new Error(`creating app failed: ${sp.statusCode} ${sp.body}`);
  const { id, appId } = sp.json<{ id: string; appId: string }>();
  const pw = await call(s, 'POST', `/v1.0/servicePrincipals/${id}/addPassword`, admin, {});
  const secret = pw.json<{ secretText: string }>().secretText;
  return {
    servicePrincipalId: id,
    appId,
    headers: async () => ({ authorization: `Bearer ${await tokenAt(s, clock, appId, secret)}` }),
  };
}

/**
 * Use cases over the server's database, for callers that have no token yet (users). Their commits
 * bring the server's holdings index up to date as the server's own do (AuthZEN answers from it).
 */
export function useCases(s: TestServer, clock: Clock) {
  const uow = createUnitOfWork(s.db, { holdings: holdingsCommitHook(s.db, s.holdings) });
  const deps = { uow, clock, newId };
  return { requests: makeScheduleRequests(deps), schedules: makePimSchedules(deps), uow: deps.uow };
}

export async function call(
  s: Pick<TestServer, 'app'>,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  headers: Headers,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  if (payload === undefined) return s.app.inject({ method, url, headers });
  return s.app.inject({
    method,
    url,
    headers: { ...headers, 'content-type': 'application/json' },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
}

/** Asserts a Graph error envelope with this status (and code/message, if given). */
export function expectGraphError(
  res: LightMyRequestResponse,
  status: number,
  code?: string,
  message?: string | RegExp,
): void {
  expect(res.statusCode, res.body.slice(0, 500)).toBe(status);
  const body = res.json();
  expect(body).toStrictEqual({
    error: {
      code: code ?? expect.any(String),
      message:
        message === undefined
          ? expect.any(String)
          : typeof message === 'string'
            ? message
            : expect.stringMatching(message),
      ...(body.error?.target === undefined ? {} : { target: expect.any(String) }),
      ...(body.error?.details === undefined ? {} : { details: expect.any(Array) }),
      innerError: {
        date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
        'request-id': res.headers['request-id'],
        'client-request-id': res.headers['request-id'],
      },
    },
  });
}

/** Runs work in one transaction of the server's database. */
export const inTx = <T>(s: TestServer, work: (tx: Stores) => Promise<T>): Promise<T> =>
  createUnitOfWork(s.db).run(work);

/** A user of the bootstrap tenant (created straight in the store), optionally holding roles directly. */
export async function addUser(s: TestServer, roles: string[] = [], name = 'PIM Tester'): Promise<string> {
  const id = newId();
  const tenantId = s.boot.tenantId;
  await inTx(s, async (tx) => {
    await tx.users.insert({
      id,
      tenantId,
      displayName: name,
      userPrincipalName: `${id.slice(0, 8)}@contoso.test`,
      mail: null,
      givenName: null,
      surname: null,
      jobTitle: null,
      accountEnabled: true,
      passwordHash: null,
      passwordMustChange: false,
      createdAt: 0,
      modifiedAt: 0,
      version: 1,
    });
    for (const role of roles) {
      await tx.roleAssignments.insert({
        id: roleAssignmentId(role, id, '/', newId),
        tenantId,
        principalId: id,
        principalType: 'user',
        roleDefinitionId: role,
        directoryScopeId: '/',
        appScopeId: null,
        createdAt: 0,
        createdBy: null,
      });
    }
  });
  return id;
}

/** A role-assignable security group with these members. */
export async function addGroup(s: TestServer, members: string[] = []): Promise<string> {
  const id = newId();
  const tenantId = s.boot.tenantId;
  await inTx(s, async (tx) => {
    await tx.groups.insert({
      id,
      tenantId,
      displayName: `PIM group ${id.slice(0, 8)}`,
      description: null,
      mailNickname: `pim-${id.slice(0, 8)}`,
      mailEnabled: false,
      securityEnabled: true,
      isAssignableToRole: true,
      createdAt: 0,
      modifiedAt: 0,
      version: 1,
    });
    for (const memberId of members) {
      await tx.groups.addMember(tenantId, { groupId: id, memberId, memberType: 'user' }, 0);
    }
  });
  return id;
}

/** A user caller (users have no tokens until the identity work lands, so app-level tests build one). */
export function userCaller(
  s: TestServer,
  id: string,
  mfa: { amr?: string[]; authTimeMs?: number | null } = {},
): Caller {
  return {
    kind: 'user',
    tenantId: s.boot.tenantId,
    id,
    appId: null,
    appPermissions: [],
    amr: mfa.amr ?? ['pwd'],
    authTimeMs: mfa.authTimeMs == null ? null : Math.floor(mfa.authTimeMs / 1000) * 1000,
    ipAddress: '127.0.0.1',
    userAgent: 'vitest',
    correlationId: null,
  };
}

/** A permanent eligibility for the role, made by the bootstrap administrator through the use case. */
export async function eligibleForever(
  s: TestServer,
  clock: Clock,
  principalId: string,
  roleDefinitionId: string,
) {
  return useCases(s, clock).requests.create(userCaller(s, s.boot.admin.id), {
    kind: 'eligibility',
    action: 'adminAssign',
    principalId,
    roleDefinitionId,
    directoryScopeId: '/',
    justification: 'on call',
    ticketInfo: null,
    scheduleInfo: {
      startDateTime: null,
      expiration: { type: 'noExpiration', endDateTime: null, duration: null },
    },
    isValidationOnly: false,
    customData: null,
  });
}

/** Sets the activation enablement rules of a role's stored policy (the policies API is another's). */
export async function setActivationRules(
  s: TestServer,
  roleId: string,
  enabledRules: EnabledRule[],
): Promise<void> {
  await patchPolicy(s, roleId, (rules) => {
    findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = enabledRules;
  });
}

/** Changes a role's stored policy rules in place. */
export async function patchPolicy(
  s: TestServer,
  roleId: string,
  change: (rules: PolicyRule[]) => void,
): Promise<void> {
  await inTx(s, async (tx) => {
    const policy = await tx.policies.forRole(s.boot.tenantId, 'DirectoryRole', '/', roleId);
    if (!policy) throw new Error(`no policy for ${roleId}`);
    const rules = structuredClone(policy.rules);
    change(rules);
    await tx.policies.update({ ...policy, rules }, policy.version);
  });
}

/** Row counts of every PIM table and of the audit log. */
export async function rowCounts(s: TestServer): Promise<Record<string, number>> {
  const k = s.db.kysely;
  const count = async (
    table: 'pim_schedule_requests' | 'pim_schedules' | 'pim_slots' | 'audit_entries' | 'role_assignments',
  ) =>
    Number(
      (
        await k
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    requests: await count('pim_schedule_requests'),
    schedules: await count('pim_schedules'),
    slots: await count('pim_slots'),
    audit: await count('audit_entries'),
    roleAssignments: await count('role_assignments'),
  };
}

/** Audit entries with this display name (newest last). */
export async function auditOf(s: TestServer, activityDisplayName: string) {
  return s.db.kysely
    .selectFrom('audit_entries')
    .select(['activity_display_name', 'result', 'payload', 'activity_at'])
    .where('activity_display_name', '=', activityDisplayName)
    .orderBy('seq')
    .execute();
}

export { ManualClock, newId };
