import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import { createGroup, createUser, ROLES } from './support/fixtures.js';
import { call, expectGraphError, filterQuery, type Headers } from './support/graph.js';

const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const SCOPE_FILTER = "scopeId eq '/' and scopeType eq 'DirectoryRole'";
const eventual = { consistencylevel: 'eventual' };

/** What a listing of `path` (all pages' worth) reports: `@odata.count`, or the items of an unpaged one. */
async function listedCount(s: TestServer, h: Headers, path: string, filter?: string): Promise<number> {
  const query = [filter ? filterQuery(filter) : '', '$count=true'].filter(Boolean).join('&');
  const res = await call(s, 'GET', `${path}?${query}`, { ...h, ...eventual });
  if (res.statusCode === 400 && res.json().error.message.includes("'$count'")) {
    // Unpaged navigations (a policy's rules) take no $count option: count what they list.
    const all = await call(s, 'GET', path, h);
    expect(all.statusCode, all.body).toBe(200);
    return all.json<{ value: unknown[] }>().value.length;
  }
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  const body = res.json<{ '@odata.count': number }>();
  expect(typeof body['@odata.count']).toBe('number');
  return body['@odata.count'];
}

const GROUP_PIM = '/v1.0/identityGovernance/privilegedAccess/group';

describe('$count as a path segment', () => {
  let s: TestServer;
  let h: Headers;
  let groupId: string;
  let policyId: string;
  /** Every collection with the filter that narrows it (or none), and how many that leaves. */
  let collections: { path: string; filter?: string; atLeast: number }[];
  let annId: string;
  let connectorId: string;
  let unitId: string;

  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
    const ann = await createUser(s, h, { displayName: 'Count Ann' });
    annId = ann.id;
    await createUser(s, h, { displayName: 'Count Ann' });
    await createUser(s, h, { displayName: 'Count Bob' });
    const group = await createGroup(s, h);
    groupId = group.id;
    expect(
      (await call(s, 'POST', `/v1.0/groups/${groupId}/members/$ref`, h, { '@odata.id': ann.id })).statusCode,
    ).toBe(204);
    const eligible = await call(s, 'POST', `${ROLES}/roleEligibilityScheduleRequests`, h, {
      action: 'adminAssign',
      justification: 'count',
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: ann.id,
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
    });
    expect(eligible.statusCode, eligible.body).toBe(201);
    const active = await call(s, 'POST', `${ROLES}/roleAssignmentScheduleRequests`, h, {
      action: 'adminAssign',
      justification: 'count',
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: ann.id,
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
    });
    expect(active.statusCode, active.body).toBe(201);
    for (const kind of ['eligibility', 'assignment']) {
      const res = await call(s, 'POST', `${GROUP_PIM}/${kind}ScheduleRequests`, h, {
        action: 'adminAssign',
        justification: 'count',
        accessId: 'member',
        groupId,
        principalId: ann.id,
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const policies = await call(
      s,
      'GET',
      `/v1.0/policies/roleManagementPolicies?${filterQuery(SCOPE_FILTER)}`,
      h,
    );
    policyId = policies.json().value[0].id;
    const principal = `principalId eq '${ann.id}'`;
    const hook = await call(s, 'POST', '/v1.0/elevate/notifications/webhooks', h, {
      url: 'https://127.0.0.1:9/count',
    });
    expect(hook.statusCode, hook.body).toBe(201);
    const decisionHook = await call(s, 'POST', '/v1.0/elevate/decisionHooks', h, {
      displayName: 'Count',
      url: 'https://127.0.0.1:9/count',
      secret: `whsec_${Buffer.from('count-decision-hook-secret-012345').toString('base64')}`,
    });
    expect(decisionHook.statusCode, decisionHook.body).toBe(201);
    const chat = await call(s, 'POST', '/v1.0/elevate/notifications/chatChannels', h, {
      kind: 'slack',
      displayName: 'count',
      url: 'https://127.0.0.1:9/count',
    });
    expect(chat.statusCode, chat.body).toBe(201);
    const connector = await call(s, 'POST', '/v1.0/elevate/connectors', h, {
      displayName: 'Count',
      type: 'redis',
      settings: { host: '127.0.0.1', port: 1 },
      isEnabled: false,
    });
    expect(connector.statusCode, connector.body).toBe(201);
    connectorId = connector.json<{ id: string }>().id;
    const resource = await call(s, 'POST', '/v1.0/elevate/resourceScopes', h, {
      id: '/count',
      displayName: 'Count',
      type: 'test',
    });
    expect(resource.statusCode, resource.body).toBe(201);
    const resourceRole = await call(s, 'POST', '/v1.0/elevate/resourceRoleDefinitions', h, {
      roleName: 'Count role',
      permissions: [{ actions: ['Count.Provider/things/read'] }],
      assignableScopes: ['/count'],
    });
    expect(resourceRole.statusCode, resourceRole.body).toBe(201);
    const unit = await call(s, 'POST', '/v1.0/directory/administrativeUnits', h, {
      displayName: 'Count unit',
    });
    expect(unit.statusCode, unit.body).toBe(201);
    unitId = unit.json<{ id: string }>().id;
    const unitMember = await call(
      s,
      'POST',
      `/v1.0/directory/administrativeUnits/${unitId}/members/$ref`,
      h,
      {
        '@odata.id': `https://graph.microsoft.com/v1.0/users/${annId}`,
      },
    );
    expect(unitMember.statusCode, unitMember.body).toBe(204);
    collections = [
      { path: '/v1.0/users', filter: "displayName eq 'Count Ann'", atLeast: 2 },
      { path: '/v1.0/groups', atLeast: 1 },
      { path: `/v1.0/groups/${groupId}/members`, atLeast: 1 },
      { path: `/v1.0/groups/${groupId}/owners`, atLeast: 0 },
      { path: `/v1.0/groups/${groupId}/transitiveMembers`, atLeast: 1 },
      { path: `/v1.0/users/${annId}/memberOf`, atLeast: 1 },
      { path: '/v1.0/servicePrincipals', atLeast: 1 },
      { path: `${ROLES}/roleDefinitions`, filter: 'isBuiltIn eq true', atLeast: 30 },
      { path: `${ROLES}/roleAssignments`, filter: principal, atLeast: 0 },
      { path: `${ROLES}/roleEligibilityScheduleRequests`, filter: principal, atLeast: 1 },
      { path: `${ROLES}/roleEligibilitySchedules`, filter: principal, atLeast: 1 },
      { path: `${ROLES}/roleEligibilityScheduleInstances`, filter: principal, atLeast: 1 },
      { path: `${ROLES}/roleAssignmentScheduleRequests`, filter: principal, atLeast: 1 },
      { path: `${ROLES}/roleAssignmentSchedules`, filter: principal, atLeast: 1 },
      { path: `${ROLES}/roleAssignmentScheduleInstances`, filter: principal, atLeast: 1 },
      { path: `${GROUP_PIM}/eligibilityScheduleRequests`, filter: principal, atLeast: 1 },
      { path: `${GROUP_PIM}/eligibilitySchedules`, filter: principal, atLeast: 1 },
      { path: `${GROUP_PIM}/eligibilityScheduleInstances`, filter: principal, atLeast: 1 },
      { path: `${GROUP_PIM}/assignmentScheduleRequests`, filter: principal, atLeast: 1 },
      { path: `${GROUP_PIM}/assignmentSchedules`, filter: principal, atLeast: 1 },
      { path: `${GROUP_PIM}/assignmentScheduleInstances`, filter: principal, atLeast: 1 },
      { path: '/v1.0/auditLogs/directoryAudits', filter: "category eq 'UserManagement'", atLeast: 3 },
      { path: '/v1.0/policies/roleManagementPolicies', filter: SCOPE_FILTER, atLeast: 30 },
      { path: '/v1.0/policies/roleManagementPolicyAssignments', filter: SCOPE_FILTER, atLeast: 30 },
      { path: `/v1.0/policies/roleManagementPolicies/${policyId}/rules`, atLeast: 17 },
      { path: `/v1.0/policies/roleManagementPolicies/${policyId}/effectiveRules`, atLeast: 17 },
      { path: '/v1.0/elevate/notifications/webhooks', atLeast: 1 },
      { path: '/v1.0/elevate/notifications/chatChannels', atLeast: 1 },
      { path: '/v1.0/elevate/notifications/deliveries', atLeast: 0 },
      { path: '/v1.0/elevate/decisionHooks', atLeast: 1 },
      { path: '/v1.0/elevate/connectors', atLeast: 1 },
      { path: `/v1.0/elevate/connectors/${connectorId}/grants`, atLeast: 0 },
      { path: '/v1.0/elevate/resourceScopes', filter: "parentId eq '/'", atLeast: 1 },
      { path: '/v1.0/elevate/resourceRoleDefinitions', atLeast: 1 },
      { path: '/v1.0/directory/administrativeUnits', filter: "displayName eq 'Count unit'", atLeast: 1 },
      { path: `/v1.0/directory/administrativeUnits/${unitId}/members`, atLeast: 1 },
    ];
  });
  afterAll(() => s.close());

  it('answers 200 text/plain with the number a listing reports, $filter honoured, on every collection', async () => {
    for (const { path, filter, atLeast } of collections) {
      const expected = await listedCount(s, h, path, filter);
      expect(expected, path).toBeGreaterThanOrEqual(atLeast);
      const url = `${path}/$count${filter ? `?${filterQuery(filter)}` : ''}`;
      const res = await call(s, 'GET', url, { ...h, ...eventual });
      expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBe(200);
      expect(res.headers['content-type'], url).toMatch(/^text\/plain/);
      expect(res.body, url).toBe(String(expected));
    }
  });

  it('counts only what $filter matches', async () => {
    const all = await call(s, 'GET', '/v1.0/users/$count', { ...h, ...eventual });
    const ann = await call(s, 'GET', `/v1.0/users/$count?${filterQuery("displayName eq 'Count Ann'")}`, {
      ...h,
      ...eventual,
    });
    expect(ann.body).toBe('2');
    expect(Number(all.body)).toBeGreaterThanOrEqual(4); // the bootstrap admin and the three above
  });

  it('needs ConsistencyLevel: eventual on directory objects, answering Graph’s 400 without it', async () => {
    for (const path of [
      '/v1.0/users',
      '/v1.0/groups',
      '/v1.0/servicePrincipals',
      `/v1.0/groups/${groupId}/members`,
    ]) {
      const res = await call(s, 'GET', `${path}/$count`, h);
      expectGraphError(res, 400, 'Request_BadRequest', '$count is not currently supported.');
      const wrong = await call(s, 'GET', `${path}/$count`, { ...h, consistencylevel: 'strong' });
      expectGraphError(wrong, 400, 'Request_BadRequest', '$count is not currently supported.');
    }
    // Other collections are not directory objects: no header needed.
    const roles = await call(s, 'GET', `${ROLES}/roleDefinitions/$count`, h);
    expect(roles.statusCode, roles.body).toBe(200);
  });

  it('is authenticated like the collection, and refuses options other than $filter', async () => {
    expectGraphError(await call(s, 'GET', '/v1.0/users/$count', eventual), 401, 'InvalidAuthenticationToken');
    expectGraphError(
      await call(s, 'GET', '/v1.0/users/$count?$top=1', { ...h, ...eventual }),
      400,
      'unsupportedQueryOption',
      "Query option '$top' is not supported with /$count; only $filter is.",
      { target: '$top' },
    );
    expectGraphError(
      await call(s, 'GET', `/v1.0/users/$count?${filterQuery('nope eq 1')}`, { ...h, ...eventual }),
      400,
      'invalidFilter',
      undefined,
      { target: '$filter' },
    );
  });

  it('refuses and filters exactly as its collection does (it runs the collection’s handler)', async () => {
    const nobody = await s.appWith([]);
    const headers = { authorization: nobody.authorization, ...eventual };
    for (const path of [
      '/v1.0/users',
      '/v1.0/groups',
      `${ROLES}/roleDefinitions`,
      '/v1.0/auditLogs/directoryAudits',
    ]) {
      const list = await call(s, 'GET', path, headers);
      const count = await call(s, 'GET', `${path}/$count`, headers);
      expect(count.statusCode, path).toBe(list.statusCode);
      if (list.statusCode === 403) expectGraphError(count, 403, 'Authorization_RequestDenied');
    }
    // PIM lists are filtered to what the caller may see: the count is of that, not of everything.
    const instances = `${ROLES}/roleEligibilityScheduleInstances`;
    const mine = await call(s, 'GET', `${instances}/$count`, headers);
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.body).toBe(String((await call(s, 'GET', instances, headers)).json().value.length));
    expect(mine.body).toBe('0');
    expect(Number((await call(s, 'GET', `${instances}/$count`, h)).body)).toBeGreaterThanOrEqual(1);
  });

  it('is served under /beta too', async () => {
    const v1 = await call(s, 'GET', `${ROLES}/roleDefinitions/$count`, h);
    const beta = await call(s, 'GET', `/beta/roleManagement/directory/roleDefinitions/$count`, h);
    expect(beta.statusCode).toBe(200);
    expect(beta.body).toBe(v1.body);
  });

  it('is documented in the OpenAPI document for every collection, with its text/plain response', async () => {
    const doc = (await call(s, 'GET', '/openapi.json')).json<{
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: { name: string; in: string; required?: boolean }[];
            responses: Record<string, { content?: Record<string, unknown> }>;
          }
        >
      >;
    }>();
    const counted = Object.keys(doc.paths).filter((p) => p.endsWith('/$count'));
    const expected = collections.map(
      ({ path }) =>
        path
          .replace(groupId, '{id}')
          .replace(annId, '{id}')
          .replace(policyId, '{id}')
          .replace(connectorId, '{id}')
          .replace(unitId, '{id}')
          .replace(/\/\$count$/, '') + '/$count',
    );
    expect(counted.sort()).toEqual(expected.sort());
    for (const path of counted) {
      const op = doc.paths[path]!.get!;
      expect(Object.keys(op.responses['200']!.content ?? {}), path).toEqual(['text/plain']);
      expect(Object.keys(op.responses), path).toEqual(expect.arrayContaining(['400', '401']));
      const header = op.parameters?.find((p) => p.in === 'header' && p.name === 'consistencylevel');
      const directory = /^\/v1\.0\/(users|groups|servicePrincipals)/.test(path);
      expect(header?.required === true, path).toBe(directory);
    }
  });
});
