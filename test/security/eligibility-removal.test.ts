// Regression test for the security review: an activation may not outlive the eligibility it was
// made with. Removing the eligibility (adminRemove) ends its activations at once, audited and
// published, whether the eligibility was the user's own or a group's.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CreateScheduleRequest } from '../../src/app/pim/create-request.js';
import { USER_ADMINISTRATOR } from '../../src/domain/roles/built-in-roles.js';
import { postgresOnly } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';
import type { TestServer } from '../helpers/server.js';
import {
  addGroup,
  addUser,
  auditOf,
  eligibleForever,
  MINUTE,
  pimServer,
  useCases,
  userCaller,
  type ManualClock,
} from '../pim/support.js';

const ROLE = USER_ADMINISTRATOR;

describe('removing an eligibility ends the activations made with it', () => {
  let s: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    ({ s, clock } = await pimServer());
  });
  afterEach(() => s.close());

  const cmd = (over: Partial<CreateScheduleRequest>): CreateScheduleRequest => ({
    kind: 'assignment',
    action: 'selfActivate',
    principalId: '',
    roleDefinitionId: ROLE,
    directoryScopeId: '/',
    justification: 'incident 42',
    ticketInfo: null,
    scheduleInfo: {
      startDateTime: null,
      expiration: { type: 'afterDuration', endDateTime: null, duration: 'PT2H' },
    },
    isValidationOnly: false,
    customData: null,
    ...over,
  });
  const holds = async (principalId: string) =>
    (await useCases(s, clock).uow.run((tx) =>
      tx.schedules.activeAssignment(s.boot.tenantId, [principalId], ROLE, '/', clock.now()),
    )) !== undefined;

  it.each(['own', 'group'] as const)('an eligibility of the %s', async (whose) => {
    const uc = useCases(s, clock);
    const user = await addUser(s);
    const eligiblePrincipal = whose === 'own' ? user : await addGroup(s, [user]);
    const eligibility = await eligibleForever(s, clock, eligiblePrincipal, ROLE);
    const caller = userCaller(s, user, { amr: ['pwd', 'mfa'], authTimeMs: clock.now() - MINUTE });
    const activation = await uc.requests.create(caller, cmd({ principalId: user }));
    expect(activation.status).toBe('Provisioned');
    expect(await holds(user)).toBe(true);

    clock.advance(10 * MINUTE);
    const removal = await uc.requests.create(
      userCaller(s, s.boot.admin.id),
      cmd({
        kind: 'eligibility',
        action: 'adminRemove',
        principalId: eligiblePrincipal,
        scheduleInfo: null,
        justification: 'left the team',
      }),
    );
    expect(removal.status).toBe('Revoked');
    // At once: the activation no longer holds, with or without the sweeper.
    expect(await holds(user)).toBe(false);
    const stored = await uc.uow.run((tx) => tx.schedules.get(s.boot.tenantId, 'assignment', activation.id));
    expect(stored).toMatchObject({
      status: 'Revoked',
      window: { start: activation.createdAt, end: clock.now() },
    });

    const entries = await auditOf(s, 'Remove member from role (PIM activation ended: eligibility removed)');
    expect(entries).toHaveLength(1);
    expect(entries[0]?.result).toBe('success');
    expect(entries[0]?.payload).toContain(removal.id);
    expect(entries[0]?.payload).toContain(eligibility.id);

    const published = await s.db.kysely
      .selectFrom('outbox_messages')
      .select(['type', 'payload'])
      .where('type', '=', 'pim.activationEnded')
      .execute();
    expect(published).toHaveLength(1);
    expect(JSON.parse(published[0]!.payload)).toMatchObject({
      principalId: user,
      roleDefinitionId: ROLE,
      status: 'Revoked',
      schedule: { id: activation.id, status: 'Revoked' },
    });
  });

  it('leaves activations made with another eligibility alone', async () => {
    const uc = useCases(s, clock);
    const user = await addUser(s);
    const other = await addUser(s);
    await eligibleForever(s, clock, user, ROLE);
    await eligibleForever(s, clock, other, ROLE);
    const mfa = { amr: ['pwd', 'mfa'], authTimeMs: clock.now() - MINUTE };
    await uc.requests.create(userCaller(s, user, mfa), cmd({ principalId: user }));
    await uc.requests.create(userCaller(s, other, mfa), cmd({ principalId: other }));
    await uc.requests.create(
      userCaller(s, s.boot.admin.id),
      cmd({ kind: 'eligibility', action: 'adminRemove', principalId: user, scheduleInfo: null }),
    );
    expect(await holds(user)).toBe(false);
    expect(await holds(other)).toBe(true);
  });
});

describe('removal racing activation (PostgreSQL)', skipFor(postgresOnly), () => {
  let s: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    ({ s, clock } = await pimServer());
  });
  afterEach(() => s.close());

  it('never leaves an activation holding after its eligibility was removed', async () => {
    for (let round = 0; round < 8; round += 1) {
      const user = await addUser(s);
      await eligibleForever(s, clock, user, ROLE);
      const caller = userCaller(s, user, { amr: ['pwd', 'mfa'], authTimeMs: clock.now() - MINUTE });
      // Separate units of work (pools of their own), so the two really run at once.
      const [activate, remove] = await Promise.allSettled([
        useCases(s, clock).requests.create(caller, {
          kind: 'assignment',
          action: 'selfActivate',
          principalId: user,
          roleDefinitionId: ROLE,
          directoryScopeId: '/',
          justification: 'race',
          ticketInfo: null,
          scheduleInfo: {
            startDateTime: null,
            expiration: { type: 'afterDuration', endDateTime: null, duration: 'PT1H' },
          },
          isValidationOnly: false,
          customData: null,
        }),
        useCases(s, clock).requests.create(userCaller(s, s.boot.admin.id), {
          kind: 'eligibility',
          action: 'adminRemove',
          principalId: user,
          roleDefinitionId: ROLE,
          directoryScopeId: '/',
          justification: 'race',
          ticketInfo: null,
          scheduleInfo: null,
          isValidationOnly: false,
          customData: null,
        }),
      ]);
      expect(remove.status).toBe('fulfilled');
      // The activation either lost (refused: no eligibility) or won and was then ended.
      const holding = await useCases(s, clock).uow.run((tx) =>
        tx.schedules.activeAssignment(s.boot.tenantId, [user], ROLE, '/', clock.now()),
      );
      expect(holding, `round ${round}: ${activate.status}`).toBeUndefined();
    }
  });
});
