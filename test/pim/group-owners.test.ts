// Owners of a group through PIM for Groups: an eligible owner activates ownership (accessId
// `owner`) and, exactly while it holds, is listed by `GET /groups/{id}/owners` and may add and
// remove the group's members — never themself, and never in another group. On SQLite and
// PostgreSQL (the project's dialect loop).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { findRule } from '../../src/domain/policy/types.js';
import {
  addGroup,
  addUser,
  adminAt,
  appAt,
  auditOf,
  call,
  expectGraphError,
  HOUR,
  inTx,
  ManualClock,
  NOW,
  pimServer,
  type TestApp,
} from './support.js';

const GROUP_PIM = '/v1.0/identityGovernance/privilegedAccess/group';
const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });

describe('PIM for Groups owners manage their group’s members', () => {
  let s: TestServer;
  let clock: ManualClock;
  let groupId: string;
  let otherGroupId: string;
  let owner: TestApp;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    groupId = await addGroup(s);
    otherGroupId = await addGroup(s);
    owner = await appAt(s, clock);
    // Eligible owner for a day.
    const eligible = await call(
      s,
      'POST',
      `${GROUP_PIM}/eligibilityScheduleRequests`,
      await adminAt(s, clock),
      {
        action: 'adminAssign',
        accessId: 'owner',
        principalId: owner.servicePrincipalId,
        groupId,
        justification: 'team lead',
        scheduleInfo: {
          startDateTime: new Date(NOW).toISOString(),
          expiration: { type: 'afterDuration', duration: 'P1D' },
        },
      },
    );
    expect(eligible.statusCode, eligible.body).toBe(201);
    // An application cannot do MFA: the owner policy asks for a justification only.
    await inTx(s, async (tx) => {
      const policy = (await tx.policies.forRole(s.boot.tenantId, 'Group', groupId, 'owner'))!;
      const rules = structuredClone(policy.rules);
      findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification'];
      await tx.policies.update({ ...policy, rules }, policy.version);
    });
  });
  afterEach(async () => s.close());

  const owners = async () => {
    const res = await call(s, 'GET', `/v1.0/groups/${groupId}/owners`, await adminAt(s, clock));
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ value: { id: string }[] }>().value.map((o) => o.id);
  };
  const members = async (id = groupId) => {
    const res = await call(s, 'GET', `/v1.0/groups/${id}/members`, await adminAt(s, clock));
    expect(res.statusCode, res.body).toBe(200);
    return res
      .json<{ value: { id: string }[] }>()
      .value.map((m) => m.id)
      .sort();
  };
  const activateOwnership = async () => {
    const res = await call(s, 'POST', `${GROUP_PIM}/assignmentScheduleRequests`, await owner.headers(), {
      action: 'selfActivate',
      accessId: 'owner',
      principalId: owner.servicePrincipalId,
      groupId,
      justification: 'onboarding two engineers',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
    });
    expect(res.statusCode, res.body).toBe(201);
  };

  it('an eligible owner may not manage members; once active they add and remove them until the millisecond the ownership ends', async () => {
    const [ann, bob] = [await addUser(s), await addUser(s)];
    expectGraphError(
      await call(s, 'POST', `/v1.0/groups/${groupId}/members/$ref`, await owner.headers(), ref(ann)),
      403,
      'Authorization_RequestDenied',
    );
    expect(await members()).toEqual([]);
    expect(await owners()).toEqual([]);

    await activateOwnership();
    expect(await owners()).toEqual([owner.servicePrincipalId]);
    const add = async (id: string) =>
      call(s, 'POST', `/v1.0/groups/${groupId}/members/$ref`, await owner.headers(), ref(id));
    expect((await add(ann)).statusCode).toBe(204);
    expect((await add(bob)).statusCode).toBe(204);
    expect(await members()).toEqual([ann, bob].sort());
    // Recorded with the owner as the actor, like any other membership change.
    const added = await auditOf(s, 'Add member to group');
    expect(added.filter((e) => e.result === 'success')).toHaveLength(2);

    const removed = await call(
      s,
      'DELETE',
      `/v1.0/groups/${groupId}/members/${bob}/$ref`,
      await owner.headers(),
    );
    expect(removed.statusCode, removed.body).toBe(204);
    expect(await members()).toEqual([ann]);

    clock.set(NOW + HOUR - 1);
    const carol = await addUser(s);
    expect((await add(carol)).statusCode).toBe(204);
    clock.set(NOW + HOUR);
    expect(await owners()).toEqual([]);
    const dave = await addUser(s);
    expectGraphError(await add(dave), 403, 'Authorization_RequestDenied');
    expect(await members()).toEqual([ann, carol].sort());
  });

  it('an active owner never adds themself, and has no say over another group', async () => {
    await activateOwnership();
    expectGraphError(
      await call(
        s,
        'POST',
        `/v1.0/groups/${groupId}/members/$ref`,
        await owner.headers(),
        ref(owner.servicePrincipalId),
      ),
      403,
      'Authorization_RequestDenied',
    );
    const ann = await addUser(s);
    expectGraphError(
      await call(s, 'POST', `/v1.0/groups/${otherGroupId}/members/$ref`, await owner.headers(), ref(ann)),
      403,
      'Authorization_RequestDenied',
    );
    expect(await members()).toEqual([]);
    expect(await members(otherGroupId)).toEqual([]);
    // Reading owners of an unknown group is 404, as for members.
    expectGraphError(
      await call(
        s,
        'GET',
        '/v1.0/groups/00000000-0000-4000-8000-000000000001/owners',
        await adminAt(s, clock),
      ),
      404,
    );
  });
});
