import { expect } from 'vitest';
import * as R from '../../../src/domain/roles/built-in-role-ids.js';
import { call } from './graph.js';
import type { WalkEnv, WalkRoute } from './routes-pim-policy-audit.js';

/** Shared Signals streams (ADR 0040): role administrators write, Global Reader reads. */
const WRITERS = { role: R.PRIVILEGED_ROLE_ADMINISTRATOR, wrongRole: R.GLOBAL_READER };
const READERS = { role: R.GLOBAL_READER, wrongRole: R.HELPDESK_ADMINISTRATOR };
/** Asks for no events: the walk's PIM ends write no SETs, and nothing is pushed anywhere. */
const STREAM = {
  delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://receiver.invalid/events' },
  events_requested: [],
};

/** Keeps the walk's tenant under its limit of 20 streams: the walk creates one per call. */
async function prune(env: WalkEnv): Promise<void> {
  const existing = (await call(env.s, 'GET', '/ssf/streams', env.admin)).json<{ stream_id: string }[]>();
  if (existing.length < 10) return;
  for (const { stream_id } of existing)
    await call(env.s, 'DELETE', `/ssf/streams?stream_id=${stream_id}`, env.admin);
}

/** A fresh stream (verification is paced per stream). */
async function stream(env: WalkEnv): Promise<string> {
  await prune(env);
  const res = await call(env.s, 'POST', '/ssf/streams', env.admin, STREAM);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ stream_id: string }>().stream_id;
}

export function ssfRoutes(env: WalkEnv): WalkRoute[] {
  return [
    {
      method: 'GET',
      path: '/ssf/streams',
      ...READERS,
      status: 200,
      own: async () => ({ url: '/ssf/streams' }),
    },
    {
      method: 'POST',
      path: '/ssf/streams',
      ...WRITERS,
      status: 201,
      own: async () => {
        await prune(env);
        return { url: '/ssf/streams', body: STREAM };
      },
    },
    {
      method: 'PATCH',
      path: '/ssf/streams',
      ...WRITERS,
      status: 200,
      own: async () => ({
        url: '/ssf/streams',
        body: { stream_id: await stream(env), description: 'walked' },
      }),
    },
    {
      method: 'DELETE',
      path: '/ssf/streams',
      ...WRITERS,
      status: 204,
      own: async () => ({ url: `/ssf/streams?stream_id=${await stream(env)}` }),
    },
    {
      method: 'GET',
      path: '/ssf/status',
      ...READERS,
      status: 200,
      own: async () => ({ url: `/ssf/status?stream_id=${await stream(env)}` }),
    },
    {
      method: 'POST',
      path: '/ssf/status',
      ...WRITERS,
      status: 200,
      own: async () => ({ url: '/ssf/status', body: { stream_id: await stream(env), status: 'paused' } }),
    },
    {
      method: 'POST',
      path: '/ssf/verify',
      ...WRITERS,
      status: 204,
      own: async () => ({ url: '/ssf/verify', body: { stream_id: await stream(env) } }),
    },
  ];
}
