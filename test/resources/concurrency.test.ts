// Invariant 4 for resource roles with real concurrency (PostgreSQL): many simultaneous ARM
// SelfActivate requests backed by one inherited eligibility give exactly one activation; the others
// re-evaluate against it and get RoleAssignmentExists in ARM's envelope.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { postgresOnly } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';
import { defaultPolicyRules } from '../../src/domain/policy/default-rules.js';
import { findRule } from '../../src/domain/policy/types.js';
import { adminAt, appAt, inTx, newId, pimServer, type ManualClock } from '../pim/support.js';
import { CONTRIBUTOR, register, send } from './support.js';

const SUB = '/subscriptions/s1';
const RG = `${SUB}/resourceGroups/rg1`;
const AUTH = 'providers/Microsoft.Authorization';
const V = 'api-version=2020-10-01';

describe(
  'concurrent activations of one resource-role eligibility (PostgreSQL)',
  skipFor(postgresOnly),
  () => {
    let s: TestServer;
    let clock: ManualClock;

    beforeEach(async () => {
      ({ s, clock } = await pimServer());
    });
    afterEach(async () => s.close());

    it('20 concurrent SelfActivate at rg1 backed by an eligibility at s1: one 201, 19 RoleAssignmentExists', async () => {
      const admin = await adminAt(s, clock);
      const workload = await appAt(s, clock);
      await register(s, admin, '/subscriptions', SUB, `${SUB}/resourceGroups`, RG);
      const rules = defaultPolicyRules();
      findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification'];
      await inTx(s, (tx) =>
        tx.policies.insert({
          id: newId(),
          tenantId: s.boot.tenantId,
          scopeId: SUB,
          scopeType: 'Resource',
          roleDefinitionId: CONTRIBUTOR,
          displayName: 'Contributor',
          description: 'Contributor',
          isOrganizationDefault: false,
          rules,
          lastModifiedAt: null,
          lastModifiedBy: null,
          version: 1,
        }),
      );
      const roleDefinitionId = `/${AUTH}/roleDefinitions/${CONTRIBUTOR}`;
      const eligible = await send(
        s,
        'PUT',
        `${SUB}/${AUTH}/roleEligibilityScheduleRequests/${randomUUID()}?${V}`,
        admin,
        {
          properties: {
            principalId: workload.servicePrincipalId,
            roleDefinitionId,
            requestType: 'AdminAssign',
            justification: 'eligible',
            scheduleInfo: { expiration: { type: 'NoExpiration' } },
          },
        },
      );
      expect(eligible.statusCode, eligible.body).toBe(201);
      const headers = await workload.headers();
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          send(s, 'PUT', `${RG}/${AUTH}/roleAssignmentScheduleRequests/${randomUUID()}?${V}`, headers, {
            properties: {
              principalId: workload.servicePrincipalId,
              roleDefinitionId,
              requestType: 'SelfActivate',
              justification: 'incident',
              scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'PT1H' } },
            },
          }),
        ),
      );
      const outcome = results.map((r) =>
        r.statusCode === 201 ? 201 : `${r.statusCode} ${r.json<{ error: { code: string } }>().error.code}`,
      );
      expect(outcome.filter((o) => o === 201)).toHaveLength(1);
      expect(outcome.filter((o) => o === '400 RoleAssignmentExists')).toHaveLength(19);
      const active = await s.db.kysely
        .selectFrom('pim_schedules')
        .select('id')
        .where('kind', '=', 'assignment')
        .where('directory_scope_id', '=', RG)
        .execute();
      expect(active).toHaveLength(1);
    });
  },
);
