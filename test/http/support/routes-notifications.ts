import { expect } from 'vitest';
import * as R from '../../../src/domain/roles/built-in-role-ids.js';
import { call, type Method } from './graph.js';
import { createUser, ROLES } from './fixtures.js';
import type { WalkEnv, WalkRoute } from './routes-pim-policy-audit.js';

const BASE = '/v1.0/elevate/notifications';
/** Nothing listens there: deliveries to it fail, which the walk does not wait for. */
const WEBHOOK_URL = 'https://127.0.0.1:9/elevate-walk';

/** Notification channels and the delivery log: role administrators write, Global Reader reads. */
const WRITERS = { role: R.PRIVILEGED_ROLE_ADMINISTRATOR, wrongRole: R.GLOBAL_READER };
const READERS = { role: R.GLOBAL_READER, wrongRole: R.HELPDESK_ADMINISTRATOR };

async function ok(env: WalkEnv, method: Method, url: string, body?: unknown) {
  const res = await call(env.s, method, url, env.admin, body);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.body === '' ? {} : res.json<Record<string, unknown>>();
}

/** Decision hooks (ADR 0025): the same writers and readers as role settings. */
const HOOKS = '/v1.0/elevate/decisionHooks';
const HOOK = {
  displayName: 'Walk',
  url: WEBHOOK_URL,
  secret: `whsec_${Buffer.from('walk-decision-hook-secret-0123456').toString('base64')}`,
};

const decisionHook = async (env: WalkEnv) => String((await ok(env, 'POST', HOOKS, HOOK)).id);

const webhook = async (env: WalkEnv) =>
  String((await ok(env, 'POST', `${BASE}/webhooks`, { url: WEBHOOK_URL })).id);

const chatChannel = async (env: WalkEnv) =>
  String(
    (await ok(env, 'POST', `${BASE}/chatChannels`, { kind: 'slack', displayName: 'walk', url: WEBHOOK_URL }))
      .id,
  );

const emailChannel = (env: WalkEnv) =>
  ok(env, 'PATCH', `${BASE}/email`, {
    host: 'smtp.contoso.test',
    port: 587,
    security: 'starttls',
    fromAddress: 'pim@contoso.test',
  });

/**
 * One delivery, made as in production: a webhook endpoint, a PIM assignment whose event the outbox
 * hands to the notifications fan-out. `dead` puts it in the state a retry needs.
 */
async function delivery(env: WalkEnv, dead: boolean): Promise<string> {
  await webhook(env);
  await ok(env, 'POST', `${ROLES}/roleAssignmentScheduleRequests`, {
    action: 'adminAssign',
    principalId: (await createUser(env.s, env.admin)).id,
    roleDefinitionId: R.HELPDESK_ADMINISTRATOR,
    directoryScopeId: '/',
    justification: 'notification walk',
    scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
  });
  await env.s.outbox.runOnce();
  const row = await env.s.db.kysely
    .selectFrom('notification_deliveries')
    .select('id')
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  if (dead) {
    await env.s.db.kysely
      .updateTable('notification_deliveries')
      .set({ status: 'dead' })
      .where('id', '=', row.id)
      .execute();
  }
  return row.id;
}

export function notificationRoutes(env: WalkEnv): WalkRoute[] {
  return [
    {
      method: 'GET',
      path: `${BASE}/email`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/email` }),
    },
    {
      method: 'PATCH',
      path: `${BASE}/email`,
      ...WRITERS,
      status: 200,
      own: async () => ({
        url: `${BASE}/email`,
        body: { host: 'smtp.contoso.test', port: 587, security: 'starttls', fromAddress: 'pim@contoso.test' },
      }),
    },
    {
      method: 'DELETE',
      path: `${BASE}/email`,
      ...WRITERS,
      status: 204,
      own: async () => {
        await emailChannel(env);
        return { url: `${BASE}/email` };
      },
    },
    {
      method: 'GET',
      path: `${BASE}/webhooks`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/webhooks` }),
    },
    {
      method: 'POST',
      path: `${BASE}/webhooks`,
      ...WRITERS,
      status: 201,
      own: async () => ({ url: `${BASE}/webhooks`, body: { url: WEBHOOK_URL } }),
    },
    {
      method: 'GET',
      path: `${BASE}/webhooks/{id}`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/webhooks/${await webhook(env)}` }),
    },
    {
      method: 'PATCH',
      path: `${BASE}/webhooks/{id}`,
      ...WRITERS,
      status: 200,
      own: async () => ({ url: `${BASE}/webhooks/${await webhook(env)}`, body: { description: 'walked' } }),
    },
    {
      method: 'DELETE',
      path: `${BASE}/webhooks/{id}`,
      ...WRITERS,
      status: 204,
      own: async () => ({ url: `${BASE}/webhooks/${await webhook(env)}` }),
    },
    {
      method: 'POST',
      path: `${BASE}/webhooks/{id}/rotateSecret`,
      ...WRITERS,
      status: 200,
      own: async () => ({ url: `${BASE}/webhooks/${await webhook(env)}/rotateSecret`, body: {} }),
    },
    {
      method: 'GET',
      path: `${BASE}/chatChannels`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/chatChannels` }),
    },
    {
      method: 'POST',
      path: `${BASE}/chatChannels`,
      ...WRITERS,
      status: 201,
      own: async () => ({
        url: `${BASE}/chatChannels`,
        body: { kind: 'teams', displayName: 'walk', url: WEBHOOK_URL },
      }),
    },
    {
      method: 'GET',
      path: `${BASE}/chatChannels/{id}`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/chatChannels/${await chatChannel(env)}` }),
    },
    {
      method: 'PATCH',
      path: `${BASE}/chatChannels/{id}`,
      ...WRITERS,
      status: 200,
      own: async () => ({
        url: `${BASE}/chatChannels/${await chatChannel(env)}`,
        body: { displayName: 'walked' },
      }),
    },
    {
      method: 'DELETE',
      path: `${BASE}/chatChannels/{id}`,
      ...WRITERS,
      status: 204,
      own: async () => ({ url: `${BASE}/chatChannels/${await chatChannel(env)}` }),
    },
    {
      method: 'GET',
      path: `${BASE}/deliveries`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/deliveries` }),
    },
    {
      method: 'GET',
      path: `${BASE}/deliveries/{id}`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/deliveries/${await delivery(env, false)}` }),
    },
    {
      method: 'POST',
      path: `${BASE}/deliveries/{id}/retry`,
      ...WRITERS,
      status: 204,
      own: async () => ({ url: `${BASE}/deliveries/${await delivery(env, true)}/retry` }),
    },
    {
      method: 'GET',
      path: HOOKS,
      ...READERS,
      status: 200,
      own: async () => ({ url: HOOKS }),
    },
    {
      method: 'POST',
      path: HOOKS,
      ...WRITERS,
      status: 201,
      own: async () => ({ url: HOOKS, body: HOOK }),
    },
    {
      method: 'GET',
      path: `${HOOKS}/{id}`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${HOOKS}/${await decisionHook(env)}` }),
    },
    {
      method: 'PATCH',
      path: `${HOOKS}/{id}`,
      ...WRITERS,
      status: 200,
      own: async () => ({ url: `${HOOKS}/${await decisionHook(env)}`, body: { displayName: 'walked' } }),
    },
    {
      method: 'DELETE',
      path: `${HOOKS}/{id}`,
      ...WRITERS,
      status: 204,
      own: async () => ({ url: `${HOOKS}/${await decisionHook(env)}` }),
    },
  ];
}
