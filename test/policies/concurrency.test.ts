import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../src/app/authorization/caller.js';
import type { UnitOfWork } from '../../src/app/ports.js';
import { makeRolePolicies } from '../../src/app/policies/role-policies.js';
import { ConflictError } from '../../src/domain/shared/errors.js';
import { newId } from '../../src/domain/shared/ids.js';
import { systemClock } from '../../src/domain/time/clock.js';
import { buildApp } from '../../src/http/app.js';
import { FEATURE_ROUTES } from '../../src/modules/index.js';
import type { Services } from '../../src/http/services.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { dialectName } from '../helpers/db.js';
import { PUBLIC_URL, testServer, type TestServer } from '../helpers/server.js';
import {
  call,
  expectGraphError,
  GLOBAL_ADMINISTRATOR,
  POLICIES,
  policyIdOf,
  storedPolicy,
  type Headers,
} from './support.js';

const EXPIRATION = '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule';
const RULE = 'Expiration_Admin_Assignment';

const auditCount = async (s: TestServer, tenantId: string) =>
  (await createUnitOfWork(s.db).run((tx) => tx.audit.chain(tenantId, 0, 10_000))).filter((r) =>
    r.payload.includes('"Update role setting in PIM"'),
  ).length;

describe(`concurrent changes to one policy (${dialectName})`, () => {
  let s: TestServer;
  let h: Headers;
  let policyId: string;

  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
    policyId = await policyIdOf(s, h, GLOBAL_ADMINISTRATOR);
  });
  afterAll(() => s.close());

  it('the store writes only over the version it was given (compare-and-set)', async () => {
    const uow = createUnitOfWork(s.db);
    const p = await storedPolicy(s, s.boot.tenantId, GLOBAL_ADMINISTRATOR);
    await uow.run((tx) => tx.policies.update({ ...p, version: p.version + 1 }, p.version));
    await expect(uow.run((tx) => tx.policies.update(p, p.version))).rejects.toBeInstanceOf(ConflictError);
    expect((await storedPolicy(s, s.boot.tenantId, GLOBAL_ADMINISTRATOR)).version).toBe(p.version + 1);
  });

  it('a PATCH based on a stale read loses with 409 and changes nothing', async () => {
    const stale = await storedPolicy(s, s.boot.tenantId, GLOBAL_ADMINISTRATOR);
    const audited = await auditCount(s, s.boot.tenantId);

    // Another administrator changes the policy after our read…
    const winner = await call(s, 'PATCH', `${POLICIES}/${policyId}/rules/${RULE}`, h, {
      '@odata.type': EXPIRATION,
      isExpirationRequired: true,
      maximumDuration: 'P10D',
    });
    expect(winner.statusCode, winner.body).toBe(204);
    const afterWinner = await storedPolicy(s, s.boot.tenantId, GLOBAL_ADMINISTRATOR);

    // …and our write, computed from the stale read, arrives over HTTP.
    const uow = createUnitOfWork(s.db);
    const staleReads: UnitOfWork = {
      run: (work) => uow.run((tx) => work({ ...tx, policies: { ...tx.policies, get: async () => stale } })),
      read: (work) => uow.read(work),
    };
    const caller: Caller = {
      kind: 'app',
      tenantId: s.boot.tenantId,
      id: s.boot.app.servicePrincipalId,
      appId: s.boot.app.clientId,
      appPermissions: ['RoleManagementPolicy.ReadWrite.Directory'],
      amr: [],
      authTimeMs: null,
      ipAddress: null,
      userAgent: null,
      correlationId: null,
    };
    const services = {
      authenticate: async () => caller,
      ready: async () => ({ ready: true }),
      rolePolicies: makeRolePolicies({ uow: staleReads, clock: systemClock, newId }),
    } as unknown as Services;
    const app = await buildApp({
      clock: systemClock,
      logger: false,
      publicUrl: PUBLIC_URL,
      services,
      routes: FEATURE_ROUTES,
    });
    try {
      const loser = await call(
        { app },
        'PATCH',
        `${POLICIES}/${policyId}/rules/${RULE}`,
        { authorization: 'Bearer x' },
        {
          '@odata.type': EXPIRATION,
          isExpirationRequired: true,
          maximumDuration: 'P20D',
        },
      );
      expectGraphError(loser, 409, 'conflict');
      const policyPatch = await call(
        { app },
        'PATCH',
        `${POLICIES}/${policyId}`,
        { authorization: 'Bearer x' },
        {
          rules: [{ '@odata.type': EXPIRATION, id: RULE, maximumDuration: 'P30D' }],
        },
      );
      expectGraphError(policyPatch, 409, 'conflict');
    } finally {
      await app.close();
    }
    expect(await storedPolicy(s, s.boot.tenantId, GLOBAL_ADMINISTRATOR)).toStrictEqual(afterWinner);
    expect(await auditCount(s, s.boot.tenantId)).toBe(audited + 1);
  });

  it('parallel PATCHes: each one wins or gets 409, and no win is lost', async () => {
    const before = await storedPolicy(s, s.boot.tenantId, GLOBAL_ADMINISTRATOR);
    const audited = await auditCount(s, s.boot.tenantId);
    const durations = Array.from({ length: 8 }, (_, i) => `P${i + 2}D`);
    const results = await Promise.all(
      durations.map((maximumDuration) =>
        call(s, 'PATCH', `${POLICIES}/${policyId}/rules/${RULE}`, h, {
          '@odata.type': EXPIRATION,
          isExpirationRequired: true,
          maximumDuration,
        }),
      ),
    );
    for (const res of results) {
      if (res.statusCode !== 204) expectGraphError(res, 409, 'conflict');
    }
    const won = results.filter((res) => res.statusCode === 204).length;
    expect(won).toBeGreaterThanOrEqual(1);
    const after = await storedPolicy(s, s.boot.tenantId, GLOBAL_ADMINISTRATOR);
    expect(after.version).toBe(before.version + won);
    expect(await auditCount(s, s.boot.tenantId)).toBe(audited + won);
    const rule = after.rules.find((r) => r.id === RULE);
    const winners = durations.filter((_, i) => results[i]?.statusCode === 204);
    expect(winners).toContain(rule && 'maximumDuration' in rule ? rule.maximumDuration : undefined);
  });
});
