// The expiry sweeper records what time already decided: status Expired and one audit entry per
// ended schedule, idempotently; two sweepers at once record each expiry exactly once (PostgreSQL).
import type { KyselyPlugin } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeExpiryRecorder } from '../../src/app/pim/expiry.js';
import { subjectOf } from '../../src/app/pim/principals.js';
import { auditDraft, SYSTEM_INITIATOR } from '../../src/domain/audit/draft.js';
import { entryFromPayload } from '../../src/domain/audit/hash.js';
import { expiredActivity } from '../../src/domain/pim/activities.js';
import { scheduleExpired } from '../../src/domain/pim/pim-events.js';
import type { Schedule } from '../../src/domain/pim/schedule.js';
import { createExpirySweeper } from '../../src/jobs/expiry-sweeper.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { fromRow as scheduleFromRow } from '../../src/store/pim/schedule-codecs.js';
import { postgresOnly } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';
import type { TestServer } from '../helpers/server.js';
import {
  addGroup,
  addUser,
  adminAt,
  auditOf,
  eligibleForever,
  HOUR,
  inTx,
  ManualClock,
  newId,
  NOW,
  pimServer,
  useCases,
  userCaller,
  USER_ADMINISTRATOR,
} from './support.js';

const EXPIRED_ACTIVATION = 'Remove member from role (PIM activation expired)';
const GLOBAL_READER = 'f2ef992c-3afb-46b9-b7cf-a126ee74c451';
const SECURITY_READER = '5d6b6bb7-de71-4623-b4af-96380a352509';

/** Counts the statements a Kysely handle executes (transaction control is not a statement). */
function statementCounter(): { plugin: KyselyPlugin; count: () => number } {
  let n = 0;
  return {
    plugin: {
      transformQuery: (args) => args.node,
      transformResult: async (args) => ((n += 1), args.result),
    },
    count: () => n,
  };
}

/** A PIM schedule straight in the store (many at once, without going through requests). */
function schedule(s: TestServer, principalId: string, over: Partial<Schedule> = {}): Schedule {
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
    instanceId: newId(),
    createdAt: NOW,
    modifiedAt: NOW,
    expiryRecordedAt: null,
    version: 1,
    ...over,
  };
}

