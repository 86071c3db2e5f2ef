// SCIM 2.0 groups over HTTP, with Entra ID's and Okta's documented requests: create with members,
// rename, member add and remove (Entra's value lists, Okta's `members[value eq "id"]` path).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { call } from '../http/support/graph.js';
import {
  expectScimError,
  GROUP_SCHEMA,
  PATCH_OP,
  scimClient,
  scimServer,
  USER_SCHEMA,
  type Json,
  type ScimClient,
} from './support.js';

let s: TestServer;
let scim: ScimClient;
const users: string[] = [];

beforeAll(async () => {
  ({ s, scim } = await scimServer());
  for (const n of [1, 2, 3]) {
    const res = await scim.call('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: `member${n}@contoso.test`,
    });
    users.push(res.json<Json>()['id'] as string);
  }
});
afterAll(() => s.close());

const memberIds = (body: Json) => ((body['members'] ?? []) as Json[]).map((m) => m['value']).sort();
const graphMembers = async (groupId: string) =>
  (await call(s, 'GET', `/v1.0/groups/${groupId}/members`, await s.admin()))
    .json<{ value: { id: string }[] }>()
    .value.map((m) => m.id)
    .sort();

describe('Entra ID provisioning a group', () => {
  it('looks up by displayName, creates, adds and removes members with value lists, renames, deletes', async () => {
    const lookup = await scim.call(
      'GET',
      `/Groups?filter=${encodeURIComponent('displayName eq "Group1DisplayName"')}&excludedAttributes=members`,
    );
    expect(lookup.json<Json>()['totalResults']).toBe(0);
    const created = await scim.call('POST', '/Groups', {
      schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group'],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'Group1DisplayName',
      meta: { resourceType: 'Group' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const group = created.json<Json>();
    const id = group['id'] as string;
    expect(group).toMatchObject({
      schemas: [GROUP_SCHEMA],
      displayName: 'Group1DisplayName',
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      members: [],
      meta: { resourceType: 'Group', location: `http://127.0.0.1:8080/scim/v2/Groups/${id}` },
    });
    const found = await scim.call(
      'GET',
      `/Groups?filter=${encodeURIComponent('displayName eq "group1displayname"')}&excludedAttributes=members`,
    );
    const [only] = found.json<{ Resources: Json[] }>().Resources;
    expect(only).toMatchObject({ id, displayName: 'Group1DisplayName' });
    expect(only).not.toHaveProperty('members');

    const add = await scim.call('PATCH', `/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        {
          op: 'Add',
          path: 'members',
          value: [
            { $ref: null, value: users[0] },
            { $ref: null, value: users[1] },
          ],
        },
      ],
    });
    expect(add.statusCode, add.body).toBe(200);
    expect(memberIds(add.json())).toEqual([users[0], users[1]].sort());
    expect(await graphMembers(id)).toEqual([users[0], users[1]].sort());

    // Entra checks membership with a filter.
    const isMember = await scim.call(
      'GET',
      `/Groups?filter=${encodeURIComponent(`id eq "${id}" and members[value eq "${users[0]}"]`)}&excludedAttributes=members`,
    );
    expect(isMember.json<Json>()['totalResults']).toBe(1);

    const remove = await scim.call('PATCH', `/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: users[0] }] }],
    });
    expect(remove.statusCode, remove.body).toBe(200);
    expect(await graphMembers(id)).toEqual([users[1]]);

    const rename = await scim.call('PATCH', `/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        {
          op: 'Replace',
          path: 'displayName',
          value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName',
        },
      ],
    });
    expect(rename.json<Json>()['displayName']).toBe('1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName');
    expect(memberIds(rename.json())).toEqual([users[1]]);

    expect((await scim.call('DELETE', `/Groups/${id}`)).statusCode).toBe(204);
    expectScimError(await scim.call('GET', `/Groups/${id}`), 404);
    expect((await call(s, 'GET', `/v1.0/groups/${id}`, await s.admin())).statusCode).toBe(404);
  });
});

describe('Okta provisioning a group', () => {
  it('creates with members, removes one by a members[value eq] path, renames with a path-less replace, PUTs', async () => {
    const created = await scim.call('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Test SCIMv2',
      members: [{ value: users[0], display: 'member1@contoso.test' }, { value: users[2] }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<Json>()['id'] as string;
    expect(memberIds(created.json())).toEqual([users[0], users[2]].sort());

    const removed = await scim.call('PATCH', `/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: `members[value eq "${users[0]}"]` }],
    });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(memberIds(removed.json())).toEqual([users[2]]);

    const renamed = await scim.call('PATCH', `/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { id, displayName: 'Test SCIMv2 renamed' } }],
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json<Json>()['displayName']).toBe('Test SCIMv2 renamed');

    const put = await scim.call('PUT', `/Groups/${id}`, {
      schemas: [GROUP_SCHEMA],
      id,
      displayName: 'Test SCIMv2 put',
      members: [{ value: users[1] }],
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(memberIds(put.json())).toEqual([users[1]]);
    expect(await graphMembers(id)).toEqual([users[1]]);
  });

  it('refuses a member the client did not provision (400 invalidValue), changing nothing', async () => {
    const created = await scim.call('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Guarded' });
    const id = created.json<Json>()['id'] as string;
    const other = await scimClient(s, 'Other IdP');
    const foreign = await other.call('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'foreign@contoso.test',
    });
    for (const memberId of [s.boot.admin.id, foreign.json<Json>()['id'] as string]) {
      const res = await scim.call('PATCH', `/Groups/${id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'add', path: 'members', value: [{ value: users[0] }] },
          { op: 'add', path: 'members', value: [{ value: memberId }] },
        ],
      });
      expectScimError(res, 400, 'invalidValue');
    }
    expect(await graphMembers(id)).toEqual([]);
    expectScimError(
      await scim.call('POST', '/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: 'x',
        members: [{ value: s.boot.admin.id }],
      }),
      400,
      'invalidValue',
    );
  });
});
