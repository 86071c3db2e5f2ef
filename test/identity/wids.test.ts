// `wids` in access tokens: the template ids of the directory roles active for the principal at
// issuance, read from live state (manual clock; the token endpoint's `Date` follows it).
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import {
  addGroup,
  appAt,
  ASSIGNMENT_REQUESTS,
  call,
  HOUR,
  ManualClock,
  MINUTE,
  pimServer,
  setActivationRules,
  tokenAt,
  USER_ADMINISTRATOR,
  GROUPS_ADMINISTRATOR,
  type TestApp,
  eligibleForever,
} from '../pim/support.js';

const widsOf = (token: string): unknown => decodeJwt(token).wids;

describe('wids in client-credentials tokens', () => {
  let s: TestServer;
  let clock: ManualClock;
  let app: TestApp;
  let secret: string;

  const mint = () => tokenAt(s, clock, app.appId, secret);

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    app = await appAt(s, clock);
    const admin = { authorization: `Bearer ${await tokenAt(s, clock)}` };
    const pw = await call(
      s,
      'POST',
      `/v1.0/servicePrincipals/${app.servicePrincipalId}/addPassword`,
      admin,
      {},
    );
    secret = pw.json<{ secretText: string }>().secretText;
  });
  afterEach(async () => s.close());

  it('lacks a role before its PIM activation, has it after, lacks it again after expiry', async () => {
    await eligibleForever(s, clock, app.servicePrincipalId, USER_ADMINISTRATOR);
    // An application cannot prove MFA, so this role's activation asks only for a justification.
    await setActivationRules(s, USER_ADMINISTRATOR, ['Justification']);
    const before = await mint();
    expect(widsOf(before)).toEqual([]);

    clock.advance(MINUTE);
    const activation = await call(s, 'POST', ASSIGNMENT_REQUESTS, await app.headers(), {
      action: 'selfActivate',
      principalId: app.servicePrincipalId,
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      justification: 'incident 42',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
    });
    expect(activation.statusCode, activation.body).toBe(201);
    const during = await mint();
    expect(widsOf(during)).toEqual([USER_ADMINISTRATOR]);

    clock.advance(HOUR);
    const after = await mint();
    expect(widsOf(after)).toEqual([]);
    // The earlier token still says what was true when it was issued.
    expect(widsOf(during)).toEqual([USER_ADMINISTRATOR]);
  });

  it('counts roles held through a group, sorted and without duplicates', async () => {
    const admin = { authorization: `Bearer ${await tokenAt(s, clock)}` };
    const group = await addGroup(s, [app.servicePrincipalId]);
    for (const [principalId, roleDefinitionId] of [
      [group, GROUPS_ADMINISTRATOR],
      [group, USER_ADMINISTRATOR],
      [app.servicePrincipalId, USER_ADMINISTRATOR],
    ] as const) {
      const res = await call(s, 'POST', '/v1.0/roleManagement/directory/roleAssignments', admin, {
        principalId,
        roleDefinitionId,
        directoryScopeId: '/',
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    expect(widsOf(await mint())).toEqual([GROUPS_ADMINISTRATOR, USER_ADMINISTRATOR].sort());
  });
});
