import { call, UNKNOWN_ID } from './graph.js';
import { createGroup, createUser } from './fixtures.js';
import { ref, type Env, type Route } from './permission-routes.js';

const upn = () => `p${Math.random().toString(36).slice(2, 10)}@contoso.test`;

/** `/users`, `/groups` and members, for the permission table test. */
export function userAndGroupRoutes(env: Env): Route[] {
  return [
    {
      method: 'GET',
      path: '/users',
      allow: 'User.Read.All',
      status: 200,
      own: async () => ({ url: '/v1.0/users' }),
    },
    {
      method: 'POST',
      path: '/users',
      allow: 'User.ReadWrite.All',
      readOnly: 'User.Read.All',
      status: 201,
      own: async () => ({
        url: '/v1.0/users',
        body: { accountEnabled: true, displayName: 'P', userPrincipalName: upn() },
      }),
    },
    {
      method: 'GET',
      path: '/users/{id}',
      allow: 'User.Read.All',
      status: 200,
      own: async () => ({ url: `/v1.0/users/${env.s.boot.admin.id}` }),
      foreign: (o) => ({ url: `/v1.0/users/${o.userId}` }),
      unknown: () => ({ url: `/v1.0/users/${UNKNOWN_ID}` }),
    },
    {
      method: 'PATCH',
      path: '/users/{id}',
      allow: 'User.ReadWrite.All',
      readOnly: 'User.Read.All',
      status: 204,
      own: async () => ({
        url: `/v1.0/users/${(await createUser(env.s, env.admin)).id}`,
        body: { jobTitle: 'x' },
      }),
      foreign: (o) => ({ url: `/v1.0/users/${o.userId}`, body: { jobTitle: 'x' } }),
      unknown: () => ({ url: `/v1.0/users/${UNKNOWN_ID}`, body: { jobTitle: 'x' } }),
    },
    {
      method: 'DELETE',
      path: '/users/{id}',
      allow: 'User.ReadWrite.All',
      readOnly: 'User.Read.All',
      status: 204,
      own: async () => ({ url: `/v1.0/users/${(await createUser(env.s, env.admin)).id}` }),
      foreign: (o) => ({ url: `/v1.0/users/${o.userId}` }),
      unknown: () => ({ url: `/v1.0/users/${UNKNOWN_ID}` }),
    },
    {
      method: 'GET',
      path: '/groups',
      allow: 'Group.Read.All',
      status: 200,
      own: async () => ({ url: '/v1.0/groups' }),
    },
    {
      method: 'POST',
      path: '/groups',
      allow: 'Group.ReadWrite.All',
      readOnly: 'Group.Read.All',
      status: 201,
      own: async () => ({
        url: '/v1.0/groups',
        body: { displayName: 'P', mailNickname: 'p', mailEnabled: false, securityEnabled: true },
      }),
    },
    {
      method: 'GET',
      path: '/groups/{id}',
      allow: 'Group.Read.All',
      status: 200,
      own: async () => ({ url: `/v1.0/groups/${(await createGroup(env.s, env.admin)).id}` }),
      foreign: (o) => ({ url: `/v1.0/groups/${o.groupId}` }),
      unknown: () => ({ url: `/v1.0/groups/${UNKNOWN_ID}` }),
    },
    {
      method: 'PATCH',
      path: '/groups/{id}',
      allow: 'Group.ReadWrite.All',
      readOnly: 'Group.Read.All',
      status: 204,
      own: async () => ({
        url: `/v1.0/groups/${(await createGroup(env.s, env.admin)).id}`,
        body: { description: 'x' },
      }),
      foreign: (o) => ({ url: `/v1.0/groups/${o.groupId}`, body: { description: 'x' } }),
      unknown: () => ({ url: `/v1.0/groups/${UNKNOWN_ID}`, body: { description: 'x' } }),
    },
    {
      method: 'DELETE',
      path: '/groups/{id}',
      allow: 'Group.ReadWrite.All',
      readOnly: 'Group.Read.All',
      status: 204,
      own: async () => ({ url: `/v1.0/groups/${(await createGroup(env.s, env.admin)).id}` }),
      foreign: (o) => ({ url: `/v1.0/groups/${o.groupId}` }),
      unknown: () => ({ url: `/v1.0/groups/${UNKNOWN_ID}` }),
    },
    {
      method: 'GET',
      path: '/groups/{id}/members',
      allow: 'Group.Read.All',
      status: 200,
      own: async () => ({ url: `/v1.0/groups/${(await createGroup(env.s, env.admin)).id}/members` }),
      foreign: (o) => ({ url: `/v1.0/groups/${o.groupId}/members` }),
      unknown: () => ({ url: `/v1.0/groups/${UNKNOWN_ID}/members` }),
    },
    {
      method: 'GET',
      path: '/groups/{id}/owners',
      allow: 'Group.Read.All',
      status: 200,
      own: async () => ({ url: `/v1.0/groups/${(await createGroup(env.s, env.admin)).id}/owners` }),
      foreign: (o) => ({ url: `/v1.0/groups/${o.groupId}/owners` }),
      unknown: () => ({ url: `/v1.0/groups/${UNKNOWN_ID}/owners` }),
    },
    {
      method: 'GET',
      path: '/groups/{id}/transitiveMembers',
      allow: 'Group.Read.All',
      status: 200,
      own: async () => ({
        url: `/v1.0/groups/${(await createGroup(env.s, env.admin)).id}/transitiveMembers`,
      }),
      foreign: (o) => ({ url: `/v1.0/groups/${o.groupId}/transitiveMembers` }),
      unknown: () => ({ url: `/v1.0/groups/${UNKNOWN_ID}/transitiveMembers` }),
    },
    {
      method: 'POST',
      path: '/directoryObjects/{id}/getMemberObjects',
      allow: 'Group.Read.All',
      status: 200,
      own: async () => ({
        url: `/v1.0/directoryObjects/${(await createUser(env.s, env.admin)).id}/getMemberObjects`,
        body: { securityEnabledOnly: false },
      }),
      foreign: (o) => ({
        url: `/v1.0/directoryObjects/${o.userId}/getMemberObjects`,
        body: { securityEnabledOnly: false },
      }),
      unknown: () => ({
        url: `/v1.0/directoryObjects/${UNKNOWN_ID}/getMemberObjects`,
        body: { securityEnabledOnly: false },
      }),
    },
    {
      method: 'GET',
      path: '/users/{id}/memberOf',
      allow: 'Group.Read.All',
      status: 200,
      own: async () => ({ url: `/v1.0/users/${(await createUser(env.s, env.admin)).id}/memberOf` }),
      foreign: (o) => ({ url: `/v1.0/users/${o.userId}/memberOf` }),
      unknown: () => ({ url: `/v1.0/users/${UNKNOWN_ID}/memberOf` }),
    },
    {
      method: 'POST',
      path: '/groups/{id}/members/$ref',
      allow: 'Group.ReadWrite.All',
      readOnly: 'Group.Read.All',
      status: 204,
      own: async () => ({
        url: `/v1.0/groups/${(await createGroup(env.s, env.admin)).id}/members/$ref`,
        body: ref(env.s.boot.admin.id),
      }),
      foreign: (o) => ({ url: `/v1.0/groups/${o.groupId}/members/$ref`, body: ref(env.s.boot.admin.id) }),
      unknown: () => ({ url: `/v1.0/groups/${UNKNOWN_ID}/members/$ref`, body: ref(env.s.boot.admin.id) }),
    },
    {
      method: 'DELETE',
      path: '/groups/{id}/members/{memberId}/$ref',
      allow: 'Group.ReadWrite.All',
      readOnly: 'Group.Read.All',
      status: 204,
      own: async () => {
        const g = await createGroup(env.s, env.admin);
        await call(env.s, 'POST', `/v1.0/groups/${g.id}/members/$ref`, env.admin, ref(env.s.boot.admin.id));
        return { url: `/v1.0/groups/${g.id}/members/${env.s.boot.admin.id}/$ref` };
      },
      foreign: (o) => ({ url: `/v1.0/groups/${o.groupId}/members/${o.userId}/$ref` }),
      unknown: () => ({ url: `/v1.0/groups/${UNKNOWN_ID}/members/${env.s.boot.admin.id}/$ref` }),
    },
  ];
}
