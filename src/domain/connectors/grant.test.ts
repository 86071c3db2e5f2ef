import { describe, expect, it } from 'vitest';
import { backoffMs, planReconcile, type DesiredGrant, type TargetGrantRecord } from './grant.js';

const desired = (principalId: string, login: string, target = 'dba', mappingId = 'm1'): DesiredGrant => ({
  mappingId,
  principalId,
  login,
  target,
  scheduleId: null,
  requestedAt: null,
  approvedAt: null,
});

const record = (
  principalId: string,
  login: string,
  state: TargetGrantRecord['state'],
  o: Partial<TargetGrantRecord> = {},
): TargetGrantRecord => ({
  id: `r-${principalId}`,
  tenantId: 't',
  connectorId: 'c',
  mappingId: 'm1',
  principalId,
  login,
  target: 'dba',
  state,
  adopted: false,
  scheduleId: null,
  requestedAt: null,
  approvedAt: null,
  effectiveAt: null,
  endedAt: null,
  revokedAt: null,
  createdAt: 0,
  version: 1,
  ...o,
});

describe('planReconcile', () => {
  it('grants what is desired and not owned; adopts what the target already had', () => {
    const plan = planReconcile(
      [desired('u1', 'alice'), desired('u2', 'bob')],
      [],
      [{ target: 'dba', login: 'bob' }],
      ['dba'],
    );
    expect(plan.grant.map((g) => [g.desired.login, g.adopt, g.drifted])).toEqual([
      ['alice', false, false],
      ['bob', true, false],
    ]);
    expect(plan.revoke).toEqual([]);
    expect(plan.unmanaged).toEqual([]);
  });

  it('finishes an unfinished grant (crash between record and target) and repairs a removed one as drift', () => {
    const plan = planReconcile(
      [desired('u1', 'alice'), desired('u2', 'bob')],
      [record('u1', 'alice', 'granting'), record('u2', 'bob', 'granted')],
      [],
      ['dba'],
    );
    expect(plan.grant.map((g) => [g.desired.login, g.drifted])).toEqual([
      ['alice', false],
      ['bob', true],
    ]);
  });

  it('leaves a confirmed grant alone', () => {
    const plan = planReconcile(
      [desired('u1', 'alice')],
      [record('u1', 'alice', 'granted')],
      [{ target: 'dba', login: 'alice' }],
      ['dba'],
    );
    expect(plan).toEqual({ grant: [], revoke: [], unmanaged: [] });
  });

  it('revokes owned grants no longer held (also unfinished ones), never in the target what was adopted or is still needed', () => {
    const plan = planReconcile(
      [desired('u3', 'carol', 'dba', 'm2')],
      [
        record('u1', 'alice', 'granted'),
        record('u2', 'bob', 'granting'),
        record('u4', 'dave', 'granted', { adopted: true }),
        record('u3', 'carol', 'granted'),
        record('u5', 'erin', 'revoked'),
      ],
      [{ target: 'dba', login: 'carol' }],
      ['dba'],
    );
    expect(plan.revoke.map((r) => [r.record.login, r.inTarget])).toEqual([
      ['alice', true],
      ['bob', true],
      ['dave', false],
      ['carol', false],
    ]);
  });

  it('reports members of mapped targets that nothing owns, and ignores targets not mapped', () => {
    const plan = planReconcile(
      [],
      [],
      [
        { target: 'dba', login: 'mallory' },
        { target: 'other', login: 'trent' },
      ],
      ['dba'],
    );
    expect(plan.unmanaged).toEqual([{ target: 'dba', login: 'mallory' }]);
    expect(plan.revoke).toEqual([]);
  });
});

describe('backoffMs', () => {
  it.each([
    [0, 0],
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [9, 256_000],
    [10, 300_000],
    [1_000, 300_000],
  ])('after %i failures waits %i ms', (failures, ms) => {
    expect(backoffMs(failures, 1_000, 300_000)).toBe(ms);
  });
});
