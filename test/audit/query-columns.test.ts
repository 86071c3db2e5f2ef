import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_ACTIVITIES } from '../../src/domain/audit/activities.js';
import { auditDraft } from '../../src/domain/audit/draft.js';
import type { AuditDraft } from '../../src/domain/audit/entry.js';
import { newId } from '../../src/domain/shared/ids.js';
import type { AuditEntryRow, AuditTargetRow } from '../../src/store/schema.js';
import { dialectName } from '../helpers/db.js';
import { auditFixture, T0, type AuditFixture } from './support.js';

const TENANT = '11111111-1111-4111-8111-111111111111';
const ADA = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const APP = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

/** An entry with every query column filled: a user initiator, an app's id, a correlation id, two targets. */
const richDraft = (n: number, by: 'user' | 'app'): AuditDraft =>
  auditDraft({
    id: newId(),
    tenantId: TENANT,
    now: T0 + n,
    activity: AUDIT_ACTIVITIES.userUpdate,
    initiatedBy:
      by === 'user'
        ? {
            user: {
              id: ADA,
              displayName: 'Ada',
              userPrincipalName: 'ada@contoso.test',
              ipAddress: '10.0.0.1',
            },
            app: null,
          }
        : {
            user: null,
            app: {
              appId: APP,
              displayName: 'Robot',
              servicePrincipalId: newId(),
              servicePrincipalName: 'Robot',
              ipAddress: null,
            },
          },
    context: { userAgent: 'test', amr: ['pwd'], correlationId: newId() },
    targets: [
      {
        id: newId(),
        displayName: `user ${n}`,
        type: 'User',
        userPrincipalName: null,
        modifiedProperties: [],
      },
      { id: newId(), displayName: 'Readers', type: 'Group', userPrincipalName: null, modifiedProperties: [] },
    ],
  });

const failure = (r: { ok: boolean; firstBadSeq?: number; reason?: string }) =>
  r.ok ? { ok: true } : { reason: r.reason, firstBadSeq: r.firstBadSeq };

/**
 * Issue 10 item 7: every column an auditor filters or orders on is covered by the hash chain.
 * Someone with database write access who edits one (to hide an entry from a filter, or to pin it
 * on someone else) is reported by `verify`, naming the entry.
 */
describe(`audit query columns are bound to the chain on ${dialectName}`, () => {
  let f: AuditFixture;
  beforeEach(async () => {
    f = await auditFixture();
    for (let n = 1; n <= 6; n += 1)
      await f.uow.run((tx) => tx.audit.append(richDraft(n, n % 2 === 0 ? 'app' : 'user')));
  });
  afterEach(() => f.close());

  const k = () => f.db.kysely;
  const setEntry = (seq: number, values: Partial<AuditEntryRow>) =>
    k()
      .updateTable('audit_entries')
      .set(values)
      .where('tenant_id', '=', TENANT)
      .where('seq', '=', seq)
      .execute();
  const setUserTarget = (seq: number, values: Partial<AuditTargetRow>) =>
    k()
      .updateTable('audit_targets')
      .set(values)
      .where('tenant_id', '=', TENANT)
      .where('seq', '=', seq)
      .where('target_type', '=', 'User')
      .execute();
  const setTargets = (seq: number, values: Partial<AuditTargetRow>) =>
    k()
      .updateTable('audit_targets')
      .set(values)
      .where('tenant_id', '=', TENANT)
      .where('seq', '=', seq)
      .execute();

  it('an untouched chain verifies', async () => {
    expect(await f.log.verifyTenant(TENANT)).toMatchObject({ ok: true, count: 6 });
  });

  it.each<[string, number, () => Promise<unknown>, string]>([
    [
      'an edited activity_display_name',
      3,
      () => setEntry(3, { activity_display_name: 'Update group' }),
      'activity_display_name',
    ],
    ['an edited activity_at', 3, () => setEntry(3, { activity_at: T0 - 86_400_000 }), 'activity_at'],
    ['an edited code', 3, () => setEntry(3, { code: 'group.update' }), 'code'],
    ['an edited category', 3, () => setEntry(3, { category: 'GroupManagement' }), 'category'],
    ['an edited operation_type', 3, () => setEntry(3, { operation_type: 'Delete' }), 'operation_type'],
    [
      'an edited logged_by_service',
      3,
      () => setEntry(3, { logged_by_service: 'Privileged Identity Management' }),
      'logged_by_service',
    ],
    ['an edited result', 3, () => setEntry(3, { result: 'failure' }), 'result'],
    [
      'an edited initiated_by_user_id',
      3,
      () => setEntry(3, { initiated_by_user_id: newId() }),
      'initiated_by_user_id',
    ],
    [
      'an edited initiated_by_upn',
      3,
      () => setEntry(3, { initiated_by_upn: 'mallory@contoso.test' }),
      'initiated_by_upn',
    ],
    [
      'an edited initiated_by_app_id',
      4,
      () => setEntry(4, { initiated_by_app_id: null }),
      'initiated_by_app_id',
    ],
    ['an edited correlation_id', 4, () => setEntry(4, { correlation_id: null }), 'correlation_id'],
    ['an edited id', 4, () => setEntry(4, { id: newId() }), 'id'],
    ['an edited audit_targets target_id', 5, () => setUserTarget(5, { target_id: newId() }), 'audit_targets'],
    [
      'an edited audit_targets display_name',
      5,
      () => setTargets(5, { display_name: 'someone else' }),
      'audit_targets',
    ],
    [
      'an edited audit_targets target_type',
      5,
      () => setTargets(5, { target_type: 'ServicePrincipal' }),
      'audit_targets',
    ],
    [
      'deleted audit_targets rows',
      5,
      () => k().deleteFrom('audit_targets').where('tenant_id', '=', TENANT).where('seq', '=', 5).execute(),
      'audit_targets',
    ],
    [
      'an added audit_targets row',
      2,
      () =>
        k()
          .insertInto('audit_targets')
          .values({ tenant_id: TENANT, seq: 2, target_id: ADA, target_type: 'User', display_name: 'Ada' })
          .execute(),
      'audit_targets',
    ],
    ['chain_format downgraded to 1', 4, () => setEntry(4, { chain_format: 1 }), 'chain_format'],
  ])('catches %s, naming the entry', async (_name, seq, tamper, column) => {
    await tamper();
    const result = await f.log.verifyTenant(TENANT);
    expect(failure(result)).toEqual({ reason: 'altered', firstBadSeq: seq });
    expect(result.ok ? '' : result.message).toContain(column);
  });
});