describe('expiry sweeper', () => {
  let s: TestServer;
  let clock: ManualClock;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
  });
  afterEach(async () => s.close());

  it('records each ended schedule once, with status Expired and the Entra activity; reads never waited for it', async () => {
    const uc = useCases(s, clock);
    const admin = userCaller(s, s.boot.admin.id);
    const user = await addUser(s);
    const eligibility = await uc.requests.create(admin, {
      kind: 'eligibility',
      action: 'adminAssign',
      principalId: user,
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      justification: 'x',
      ticketInfo: null,
      scheduleInfo: {
        startDateTime: null,
        expiration: { type: 'afterDuration', endDateTime: null, duration: 'PT3H' },
      },
      isValidationOnly: false,
      customData: null,
    });
    await inTx(s, async (tx) => {
      await tx.schedules.insert(schedule(s, user, { window: { start: NOW, end: NOW + HOUR } }));
      await tx.schedules.insert(
        schedule(s, user, {
          window: { start: NOW, end: NOW + 2 * HOUR },
          roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10',
        }),
      );
      // Revoked ones were recorded when they ended; the sweeper leaves them alone.
      await tx.schedules.insert(
        schedule(s, user, {
          status: 'Revoked',
          window: { start: NOW, end: NOW + 1 },
          expiryRecordedAt: NOW + 1,
          roleDefinitionId: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
        }),
      );
    });
    const sweeper = s.sweeper;
    expect(await sweeper.runOnce(NOW + HOUR - 1)).toBe(0);
    clock.set(NOW + HOUR);
    // Reads already say "not active" before any sweep.
    expect(await inTx(s, (tx) => tx.schedules.activeRoleIds(s.boot.tenantId, [user], clock.now()))).toEqual([
      '62e90394-69f5-4237-9190-012177145e10',
    ]);
    expect(await sweeper.runOnce()).toBe(1);
    expect(await sweeper.runOnce()).toBe(0);
    clock.set(NOW + 3 * HOUR);
    expect(await sweeper.runOnce()).toBe(2);
    expect(await sweeper.runOnce()).toBe(0);

    const activations = await auditOf(s, EXPIRED_ACTIVATION);
    expect(activations).toHaveLength(2);
    expect(activations.every((e) => e.result === 'success')).toBe(true);
    expect(await auditOf(s, 'Remove eligible member from role in PIM completed (timebound)')).toHaveLength(1);
    const rows = await s.db.kysely
      .selectFrom('pim_schedules')
      .select(['id', 'status', 'expiry_recorded_at'])
      .execute();
    expect(rows.filter((r) => r.status === 'Expired')).toHaveLength(3);
    expect(rows.find((r) => r.id === eligibility.targetScheduleId)?.status).toBe('Expired');
    expect(rows.filter((r) => r.status === 'Revoked')).toHaveLength(1);
    // The eligibility reads Expired by id, as it would have before the sweep.
    const { item } = await uc.schedules.getSchedule(
      admin,
      'eligibility',
      eligibility.targetScheduleId ?? '',
      {
        expand: [],
        orderBy: [],
        top: 100,
        skip: 0,
        count: false,
      },
    );
    expect(item.status).toBe('Expired');
  });

  it("leaves a deleted user's schedules Revoked: their end was recorded by the deletion", async () => {
    const admin = await adminAt(s, clock);
    const user = await addUser(s);
    await eligibleForever(s, clock, user, USER_ADMINISTRATOR);
    const deleted = await s.app.inject({ method: 'DELETE', url: `/v1.0/users/${user}`, headers: admin });
    expect(deleted.statusCode, deleted.body).toBe(204);
    clock.set(NOW + HOUR);
    expect(await s.sweeper.runOnce()).toBe(0);
    const rows = await s.db.kysely
      .selectFrom('pim_schedules')
      .select(['status', 'expiry_recorded_at'])
      .where('principal_id', '=', user)
      .execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.status === 'Revoked' && r.expiry_recorded_at !== null)).toBe(true);
    expect(await auditOf(s, 'Remove eligible member from role in PIM completed (timebound)')).toHaveLength(0);
  });

  it('the interval runner starts and stops cleanly', async () => {
    const recorder = makeExpiryRecorder({ uow: useCases(s, clock).uow });
    let runs = 0;
    const sweeper = createExpirySweeper({
      recorder: { recordBatch: async (now, limit) => ((runs += 1), recorder.recordBatch(now, limit)) },
      clock,
      intervalMs: 5,
    });
    sweeper.start();
    sweeper.start();
    await new Promise((resolve) => setTimeout(resolve, 60));
    await sweeper.stop();
    const after = runs;
    expect(after).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runs).toBe(after);
  });

  it(
    'two sweepers at once record each expiry exactly once (audit count = expiries)',
    skipFor(postgresOnly),
    async () => {
      const users = await Promise.all(Array.from({ length: 6 }, () => addUser(s)));
      const roles = [
        USER_ADMINISTRATOR,
        '62e90394-69f5-4237-9190-012177145e10',
        'e8611ab8-c189-46e8-94e1-60213ab1f814',
        'fdd7a751-b60b-444a-984c-02652fe8fa1c',
        '8424c6f0-a189-499e-bbd0-26c1753c96d4',
      ];
      const total = users.length * roles.length * 4;
      await inTx(s, async (tx) => {
        let n = 0;
        for (const user of users) {
          for (const role of roles) {
            for (let k = 0; k < 4; k += 1) {
              n += 1;
              await tx.schedules.insert(
                schedule(s, user, {
                  roleDefinitionId: role,
                  window: { start: NOW, end: NOW + HOUR + (n % 7) },
                }),
              );
            }
          }
        }
      });
      const uow = useCases(s, clock).uow;
      const sweepers = [1, 2, 3].map(() =>
        createExpirySweeper({
          recorder: makeExpiryRecorder({ uow }),
          clock,
          intervalMs: 0,
          batchSize: 7,
        }),
      );
      const at = NOW + 2 * HOUR;
      const counts = await Promise.all(sweepers.map((sw) => sw.runOnce(at)));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
      expect(await auditOf(s, EXPIRED_ACTIVATION)).toHaveLength(total);
      expect(await Promise.all(sweepers.map((sw) => sw.runOnce(at)))).toEqual([0, 0, 0]);
      const unrecorded = await s.db.kysely
        .selectFrom('pim_schedules')
        .select('id')
        .where('expiry_recorded_at', 'is', null)
        .execute();
      expect(unrecorded).toEqual([]);
    },
  );

  it('records a batch exactly as a lookup per schedule did: same audit entry, message and status, each once', async () => {
    // Principals of every kind in two tenants, one deleted (no row left), roles known and unknown,
    // eligibilities and both kinds of assignment: each expiry is compared with what `subjectOf`,
    // one lookup per schedule (the recorder before batching), makes of it.
    const other = await s.otherTenant();
    const user = await addUser(s, [], 'Expiring User');
    const group = await addGroup(s);
    const app = newId();
    const gone = newId();
    const otherUser = newId();
    await inTx(s, async (tx) => {
      await tx.servicePrincipals.insert({
        id: app,
        tenantId: s.boot.tenantId,
        appId: newId(),
        displayName: 'Expiring App',
        accountEnabled: true,
        appPermissions: [],
        createdAt: 0,
        modifiedAt: 0,
        version: 1,
      });
      await tx.users.insert({
        id: otherUser,
        tenantId: other.tenantId,
        displayName: 'Fabrikam User',
        userPrincipalName: 'someone@fabrikam.test',
        mail: null,
        givenName: null,
        surname: null,
        jobTitle: null,
        accountEnabled: true,
        passwordHash: null,
        passwordMustChange: false,
        createdAt: 0,
        modifiedAt: 0,
        version: 1,
      });
    });
    const end = NOW + HOUR;
    const inserted = [
      schedule(s, user),
      schedule(s, user, { kind: 'eligibility', assignmentType: null, roleDefinitionId: GLOBAL_READER }),
      schedule(s, user, { assignmentType: 'Assigned', roleDefinitionId: SECURITY_READER }),
      schedule(s, group, { principalType: 'group', memberType: 'Group' }),
      schedule(s, app, { principalType: 'servicePrincipal', roleDefinitionId: GLOBAL_READER }),
      schedule(s, gone),
      schedule(s, user, { roleDefinitionId: newId() }),
      schedule(s, otherUser, { tenantId: other.tenantId }),
      schedule(s, otherUser, { tenantId: other.tenantId, kind: 'eligibility', assignmentType: null }),
    ].map((x) => ({ ...x, window: { start: NOW, end } }));
    await inTx(s, async (tx) => {
      for (const x of inserted) await tx.schedules.insert(x);
    });

    const recorder = makeExpiryRecorder({ uow: useCases(s, clock).uow });
    expect(await recorder.recordBatch(end, 4)).toBe(4);
    expect(await recorder.recordBatch(end, 100)).toBe(inserted.length - 4);
    expect(await recorder.recordBatch(end, 100)).toBe(0);

    const rows = await s.db.kysely
      .selectFrom('pim_schedules')
      .selectAll()
      .where(
        'id',
        'in',
        inserted.map((x) => x.id),
      )
      .execute();
    const recorded = rows.map((r) => scheduleFromRow(r));
    expect(recorded.map((x) => [x.status, x.expiryRecordedAt])).toEqual(inserted.map(() => ['Expired', end]));
    const entries = (
      await s.db.kysely.selectFrom('audit_entries').select(['payload', 'prev_hash', 'hash']).execute()
    )
      .map((r) => entryFromPayload(r.payload, r.prev_hash, r.hash))
      .filter((e) => e.code.startsWith('pim.') && e.additionalDetails.some((d) => d.key === 'ScheduleId'));
    const messages = (
      await s.db.kysely
        .selectFrom('outbox_messages')
        .select(['tenant_id', 'payload', 'occurred_at'])
        .where('type', '=', 'pim.scheduleExpired')
        .execute()
    ).map((m) => ({
      tenantId: m.tenant_id,
      occurredAt: Number(m.occurred_at),
      payload: JSON.parse(m.payload) as Record<string, unknown>,
    }));
    expect(entries).toHaveLength(inserted.length);
    expect(messages).toHaveLength(inserted.length);
    for (const x of recorded) {
      const subject = await inTx(s, (tx) =>
        subjectOf(tx, x.tenantId, x.kind, x.roleDefinitionId, x.principalId, x.principalType),
      );
      const expected = scheduleExpired(subject, x, expiredActivity(x.kind, x.assignmentType));
      const entry = entries.find((e) => e.additionalDetails.some((d) => d.value === x.id));
      expect(entry, x.id).toBeDefined();
      const { seq: _seq, prevHash: _prev, hash: _hash, chainFormat: _format, ...drafted } = entry!;
      expect(drafted).toEqual(
        auditDraft({
          id: entry!.id,
          tenantId: x.tenantId,
          now: end,
          initiatedBy: SYSTEM_INITIATOR,
          ...expected.audit[0]!,
        }),
      );
      const message = messages.filter((m) => JSON.stringify(m.payload).includes(x.id));
      expect(message).toEqual([
        { tenantId: x.tenantId, occurredAt: end, payload: JSON.parse(JSON.stringify(expected.payload)) },
      ]);
    }
    // The names came from the directory, not from the schedule: the lookups found them.
    const named = entries.flatMap((e) => e.targetResources.map((t) => t.displayName));
    expect(named).toEqual(expect.arrayContaining(['Expiring User', 'Expiring App', 'Fabrikam User']));
  });

  it('records a batch in the same number of statements whatever its size (no lookup per expiry)', async () => {
    const statements = async (n: number, at: number) => {
      const users = await Promise.all(Array.from({ length: n }, () => addUser(s)));
      await inTx(s, async (tx) => {
        for (const [i, user] of users.entries())
          await tx.schedules.insert(
            schedule(s, user, {
              principalType: i % 2 === 0 ? 'user' : 'group',
              window: { start: NOW, end: at },
            }),
          );
      });
      const counter = statementCounter();
      const uow = createUnitOfWork({ ...s.db, kysely: s.db.kysely.withPlugin(counter.plugin) });
      expect(await makeExpiryRecorder({ uow }).recordBatch(at, 500)).toBe(n);
      return counter.count();
    };
    const few = await statements(4, NOW + HOUR);
    const many = await statements(60, NOW + 2 * HOUR);
    expect(many).toBe(few);
  });
});
