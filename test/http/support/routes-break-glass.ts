import { expect } from 'vitest';
import { newId } from '../../../src/domain/shared/ids.js';
import * as R from '../../../src/domain/roles/built-in-role-ids.js';
import { inTx } from '../../pim/support.js';
import { createUser } from './fixtures.js';
import { call } from './graph.js';
import type { WalkEnv, WalkRoute } from './routes-pim-policy-audit.js';

const BASE = '/v1.0/elevate/breakGlassAccounts';

/** Break-glass accounts (ADR 0033): security and role readers read; role administrators mark. */
const READERS = { role: R.SECURITY_READER, wrongRole: R.REPORTS_READER };
const WRITERS = { role: R.PRIVILEGED_ROLE_ADMINISTRATOR, wrongRole: R.SECURITY_ADMINISTRATOR };

export function breakGlassRoutes(env: WalkEnv): WalkRoute[] {
  /** Marks `userId` (a fresh user when none) as the bootstrap app; returns the id. */
  const marked = async (userId?: string) => {
    const id = userId ?? (await createUser(env.s, env.admin)).id;
    const res = await call(env.s, 'POST', BASE, env.admin, { userId: id });
    expect([201, 400], res.body).toContain(res.statusCode); // 400: already marked (the same caller again)
    return id;
  };
  /** A use of the account, not yet justified, as a sign-in would record it. */
  const use = async (userId: string) => {
    const id = newId();
    await inTx(env.s, (tx) =>
      tx.breakGlass.addUse({
        tenantId: env.s.boot.tenantId,
        id,
        userId,
        usedAt: env.clock.now(),
        method: 'password',
        justification: null,
        isTest: false,
        justifiedAt: null,
      }),
    );
    return id;
  };
  return [
    { method: 'GET', path: BASE, ...READERS, status: 200, own: async () => ({ url: BASE }) },
    {
      method: 'POST',
      path: BASE,
      ...WRITERS,
      status: 201,
      own: async () => ({ url: BASE, body: { userId: (await createUser(env.s, env.admin)).id } }),
    },
    {
      method: 'GET',
      path: `${BASE}/{id}`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/${await marked()}` }),
    },
    {
      method: 'DELETE',
      path: `${BASE}/{id}`,
      ...WRITERS,
      status: 204,
      own: async () => ({ url: `${BASE}/${await marked()}` }),
    },
    {
      method: 'GET',
      path: `${BASE}/{id}/uses`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/${await marked()}/uses` }),
    },
    {
      // Only the account itself justifies its uses: any signed-in user, for their own use.
      method: 'POST',
      path: `${BASE}/{id}/uses/{useId}/justify`,
      status: 204,
      own: async (caller) => {
        await marked(caller.id);
        return {
          url: `${BASE}/${caller.id}/uses/${await use(caller.id)}/justify`,
          body: { justification: 'quarterly test', isTest: true },
        };
      },
    },
  ];
}
