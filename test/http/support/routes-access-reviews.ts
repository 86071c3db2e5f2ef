import { expect } from 'vitest';
import * as R from '../../../src/domain/roles/built-in-role-ids.js';
import { eligibleForever } from '../../pim/support.js';
import { addUser } from '../../pim/support.js';
import { createUser } from './fixtures.js';
import { call, type Method } from './graph.js';
import type { WalkEnv, WalkRoute } from './routes-pim-policy-audit.js';

const DEFS = '/v1.0/identityGovernance/accessReviews/definitions';
type Json = Record<string, unknown>;

/** Readers of access reviews and their administrators, each with a near miss. */
const READERS = { role: R.GLOBAL_READER, wrongRole: R.REPORTS_READER };
const WRITERS = { role: R.PRIVILEGED_ROLE_ADMINISTRATOR, wrongRole: R.GLOBAL_READER };
const USER_READERS = { role: R.HELPDESK_ADMINISTRATOR, wrongRole: R.APPLICATION_ADMINISTRATOR };
const USER_WRITERS = { role: R.USER_ADMINISTRATOR, wrongRole: R.HELPDESK_ADMINISTRATOR };

async function ok(env: WalkEnv, method: Method, url: string, body?: unknown): Promise<Json> {
  const res = await call(env.s, method, url, env.admin, body);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.statusCode === 204 ? {} : res.json<Json>();
}

/** A one-time review of Helpdesk Administrator eligibilities, reviewed by `reviewer` (or self-review). */
const body = (reviewer: string | null): Json => ({
  displayName: 'Walk review',
  scope: {
    '@odata.type': '#microsoft.graph.principalResourceMembershipsScope',
    principalScopes: [{ query: '/users', queryType: 'MicrosoftGraph' }],
    resourceScopes: [{ query: `/roleManagement/directory/roleDefinitions/${R.HELPDESK_ADMINISTRATOR}` }],
  },
  reviewers: reviewer === null ? [] : [{ query: `/users/${reviewer}`, queryType: 'MicrosoftGraph' }],
  settings: { instanceDurationInDays: 3, recommendationsEnabled: true },
});

export function accessReviewRoutes(env: WalkEnv): WalkRoute[] {
  const definition = async (reviewer: string | null = null) =>
    (await ok(env, 'POST', DEFS, body(reviewer))).id as string;
  /** A definition with a started instance and one item (another user's eligibility). */
  const started = async (reviewer: string | null = null) => {
    const id = await definition(reviewer);
    const principal = await addUser(env.s, [], 'Walk eligible');
    await eligibleForever(env.s, env.clock, principal, R.HELPDESK_ADMINISTRATOR);
    // The scheduler makes the instance of every one-time review created until now.
    await env.s.accessReviews.runDue();
    const instances = (await ok(env, 'GET', `${DEFS}/${id}/instances`)).value as { id: string }[];
    const instanceId = instances[0]!.id;
    const items = (await ok(env, 'GET', `${DEFS}/${id}/instances/${instanceId}/decisions`)).value as {
      id: string;
      principal: { id: string };
    }[];
    const item = items.find((x) => x.principal.id === principal)!;
    return { id, instanceId, base: `${DEFS}/${id}/instances/${instanceId}`, itemId: item.id, principal };
  };
  const withManager = async () => {
    const user = await createUser(env.s, env.admin);
    const manager = await createUser(env.s, env.admin);
    await ok(env, 'PUT', `/v1.0/users/${user.id}/manager/$ref`, {
      '@odata.id': `https://graph.microsoft.com/v1.0/users/${manager.id}`,
    });
    return { user: user.id, manager: manager.id };
  };
  const action = (name: string): WalkRoute => ({
    method: 'POST',
    path: `${DEFS}/{id}/instances/{instanceId}/${name}`,
    ...WRITERS,
    status: 204,
    own: async () => {
      const s = await started();
      if (name === 'applyDecisions') await ok(env, 'POST', `${s.base}/stop`);
      return { url: `${s.base}/${name}` };
    },
  });
  return [
    {
      method: 'GET',
      path: '/v1.0/users/{id}/manager',
      ...USER_READERS,
      status: 200,
      own: async () => ({ url: `/v1.0/users/${(await withManager()).user}/manager` }),
    },
    {
      method: 'PUT',
      path: '/v1.0/users/{id}/manager/$ref',
      ...USER_WRITERS,
      status: 204,
      own: async () => {
        const user = await createUser(env.s, env.admin);
        const manager = await createUser(env.s, env.admin);
        return { url: `/v1.0/users/${user.id}/manager/$ref`, body: { '@odata.id': `/users/${manager.id}` } };
      },
    },
    {
      method: 'DELETE',
      path: '/v1.0/users/{id}/manager/$ref',
      ...USER_WRITERS,
      status: 204,
      own: async () => ({ url: `/v1.0/users/${(await withManager()).user}/manager/$ref` }),
    },
    {
      method: 'POST',
      path: DEFS,
      ...WRITERS,
      status: 201,
      own: async () => ({ url: DEFS, body: body(null) }),
    },
    { method: 'GET', path: DEFS, ...READERS, status: 200, own: async () => ({ url: DEFS }) },
    {
      method: 'GET',
      path: `${DEFS}/{id}`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${DEFS}/${await definition()}` }),
    },
    {
      method: 'PUT',
      path: `${DEFS}/{id}`,
      ...WRITERS,
      status: 204,
      own: async () => ({
        url: `${DEFS}/${await definition()}`,
        body: { ...body(null), displayName: 'Renamed' },
      }),
    },
    {
      method: 'DELETE',
      path: `${DEFS}/{id}`,
      ...WRITERS,
      status: 204,
      own: async () => ({ url: `${DEFS}/${await definition()}` }),
    },
    {
      method: 'GET',
      path: `${DEFS}/{id}/instances`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${DEFS}/${(await started()).id}/instances` }),
    },
    {
      method: 'GET',
      path: `${DEFS}/{id}/instances/{instanceId}`,
      ...READERS,
      status: 200,
      own: async () => ({ url: (await started()).base }),
    },
    {
      method: 'GET',
      path: `${DEFS}/{id}/instances/{instanceId}/decisions`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${(await started()).base}/decisions` }),
    },
    {
      method: 'GET',
      path: `${DEFS}/{id}/instances/{instanceId}/decisions/{decisionId}`,
      ...READERS,
      // Someone who neither reads reviews nor reviews the item learns nothing about it.
      denied: 404,
      status: 200,
      own: async () => {
        const s = await started();
        return { url: `${s.base}/decisions/${s.itemId}` };
      },
    },
    {
      method: 'PATCH',
      path: `${DEFS}/{id}/instances/{instanceId}/decisions/{decisionId}`,
      status: 204,
      own: async (caller) => {
        const s = await started(caller.id);
        return {
          url: `${s.base}/decisions/${s.itemId}`,
          body: { decision: 'Deny', justification: 'unused' },
        };
      },
    },
    {
      method: 'POST',
      path: `${DEFS}/{id}/instances/{instanceId}/batchRecordDecisions`,
      status: 204,
      own: async (caller) => ({
        url: `${(await started(caller.id)).base}/batchRecordDecisions`,
        body: { decision: 'Approve', justification: 'in use' },
      }),
    },
    {
      method: 'POST',
      path: `${DEFS}/{id}/instances/{instanceId}/acceptRecommendations`,
      status: 204,
      own: async (caller) => ({ url: `${(await started(caller.id)).base}/acceptRecommendations` }),
    },
    action('stop'),
    action('applyDecisions'),
    action('resetDecisions'),
    action('sendReminder'),
  ];
}
