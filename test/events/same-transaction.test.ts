// A state change and its audit entries commit together (DESIGN.md invariants 3 and 5). Use cases
// record events; the unit of work turns them into audit entries inside the same transaction, just
// before commit. So when a store fails anywhere in the unit (in the use case, or the audit append
// itself at commit), neither the change nor its entries exist afterwards. Driven through the app
// layer, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Caller } from '../../src/app/authorization/caller.js';
import { bootstrap, type BootstrapResult } from '../../src/app/bootstrap/bootstrap.js';
import { makeGroups } from '../../src/app/directory/groups.js';
import { makeFederatedSignIn } from '../../src/app/federation/federated-sign-in.js';
import type { FederationPolicy } from '../../src/app/federation/ports.js';
import type { CreateScheduleRequest } from '../../src/app/pim/create-request.js';
import { makeScheduleRequests } from '../../src/app/pim/schedule-requests.js';
import type { Stores, UnitOfWork } from '../../src/app/ports.js';
import type { WebAuthnRelyingParty } from '../../src/app/sign-in/method-ports.js';
import { makeSignIn, type PasswordHasher } from '../../src/app/sign-in/sign-in.js';
import { AUDIT_ACTIVITIES } from '../../src/domain/audit/activities.js';
import { auditDraft, SYSTEM_INITIATOR } from '../../src/domain/audit/draft.js';
import { SignInRefused } from '../../src/domain/authn/sign-in-errors.js';
import { ForbiddenError } from '../../src/domain/shared/errors.js';
import { newId } from '../../src/domain/shared/ids.js';
import { ManualClock } from '../../src/domain/time/clock.js';
import { parseDateTime } from '../../src/domain/time/datetime.js';
import { migrate } from '../../src/store/migrator.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { dialectName, freshDb } from '../helpers/db.js';

const NOW = parseDateTime('2026-11-27T10:15:00Z');
const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const ctx = { ip: '10.0.0.7', userAgent: 'vitest' };

/** Fast stand-ins for the outside world (argon2, the data key, the WebAuthn relying party). */
const hasher: PasswordHasher = {
  hash: async (password) => `plain:${password}`,
  verify: async (stored, password) => stored === `plain:${password}`,
};
const sealer = { seal: (text: string) => text, open: (text: string) => text };
const relyingParty: WebAuthnRelyingParty = {
  creationOptions: () => Promise.reject(new Error('not used')),
  requestOptions: () => Promise.reject(new Error('not used')),
  verifyRegistration: () => Promise.reject(new Error('not used')),
  verifyAssertion: () => Promise.reject(new Error('not used')),
};

/** What a broken store throws. */
class StoreFailure extends Error {}

/** The same unit of work, with some stores of every transaction replaced (`patch` sees the real ones). */
const withStores = (uow: UnitOfWork, patch: (tx: Stores) => Partial<Stores>): UnitOfWork => ({
  run: (work) => uow.run((tx) => work({ ...tx, ...patch(tx) })),
  read: (work) => uow.read((db) => work({ ...db, ...patch(db) })),
});

/** A primary-key violation, as either dialect reports it. */
const KEY_VIOLATION = { code: expect.stringMatching(/^(23505|SQLITE_CONSTRAINT_PRIMARYKEY)$/) as unknown };

