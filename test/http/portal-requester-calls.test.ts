// The calls My roles makes for a requester, exactly as web/src makes them (holdings.ts,
// activation-history.tsx, extend-dialog.tsx), answered by the real server for a signed-in user:
// the activation history, Extend of an eligibility ending within 14 days, and Renew of one that
// ended within 30 days, found from the administrators' requests about the user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/domain/time/clock.js';
import type { TestServer } from '../helpers/server.js';
import { activate, signedInUser, type TestUser } from '../pim/approval-support.js';
import {
  adminAt,
  BASE,
  call,
  ELIGIBILITY_REQUESTS,
  HOUR,
  MINUTE,
  pimServer,
  setActivationRules,
  USER_ADMINISTRATOR,
} from '../pim/support.js';

const HELPDESK_ADMINISTRATOR = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
const PASSWORD_ADMINISTRATOR = '966707d0-3269-4727-9be2-8c3a10f19b9d';
const MINE = "filterByCurrentUser(on='principal')";
const HISTORY = `${BASE}/roleAssignmentScheduleRequests/${MINE}?$filter=${encodeURIComponent(
  "action eq 'selfActivate'",
)}&$expand=roleDefinition&$orderby=createdDateTime desc&$top=20`;
const ELIGIBILITY_REQUESTS_MINE = `${BASE}/roleEligibilityScheduleRequests/${MINE}?$expand=roleDefinition&$orderby=createdDateTime desc&$top=100`;

interface RequestJson {
  action: string;
  status: string;
  roleDefinitionId: string;
  justification: string | null;
  roleDefinition?: { displayName: string };
  scheduleInfo: { startDateTime: string; expiration: { type: string; duration: string | null } };
}

describe("My roles' calls for a requester", () => {
  let s: TestServer;
  let clock: ManualClock;
  let ada: TestUser;

  const eligibleFor = async (roleDefinitionId: string, duration: string) => {
    const res = await call(s, 'POST', ELIGIBILITY_REQUESTS, await adminAt(s, clock), {
      action: 'adminAssign',
      principalId: ada.id,
      roleDefinitionId,
      directoryScopeId: '/',
      justification: 'cover for the service desk',
      scheduleInfo: { expiration: { type: 'afterDuration', duration } },
    });
    expect(res.statusCode, res.body).toBe(201);
  };
  /** The extend dialog's body. */
  const askFor = async (action: 'selfExtend' | 'selfRenew', roleDefinitionId: string) =>
    call(s, 'POST', ELIGIBILITY_REQUESTS, await ada.headers(), {
      action,
      principalId: ada.id,
      roleDefinitionId,
      directoryScopeId: '/',
      justification: 'the service desk needs cover another month',
      scheduleInfo: {
        startDateTime: new Date(clock.now()).toISOString(),
        expiration: { type: 'afterDuration', duration: 'P30D' },
      },
    });

  beforeAll(async () => {
    ({ s, clock } = await pimServer());
    ada = await signedInUser(s, clock);
    await eligibleFor(USER_ADMINISTRATOR, 'P365D');
    await eligibleFor(HELPDESK_ADMINISTRATOR, 'P10D');
    await eligibleFor(PASSWORD_ADMINISTRATOR, 'PT5M');
    await setActivationRules(s, USER_ADMINISTRATOR, ['Justification']);
  });
  afterAll(() => s.close());

  it('the activation history: my activations only, newest first, with role name, duration and reason', async () => {
    const h = await ada.headers();
    const empty = await call(s, 'GET', HISTORY, h);
    expect(empty.statusCode, empty.body).toBe(200);
    expect(empty.json<{ value: unknown[] }>().value).toStrictEqual([]);

    expect((await activate(s, h, ada.id, USER_ADMINISTRATOR)).statusCode).toBe(201);
    clock.advance(HOUR);
    const res = await call(s, 'GET', HISTORY, await ada.headers());
    expect(res.statusCode, res.body).toBe(200);
    const [only, ...rest] = res.json<{ value: RequestJson[] }>().value;
    expect(rest).toStrictEqual([]);
    expect(only).toMatchObject({
      action: 'selfActivate',
      roleDefinitionId: USER_ADMINISTRATOR,
      roleDefinition: { displayName: 'User Administrator' },
      justification: 'INC-4711 password resets',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT2H' } },
    });
  });

  it('Extend within 14 days of the end waits for an administrator; far from the end it is refused', async () => {
    const refused = await askFor('selfExtend', USER_ADMINISTRATOR);
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('RoleAssignmentCannotBeExtended');
    const res = await askFor('selfExtend', HELPDESK_ADMINISTRATOR);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json<RequestJson>().status).toBe('PendingAdminDecision');
  });

  it("Renew after the end: the administrator's request shows what ended and when; renewing waits for an administrator", async () => {
    clock.advance(10 * MINUTE);
    const res = await call(s, 'GET', ELIGIBILITY_REQUESTS_MINE, await ada.headers());
    expect(res.statusCode, res.body).toBe(200);
    const password = res
      .json<{ value: RequestJson[] }>()
      .value.find((r) => r.action === 'adminAssign' && r.roleDefinitionId === PASSWORD_ADMINISTRATOR);
    // What holdings.ts reads: a provisioned grant with its start and duration, so its end is known.
    expect(password).toMatchObject({
      status: 'Provisioned',
      roleDefinition: { displayName: 'Password Administrator' },
      scheduleInfo: { startDateTime: expect.any(String), expiration: { duration: 'PT5M' } },
    });
    const end = Date.parse(password!.scheduleInfo.startDateTime) + 5 * MINUTE;
    expect(end).toBeLessThan(clock.now());

    const renewed = await askFor('selfRenew', PASSWORD_ADMINISTRATOR);
    expect(renewed.statusCode, renewed.body).toBe(201);
    expect(renewed.json<RequestJson>().status).toBe('PendingAdminDecision');
  });
});
