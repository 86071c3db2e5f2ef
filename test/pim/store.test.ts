// The read API later work builds on (AuthZEN, authorize): `activeAssignment` is exact at the
// millisecond, covers groups and direct assignments, and runs on an index.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Schedule } from '../../src/domain/pim/schedule.js';
import { sqliteOnly } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';
import type { TestServer } from '../helpers/server.js';
import {
  addGroup,
  addUser,
  GLOBAL_ADMINISTRATOR,
  HOUR,
  inTx,
  newId,
  NOW,
  pimServer,
  USER_ADMINISTRATOR,
} from './support.js';

function assignment(s: TestServer, principalId: string, over: Partial<Schedule> = {}): Schedule {
  const id = newId();
  return {
    id,
    tenantId: s.boot.tenantId,
    kind: 'assignment',
    resourceType: 'directoryRole',
    origin: 'pim',
    principalId,
    principalType: 'user',
    roleDefinitionId: USER_ADMINISTRATOR,
    directoryScopeId: '/',
    appScopeId: null,
    window: { start: NOW, end: NOW + HOUR },
    status: 'Provisioned',
    memberType: 'Direct',
    assignmentType: 'Activated',
    createdUsing: id,
    activatedUsing: null,
    instanceId: `${id}-instance`,
    createdAt: NOW,
    modifiedAt: NOW,
    expiryRecordedAt: null,
    version: 1,
    ...over,
  };
}

describe('ScheduleStore.activeAssignment', () => {
  let s: TestServer;

  beforeEach(async () => {
    ({ s } = await pimServer());
  });
  afterEach(async () => s.close());

  it('holds on [start, end) for the principal or any of its groups; direct assignments first', async () => {
    const user = await addUser(s);
    const group = await addGroup(s, [user]);
    const tenant = s.boot.tenantId;
    const mine = assignment(s, user, { window: { start: NOW + HOUR, end: NOW + 2 * HOUR } });
    const groups = assignment(s, group, {
      principalType: 'group',
      assignmentType: 'Assigned',
      window: { start: NOW, end: NOW + 3 * HOUR },
    });
    await inTx(s, async (tx) => {
      await tx.schedules.insert(mine);
      await tx.schedules.insert(groups);
    });
    const at = (t: number, principals = [user, group], role = USER_ADMINISTRATOR) =>
      inTx(s, (tx) => tx.schedules.activeAssignment(tenant, principals, role, '/', t));

    expect(await at(NOW - 1)).toBeUndefined();
    expect(await at(NOW)).toMatchObject({
      principalId: group,
      scheduleId: groups.id,
      endDateTime: NOW + 3 * HOUR,
    });
    expect(await at(NOW, [user])).toBeUndefined();
    expect(await at(NOW + HOUR, [user])).toMatchObject({ scheduleId: mine.id, id: mine.instanceId });
    expect(await at(NOW + 2 * HOUR - 1, [user])).toMatchObject({ scheduleId: mine.id });
    expect(await at(NOW + 2 * HOUR, [user])).toBeUndefined();
    // The one ending last wins when several hold.
    expect(await at(NOW + HOUR)).toMatchObject({ scheduleId: groups.id });
    expect(await at(NOW + 3 * HOUR)).toBeUndefined();
    expect(await at(NOW, [user, group], GLOBAL_ADMINISTRATOR)).toBeUndefined();
    expect(
      await inTx(s, (tx) => tx.schedules.activeAssignment(tenant, [], USER_ADMINISTRATOR, '/', NOW)),
    ).toBeUndefined();

    // The bootstrap administrator's direct Global Administrator assignment: permanent, Direct.
    const direct = await inTx(s, (tx) =>
      tx.schedules.activeAssignment(tenant, [s.boot.admin.id], GLOBAL_ADMINISTRATOR, '/', NOW),
    );
    expect(direct).toMatchObject({
      origin: 'direct',
      assignmentType: 'Assigned',
      memberType: 'Direct',
      startDateTime: null,
      endDateTime: null,
    });
    // Another tenant sees nothing of this one.
    const other = await s.otherTenant();
    expect(
      await inTx(s, (tx) =>
        tx.schedules.activeAssignment(other.tenantId, [user, group], USER_ADMINISTRATOR, '/', NOW),
      ),
    ).toBeUndefined();
  });

  it('the hot reads use their indexes (SQLite query plans)', skipFor(sqliteOnly), async () => {
    const k = s.db.kysely;
    const plan = async (q: { compile(): { sql: string; parameters: readonly unknown[] } }) => {
      const { sql: text, parameters } = q.compile();
      let i = 0;
      const inlined = text.replace(/\?/g, () => {
        const value = parameters[i++];
        return typeof value === 'number' ? String(value) : `'${String(value)}'`;
      });
      const rows = await sql<{ detail: string }>`explain query plan ${sql.raw(inlined)}`.execute(k);
      return rows.rows.map((r) => r.detail).join(' | ');
    };
    const pimActive = k
      .selectFrom('pim_schedules')
      .selectAll()
      .where('tenant_id', '=', 't')
      .where('kind', '=', 'assignment')
      .where('principal_id', 'in', ['a', 'b'])
      .where('role_definition_id', '=', 'r')
      .where('directory_scope_id', '=', '/')
      .where('start_at', '<=', 1)
      .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', 1)]));
    expect(await plan(pimActive)).toContain('USING INDEX pim_schedules_slot_idx');
    const due = k
      .selectFrom('pim_schedules')
      .select('id')
      .where('expiry_recorded_at', 'is', null)
      .where('end_at', '<=', 1);
    expect(await plan(due)).toContain('USING INDEX pim_schedules_expiry_idx');
  });
});