describe(`a change and its audit entries commit together (${dialectName})`, () => {
  let db: Awaited<ReturnType<typeof freshDb>>;
  let uow: UnitOfWork;
  let clock: ManualClock;

  beforeEach(async () => {
    db = await freshDb();
    clock = new ManualClock(NOW);
    await migrate(db, { clock });
    uow = createUnitOfWork(db);
  });
  afterEach(() => db.drop());

  type Table =
    | 'tenants'
    | 'users'
    | 'role_definitions'
    | 'role_management_policies'
    | 'role_assignments'
    | 'service_principals'
    | 'service_principal_secrets'
    | 'system_state'
    | 'audit_entries'
    | 'audit_head'
    | 'sign_in_throttle'
    | 'pim_schedule_requests'
    | 'pim_schedules'
    | 'external_identities'
    | 'group_members'
    | 'outbox_messages';
  const count = async (table: Table) =>
    Number(
      (
        await db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  /** The codes of every audit entry, in chain order. */
  const codes = async () =>
    (await db.kysely.selectFrom('audit_entries').select('code').orderBy('seq').execute()).map((r) => r.code);
  const throttleKeys = async () =>
    (await db.kysely.selectFrom('sign_in_throttle').select('key').orderBy('key').execute()).map((r) => r.key);

  /**
   * Moves the tenant's chain head back one position for the length of `work`, so the audit append
   * at commit collides with the last stored entry (the primary key of `audit_entries`): a real
   * constraint fails after the use case wrote everything else.
   */
  async function withTakenChainPosition(tenantId: string, work: () => Promise<void>) {
    const move = (by: number) =>
      db.kysely
        .updateTable('audit_head')
        .set((eb) => ({ seq: eb('seq', '+', by) }))
        .where('tenant_id', '=', tenantId)
        .execute();
    await move(-1);
    try {
      await work();
    } finally {
      await move(1);
    }
  }

  const boot = async (): Promise<BootstrapResult> =>
    (await bootstrap({ uow, clock, newId, hasher, adminUpn: 'admin@contoso.test' }))!;

  async function addUser(tenantId: string, upn: string): Promise<string> {
    const id = newId();
    await uow.run((tx) =>
      tx.users.insert({
        id,
        tenantId,
        displayName: upn.split('@')[0]!,
        userPrincipalName: upn,
        mail: null,
        givenName: null,
        surname: null,
        jobTitle: null,
        accountEnabled: true,
        passwordHash: 'plain:right',
        passwordMustChange: false,
        createdAt: 0,
        modifiedAt: 0,
        version: 1,
      }),
    );
    return id;
  }

  it('bootstrap: the tenant, its administrator, app, roles and five entries, or none of them', async () => {
    const tables: Table[] = [
      'system_state',
      'tenants',
      'role_definitions',
      'role_management_policies',
      'users',
      'role_assignments',
      'service_principals',
      'service_principal_secrets',
    ];
    const run = (u: UnitOfWork, ids = newId) =>
      bootstrap({ uow: u, clock, newId: ids, hasher, adminUpn: 'admin@contoso.test' });

    // The app's secret fails to be written, after everything else was.
    const failing = withStores(uow, (tx) => ({
      servicePrincipals: { ...tx.servicePrincipals, addPassword: () => Promise.reject(new StoreFailure()) },
    }));
    await expect(run(failing)).rejects.toBeInstanceOf(StoreFailure);
    for (const table of [...tables, 'audit_entries', 'audit_head'] as const)
      expect(await count(table), table).toBe(0);

    // The entries' append fails at commit: an entry already holds the first position of the new
    // tenant's chain (bootstrap takes its first id for the tenant), unknown to the chain head.
    const tenantId = newId();
    await uow.run((tx) =>
      tx.audit.append(
        auditDraft({
          id: newId(),
          tenantId,
          now: NOW,
          activity: AUDIT_ACTIVITIES.tenantCreate,
          initiatedBy: SYSTEM_INITIATOR,
          targets: [],
        }),
      ),
    );
    await db.kysely.deleteFrom('audit_head').execute();
    const firstIds = [tenantId];
    const tenantFirst = () => firstIds.shift() ?? newId();
    await expect(run(uow, tenantFirst)).rejects.toMatchObject(KEY_VIOLATION);
    for (const table of [...tables, 'audit_head'] as const) expect(await count(table), table).toBe(0);
    expect(await count('audit_entries')).toBe(1);
    await db.kysely.deleteFrom('audit_entries').execute();

    // Nothing of the failed runs stayed, so the first run is still to come, and it commits whole.
    expect(await run(uow)).toBeDefined();
    expect(await codes()).toEqual([
      'tenant.create',
      'user.create',
      'roleAssignment.create',
      'servicePrincipal.create',
      'servicePrincipal.addPassword',
    ]);
    for (const table of tables) expect(await count(table), table).toBeGreaterThan(0);
  });

  it('a refused password: every throttle counter and the Sign-in failure entry, or none of them', async () => {
    const { tenantId } = await boot();
    await addUser(tenantId, 'ada@contoso.test');
    const before = await codes();
    const refusePassword = (u: UnitOfWork) =>
      makeSignIn({ uow: u, clock, newId, hasher, sealer, relyingParty }).password(
        'ada@contoso.test',
        'wrong',
        ctx,
      );

    // The address counter's write fails after the account counter was written.
    const failing = withStores(uow, (tx) => ({
      signInThrottle: {
        ...tx.signInThrottle,
        put: (key, state, now) =>
          key.startsWith('ip:') ? Promise.reject(new StoreFailure()) : tx.signInThrottle.put(key, state, now),
      },
    }));
    await expect(refusePassword(failing)).rejects.toBeInstanceOf(StoreFailure);
    expect(await throttleKeys()).toEqual([]);
    expect(await codes()).toEqual(before);

    // The entry's append fails at commit, after both counters were written.
    await withTakenChainPosition(tenantId, () =>
      expect(refusePassword(uow)).rejects.toMatchObject(KEY_VIOLATION),
    );
    expect(await throttleKeys()).toEqual([]);
    expect(await codes()).toEqual(before);

    await expect(refusePassword(uow)).rejects.toBeInstanceOf(SignInRefused);
    expect(await throttleKeys()).toEqual([
      'account:ada@contoso.test',
      'account:ada@contoso.test|ip:10.0.0.7',
      'ip:10.0.0.7',
    ]);
    expect(await codes()).toEqual([...before, 'signIn.failure']);
  });

  it('a PIM activation: the request, the schedule, their entries and the outbox message, or none of them', async () => {
    const b = await boot();
    const userId = await addUser(b.tenantId, 'grace@contoso.test');
    const caller = (id: string, amr = ['pwd']): Caller => ({
      kind: 'user',
      tenantId: b.tenantId,
      id,
      appId: null,
      appPermissions: [],
      amr,
      authTimeMs: NOW - 60_000,
      ipAddress: '127.0.0.1',
      userAgent: 'vitest',
      correlationId: null,
    });
    const cmd = (over: Partial<CreateScheduleRequest>): CreateScheduleRequest => ({
      kind: 'assignment',
      action: 'selfActivate',
      principalId: userId,
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      justification: 'on-call fix',
      ticketInfo: null,
      scheduleInfo: {
        startDateTime: null,
        expiration: { type: 'afterDuration', endDateTime: null, duration: 'PT2H' },
      },
      isValidationOnly: false,
      customData: null,
      ...over,
    });
    const requests = (u: UnitOfWork) => makeScheduleRequests({ uow: u, clock, newId });
    await requests(uow).create(
      caller(b.admin.id),
      cmd({
        kind: 'eligibility',
        action: 'adminAssign',
        scheduleInfo: {
          startDateTime: null,
          expiration: { type: 'noExpiration', endDateTime: null, duration: null },
        },
      }),
    );
    const state = async () => ({
      requests: await count('pim_schedule_requests'),
      schedules: await count('pim_schedules'),
      outbox: await count('outbox_messages'),
      codes: await codes(),
    });
    const before = await state();
    const activate = (u: UnitOfWork) => requests(u).create(caller(userId, ['pwd', 'mfa']), cmd({}));

    // The request row's write fails after the new schedule was written.
    const failing = withStores(uow, (tx) => ({
      scheduleRequests: { ...tx.scheduleRequests, insert: () => Promise.reject(new StoreFailure()) },
    }));
    await expect(activate(failing)).rejects.toBeInstanceOf(StoreFailure);
    expect(await state()).toEqual(before);

    // The entries' append fails at commit, after the request and the schedule were written.
    await withTakenChainPosition(b.tenantId, () =>
      expect(activate(uow)).rejects.toMatchObject(KEY_VIOLATION),
    );
    expect(await state()).toEqual(before);

    const request = await activate(uow);
    expect(request.status).toBe('Provisioned');
    const after = await state();
    expect(after.requests).toBe(before.requests + 1);
    expect(after.schedules).toBe(before.schedules + 1);
    // The activation's event carries a payload: one outbox message, committed with it.
    expect(after.outbox).toBe(before.outbox + 1);
    const added = after.codes.slice(before.codes.length);
    expect(added.length).toBeGreaterThan(0);
    const entries = await db.kysely
      .selectFrom('audit_entries as e')
      .innerJoin('audit_targets as t', (j) =>
        j.onRef('t.tenant_id', '=', 'e.tenant_id').onRef('t.seq', '=', 'e.seq'),
      )
      .select(['e.code', 'e.result'])
      .where('t.target_id', '=', request.id)
      .execute();
    expect(entries.map((e) => e.code)).toEqual(added);
    expect(entries.every((e) => e.result === 'success')).toBe(true);
  });

  it('a first federated sign-in: the user, the link, the membership and four entries, or none of them', async () => {
    const { tenantId } = await boot();
    const groupId = newId();
    await uow.run((tx) =>
      tx.groups.insert({
        id: groupId,
        tenantId,
        displayName: 'Operators',
        description: null,
        mailNickname: 'operators',
        mailEnabled: false,
        securityEnabled: true,
        isAssignableToRole: false,
        createdAt: 0,
        modifiedAt: 0,
        version: 1,
      }),
    );
    const issuer: FederationPolicy = {
      id: 'corp',
      displayName: 'Corp',
      tenantId,
      userClaim: 'preferred_username',
      onFirstSignIn: 'create',
      groupsClaim: 'groups',
      groupMap: { 'corp-ops': groupId },
      mfaAmrValues: ['mfa'],
      mfaAcrValues: [],
    };
    const claims = {
      sub: 'corp-4711',
      preferred_username: 'lin@contoso.test',
      name: 'Lin',
      groups: ['corp-ops'],
    };
    const signIn = (u: UnitOfWork) =>
      makeFederatedSignIn({ uow: u, clock, newId }).signIn(issuer, claims, ctx);
    const state = async () => ({
      users: await count('users'),
      links: await count('external_identities'),
      members: await count('group_members'),
      codes: await codes(),
    });
    const before = await state();

    // The last write of the sign-in (the link's sign-in time) fails after the user, the link and
    // the membership were written.
    const failing = withStores(uow, (tx) => ({
      externalIdentities: { ...tx.externalIdentities, touch: () => Promise.reject(new StoreFailure()) },
    }));
    await expect(signIn(failing)).rejects.toBeInstanceOf(StoreFailure);
    expect(await state()).toEqual(before);

    await withTakenChainPosition(tenantId, () => expect(signIn(uow)).rejects.toMatchObject(KEY_VIOLATION));
    expect(await state()).toEqual(before);

    await signIn(uow);
    expect(await state()).toEqual({
      users: before.users + 1,
      links: 1,
      members: 1,
      codes: [
        ...before.codes,
        'user.create',
        'user.linkExternalIdentity',
        'group.addMember',
        'signIn.federated',
      ],
    });
  });

  it('adding a group member: the membership, its entry and its outbox message, or none of them', async () => {
    const b = await boot();
    const userId = await addUser(b.tenantId, 'ada@contoso.test');
    const admin: Caller = {
      kind: 'user',
      tenantId: b.tenantId,
      id: b.admin.id,
      appId: null,
      appPermissions: [],
      amr: ['pwd', 'mfa'],
      authTimeMs: NOW - 60_000,
      ipAddress: '127.0.0.1',
      userAgent: 'vitest',
      correlationId: null,
    };
    const groups = (u: UnitOfWork) => makeGroups({ uow: u, clock, newId });
    const group = await groups(uow).create(admin, {
      displayName: 'Operators',
      mailNickname: 'operators',
      mailEnabled: false,
      securityEnabled: true,
    });
    const state = async () => ({
      members: await count('group_members'),
      outbox: await count('outbox_messages'),
      codes: await codes(),
    });
    const before = await state();
    const add = (u: UnitOfWork, caller = admin) => groups(u).addMember(caller, group.id, userId);

    // The membership's write fails inside the unit.
    const failing = withStores(uow, (tx) => ({
      groups: { ...tx.groups, addMember: () => Promise.reject(new StoreFailure()) },
    }));
    await expect(add(failing)).rejects.toBeInstanceOf(StoreFailure);
    expect(await state()).toEqual(before);

    // The entry's append fails at commit, after the membership was written.
    await withTakenChainPosition(b.tenantId, () => expect(add(uow)).rejects.toMatchObject(KEY_VIOLATION));
    expect(await state()).toEqual(before);

    // A caller without the right is refused after reads only: the failure entry commits in the
    // refused unit, with no membership and no message (refusals are audit-only).
    await expect(add(uow, { ...admin, id: userId })).rejects.toBeInstanceOf(ForbiddenError);
    const refused = await state();
    expect(refused).toEqual({ ...before, codes: [...before.codes, 'group.addMember'] });
    const last = await db.kysely
      .selectFrom('audit_entries')
      .select(['code', 'result'])
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(last).toEqual({ code: 'group.addMember', result: 'failure' });

    await add(uow);
    expect(await state()).toEqual({
      members: before.members + 1,
      outbox: before.outbox + 1,
      codes: [...refused.codes, 'group.addMember'],
    });
    const message = await db.kysely
      .selectFrom('outbox_messages')
      .select(['type', 'payload'])
      .where('type', '=', 'directory.groupMemberAdded')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(message.payload)).toEqual({ groupId: group.id, memberId: userId, memberType: 'user' });
  });
});
