import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR } from '../../src/domain/roles/built-in-roles.js';
import { dialectName } from '../helpers/db.js';
import { ManualClock, PUBLIC_URL, testServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** A directoryAudit as the API returns it, typed as far as these tests read it. */
interface Entry {
  id: string;
  activityDisplayName: string;
  activityDateTime: string;
  result: string;
  correlationId: string | null;
  targetResources: unknown[];
  additionalDetails: { key: string; value: string }[];
}
interface AuditPage {
  '@odata.context': string;
  '@odata.count'?: number;
  '@odata.nextLink'?: string;
  value: Entry[];
}
const HASH = /^[0-9a-f]{64}$/;
const ADA_PASSWORD = 'Correct-Horse-Battery-9';
const ADA_NEW_PASSWORD = 'Another-Secret-Pass-1';

/**
 * A scenario of directory and role changes, and one refused attempt, read back through
 * `GET /v1.0/auditLogs/directoryAudits`: every change leaves exactly one entry, rendered as Graph's
 * directoryAudit, filterable, pageable, confined to the tenant, and free of secrets.
 */
describe(`audit scenario on ${dialectName}`, () => {
  // Tokens are issued on real time, so the manual clock starts there and moves a second per step.
  const start = Math.floor(Date.now() / 1000) * 1000;
  const clock = new ManualClock(start);
  let s: TestServer;
  let admin: { authorization: string };
  let reader: { authorization: string; servicePrincipalId: string };
  let none: { authorization: string; servicePrincipalId: string };
  let setupSeq: number;
  const ids: Record<string, string> = {};
  const times: Record<string, number> = {};
  const requestIds: Record<string, string> = {};
  const secrets: string[] = [ADA_PASSWORD, ADA_NEW_PASSWORD];

  const step = async (name: string, request: () => Promise<LightMyRequestResponse>, status: number) => {
    clock.advance(1000);
    times[name] = clock.now();
    const res = await request();
    expect({ name, status: res.statusCode, body: res.body.slice(0, 300) }).toMatchObject({ status });
    requestIds[name] = String(res.headers['request-id']);
    return res.body === '' ? {} : res.json<Json>();
  };
  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    headers: object,
    payload?: object,
  ) =>
    s.app.inject({
      method,
      url,
      headers: headers as Record<string, string>,
      ...(payload ? { payload } : {}),
    });
  const audits = async (query = '', headers: object = reader) => {
    const res = await call('GET', `/v1.0/auditLogs/directoryAudits${query}`, headers);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    return res.json<AuditPage>();
  };
  const q = (filter: string, extra = '') => `?$filter=${encodeURIComponent(filter)}${extra}`;

  beforeAll(async () => {
    s = await testServer({ clock });
    secrets.push(s.boot.app.clientSecret, s.boot.admin.oneTimePassword);
    admin = await s.admin();
    reader = await s.appWith(['AuditLog.Read.All']);
    none = await s.appWith([]);
    setupSeq = Number(
      (await s.db.kysely.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow()).seq,
    );

    const ada = await step(
      'createUser',
      () =>
        call('POST', '/v1.0/users', admin, {
          accountEnabled: true,
          displayName: 'Ada Lovelace',
          userPrincipalName: 'ada@contoso.test',
          passwordProfile: { password: ADA_PASSWORD },
        }),
      201,
    );
    ids.ada = ada.id;
    await step(
      'updateUser',
      () =>
        call('PATCH', `/v1.0/users/${ids.ada}`, admin, {
          jobTitle: 'Engineer',
          passwordProfile: { password: ADA_NEW_PASSWORD },
        }),
      204,
    );
    const group = await step(
      'createGroup',
      () =>
        call('POST', '/v1.0/groups', admin, {
          displayName: 'Tier 0 admins',
          mailNickname: 'tier0',
          mailEnabled: false,
          securityEnabled: true,
          isAssignableToRole: true,
        }),
      201,
    );
    ids.group = group.id;
    await step(
      'addMember',
      () =>
        call('POST', `/v1.0/groups/${ids.group}/members/$ref`, admin, {
          '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${ids.ada}`,
        }),
      204,
    );
    const assignment = await step(
      'assignRole',
      () =>
        call('POST', '/v1.0/roleManagement/directory/roleAssignments', admin, {
          principalId: ids.ada,
          roleDefinitionId: USER_ADMINISTRATOR,
          directoryScopeId: '/',
        }),
      201,
    );
    ids.assignment = assignment.id;
    const sp = await step(
      'createApp',
      () => call('POST', '/v1.0/servicePrincipals', admin, { displayName: 'Payroll' }),
      201,
    );
    ids.sp = sp.id;
    const pw = await step(
      'addPassword',
      () =>
        call('POST', `/v1.0/servicePrincipals/${ids.sp}/addPassword`, admin, {
          passwordCredential: { displayName: 'ci' },
        }),
      200,
    );
    ids.keyId = pw.keyId;
    secrets.push(pw.secretText);
    await step(
      'removePassword',
      () => call('POST', `/v1.0/servicePrincipals/${ids.sp}/removePassword`, admin, { keyId: ids.keyId }),
      204,
    );
    await step(
      'denied',
      () =>
        call('POST', '/v1.0/users', none, {
          accountEnabled: true,
          displayName: 'Mallory',
          userPrincipalName: 'mallory@contoso.test',
          passwordProfile: { password: 'Mallory-Password-1' },
        }),
      403,
    );
    secrets.push('Mallory-Password-1');
    await step(
      'unassignRole',
      () => call('DELETE', `/v1.0/roleManagement/directory/roleAssignments/${ids.assignment}`, admin),
      204,
    );
    await step(
      'removeMember',
      () => call('DELETE', `/v1.0/groups/${ids.group}/members/${ids.ada}/$ref`, admin),
      204,
    );
    await step('deleteUser', () => call('DELETE', `/v1.0/users/${ids.ada}`, admin), 204);
    // Not audited: reads, a 404 for an unknown id, a validation failure.
    await step('read', () => call('GET', `/v1.0/groups/${ids.group}`, admin), 200);
    await step(
      'unknown',
      () => call('DELETE', `/v1.0/users/00000000-0000-4000-8000-000000000000`, admin),
      404,
    );
    await step('invalid', () => call('POST', '/v1.0/users', admin, { displayName: '' }), 400);
  });
  afterAll(() => s.close());

  it('records each change, and the refused attempt, once and in order', async () => {
    const page = await audits('?$orderby=activityDateTime asc&$top=999');
    expect(page['@odata.context']).toBe(`${PUBLIC_URL}/v1.0/$metadata#auditLogs/directoryAudits`);
    const seqOf = (e: Entry) => Number(e.additionalDetails.find((d) => d.key === 'elevate.seq')?.value);
    const scenario = page.value.filter((e) => seqOf(e) > setupSeq);
    expect(scenario.map((e) => [e.activityDisplayName, e.result, e.activityDateTime])).toEqual([
      ['Add user', 'success', new Date(times.createUser!).toISOString()],
      ['Update user', 'success', new Date(times.updateUser!).toISOString()],
      ['Add group', 'success', new Date(times.createGroup!).toISOString()],
      ['Add member to group', 'success', new Date(times.addMember!).toISOString()],
      ['Add member to role outside of PIM (permanent)', 'success', new Date(times.assignRole!).toISOString()],
      ['Add service principal', 'success', new Date(times.createApp!).toISOString()],
      ['Add service principal credentials', 'success', new Date(times.addPassword!).toISOString()],
      ['Remove service principal credentials', 'success', new Date(times.removePassword!).toISOString()],
      ['Add user', 'failure', new Date(times.denied!).toISOString()],
      ['Remove permanent direct role assignment', 'success', new Date(times.unassignRole!).toISOString()],
      ['Remove member from group', 'success', new Date(times.removeMember!).toISOString()],
      ['Delete user', 'success', new Date(times.deleteUser!).toISOString()],
    ]);
    // Each entry carries its request id as correlation id.
    const names = ['createUser', 'updateUser', 'createGroup', 'addMember', 'assignRole', 'createApp'];
    expect(scenario.slice(0, 6).map((e) => e.correlationId)).toEqual(names.map((n) => requestIds[n]));
  });

  it("renders a role assignment as Graph's directoryAudit", async () => {
    const page = await audits(q(`activityDateTime eq ${new Date(times.assignRole!).toISOString()}`));
    expect(page.value).toHaveLength(1);
    expect(page.value[0]).toStrictEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      category: 'RoleManagement',
      correlationId: requestIds.assignRole,
      result: 'success',
      resultReason: '',
      activityDisplayName: 'Add member to role outside of PIM (permanent)',
      activityDateTime: new Date(times.assignRole!).toISOString(),
      loggedByService: 'Privileged Identity Management',
      operationType: 'Assign',
      initiatedBy: {
        user: null,
        app: {
          appId: s.boot.app.clientId,
          displayName: 'Elevate bootstrap automation',
          servicePrincipalId: s.boot.app.servicePrincipalId,
          servicePrincipalName: 'Elevate bootstrap automation',
        },
      },
      targetResources: [
        {
          id: ids.ada,
          displayName: 'Ada Lovelace',
          type: 'User',
          userPrincipalName: 'ada@contoso.test',
          groupType: null,
          modifiedProperties: [],
        },
        {
          id: USER_ADMINISTRATOR,
          displayName: 'User Administrator',
          type: 'Role',
          userPrincipalName: null,
          groupType: null,
          modifiedProperties: [
            { displayName: 'Role.DisplayName', oldValue: null, newValue: '"User Administrator"' },
            { displayName: 'Role.TemplateId', oldValue: null, newValue: `"${USER_ADMINISTRATOR}"` },
          ],
        },
      ],
      additionalDetails: [
        { key: 'RoleAssignmentId', value: ids.assignment },
        { key: 'DirectoryScopeId', value: '/' },
        { key: 'User-Agent', value: 'lightMyRequest' },
        { key: 'IpAddress', value: '127.0.0.1' },
        { key: 'elevate.code', value: 'roleAssignment.create' },
        { key: 'elevate.seq', value: String(setupSeq + 5) },
        { key: 'elevate.hash', value: expect.stringMatching(HASH) },
      ],
    });
  });

  it('records what changed on an update, naming a new password without its value', async () => {
    const [entry] = (await audits(q(`activityDateTime eq ${new Date(times.updateUser!).toISOString()}`)))
      .value;
    expect(entry!.targetResources).toEqual([
      {
        id: ids.ada,
        displayName: 'Ada Lovelace',
        type: 'User',
        userPrincipalName: 'ada@contoso.test',
        groupType: null,
        modifiedProperties: [
          { displayName: 'JobTitle', oldValue: '[]', newValue: '["Engineer"]' },
          {
            displayName: 'Included Updated Properties',
            oldValue: null,
            newValue: '"JobTitle, PasswordProfile"',
          },
        ],
      },
    ]);
  });

  it('records the refused attempt as a failure by the caller, with nothing created', async () => {
    const page = await audits(q(`result eq 'failure'`));
    expect(page.value).toHaveLength(1);
    expect(page.value[0]).toMatchObject({
      activityDisplayName: 'Add user',
      category: 'UserManagement',
      result: 'failure',
      resultReason: 'Insufficient privileges to complete the operation.',
      correlationId: requestIds.denied,
      initiatedBy: { user: null, app: { servicePrincipalId: none.servicePrincipalId } },
      targetResources: [
        { id: null, displayName: 'Mallory', userPrincipalName: 'mallory@contoso.test', type: 'User' },
      ],
    });
    const users = await call(
      'GET',
      `/v1.0/users?$filter=${encodeURIComponent("userPrincipalName eq 'mallory@contoso.test'")}`,
      admin,
    );
    expect(users.json().value).toEqual([]);
  });

  it.each<[string, string, () => string[]]>([
    [
      'activityDisplayName eq',
      `activityDisplayName eq 'Add member to role outside of PIM (permanent)'`,
      () => ['bootstrap', 'assignRole'],
    ],
    [
      'targetResources/any(t: t/id eq …)',
      'ADA',
      () => [
        'createUser',
        'updateUser',
        'addMember',
        'assignRole',
        'unassignRole',
        'removeMember',
        'deleteUser',
      ],
    ],
    ['activityDateTime ge … and le …', 'RANGE', () => ['addMember', 'assignRole', 'createApp']],
    ['category eq', `category eq 'GroupManagement'`, () => ['createGroup', 'addMember', 'removeMember']],
    ['initiatedBy/app/appId eq', 'NONE_APP', () => ['denied']],
    ['initiatedBy/user/id eq', `initiatedBy/user/id eq '00000000-0000-4000-8000-000000000000'`, () => []],
  ])('filters by %s', async (_name, filter, expected) => {
    const noneApp = await call('GET', `/v1.0/servicePrincipals/${none.servicePrincipalId}`, admin);
    const text =
      filter === 'ADA'
        ? `targetResources/any(t:t/id eq '${ids.ada}')`
        : filter === 'RANGE'
          ? `activityDateTime ge ${new Date(times.addMember!).toISOString()} and activityDateTime le ${new Date(times.createApp!).toISOString()}`
          : filter === 'NONE_APP'
            ? `initiatedBy/app/appId eq '${noneApp.json().appId}'`
            : filter;
    const page = await audits(q(text, '&$orderby=activityDateTime asc'));
    const byTime = Object.fromEntries(Object.entries(times).map(([k, v]) => [new Date(v).toISOString(), k]));
    expect(page.value.map((e) => byTime[e.activityDateTime] ?? 'bootstrap')).toEqual(expected());
  });

  it('orders newest first by default and pages with @odata.nextLink', async () => {
    const all = (await audits('?$top=999')).value;
    expect(all[0]!.activityDisplayName).toBe('Delete user');
    const when = all.map((e) => e.activityDateTime);
    expect([...when].sort().reverse()).toEqual(when);
    const seen: Entry[] = [];
    let url: string | undefined = '/v1.0/auditLogs/directoryAudits?$top=4';
    while (url) {
      const page = await audits(url.replace(/^.*\/auditLogs\/directoryAudits/, ''));
      seen.push(...page.value);
      url = page['@odata.nextLink'];
      if (url) expect(url.startsWith(`${PUBLIC_URL}/v1.0/auditLogs/directoryAudits?`)).toBe(true);
    }
    expect(seen.map((e) => e.id)).toEqual(all.map((e) => e.id));
    const counted = await audits(q(`targetResources/any(t:t/id eq '${ids.ada}')`, '&$count=true&$top=2'));
    expect(counted['@odata.count']).toBe(7);
    expect(counted.value).toHaveLength(2);
  });

  it('returns one entry by id, and 404 for an unknown one', async () => {
    const [first] = (await audits('?$top=1')).value;
    const res = await call('GET', `/v1.0/auditLogs/directoryAudits/${first!.id}`, reader);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      '@odata.context': `${PUBLIC_URL}/v1.0/$metadata#auditLogs/directoryAudits/$entity`,
      ...first,
    });
    const missing = await call(
      'GET',
      '/v1.0/auditLogs/directoryAudits/00000000-0000-4000-8000-000000000000',
      reader,
    );
    expect(missing.statusCode).toBe(404);
  });

  it("shows only the caller's tenant", async () => {
    const other = await s.otherTenant();
    const token = await s.app.inject({
      method: 'POST',
      url: `/${other.tenantId}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: other.app.clientId,
        client_secret: other.app.clientSecret,
        scope: `${PUBLIC_URL}/.default`,
      }).toString(),
    });
    const otherToken = token.json().access_token as string;
    const theirs = await audits('?$top=999', { authorization: `Bearer ${otherToken}` });
    expect(theirs.value.map((e) => e.activityDisplayName)).toEqual([
      'Add service principal credentials',
      'Add service principal',
      'Add member to role outside of PIM (permanent)',
      'Add user',
      'Create company',
    ]);
    const [ours] = (await audits('?$top=1')).value;
    const res = await call('GET', `/v1.0/auditLogs/directoryAudits/${ours!.id}`, {
      authorization: `Bearer ${otherToken}`,
    });
    expect(res.statusCode).toBe(404);
  });

  it('records the first-run bootstrap as Elevate itself', async () => {
    const page = await audits(q(`targetResources/any(t:t/id eq '${GLOBAL_ADMINISTRATOR}')`));
    expect(page.value.at(-1)).toMatchObject({
      activityDisplayName: 'Add member to role outside of PIM (permanent)',
      initiatedBy: { user: null, app: { appId: null, displayName: 'Elevate' } },
      targetResources: [
        { id: s.boot.admin.id, type: 'User' },
        { id: GLOBAL_ADMINISTRATOR, type: 'Role' },
      ],
    });
  });

  it('needs AuditLog.Read.All or an audit reader role', async () => {
    for (const url of ['/v1.0/auditLogs/directoryAudits', '/v1.0/auditLogs/verify']) {
      const res = await call('GET', url, none);
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('Authorization_RequestDenied');
    }
  });

  it('verifies the chain through the API', async () => {
    const res = await call('GET', '/v1.0/auditLogs/verify', reader);
    expect(res.statusCode).toBe(200);
    const head = await s.db.kysely
      .selectFrom('audit_head')
      .selectAll()
      .where('tenant_id', '=', s.boot.tenantId)
      .executeTakeFirstOrThrow();
    expect(res.json()).toEqual({
      ok: true,
      count: Number(head.seq),
      headHash: head.hash,
      checkpoints: 0,
      // No checkpoint was signed yet, so none was published: the route says so.
      publication: { lastCheckpoint: null, publishers: [] },
    });
  });

  it('keeps secrets out of every entry', async () => {
    const rows = await s.db.kysely.selectFrom('audit_entries').select('payload').execute();
    const hashes = [
      ...(await s.db.kysely.selectFrom('users').select('password_hash').execute()).map(
        (r) => r.password_hash,
      ),
      ...(await s.db.kysely.selectFrom('service_principal_secrets').select('secret_hash').execute()).map(
        (r) => r.secret_hash,
      ),
    ].filter((h): h is string => h !== null);
    expect(secrets.length).toBeGreaterThan(4);
    expect(hashes.length).toBeGreaterThan(2);
    const text = rows.map((r) => r.payload).join('\n');
    for (const secret of [...secrets, ...hashes]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/secretText|secretHash|passwordHash|"hint"/i);
  });
});
