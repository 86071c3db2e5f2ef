// A trusted external issuer's token satisfies an authentication context when its `acr` (or one of
// its `acrs`) is a value the context lists (`externalAcrValues`), within the context's maximum
// age; its `acrs` are never read as Elevate's own context ids.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { ASSIGNMENT_REQUESTS, eligibleForever, patchPolicy, USER_ADMINISTRATOR } from '../pim/support.js';
import { call } from '../http/support/graph.js';
import { findRule } from '../../src/domain/policy/types.js';
import { ExternalIssuer } from '../identity/support/external-issuer.js';
import { addDirectoryUser, corpIssuer } from '../identity/support/federation.js';

const CONTEXTS = '/v1.0/identity/conditionalAccess/authenticationContextClassReferences';
const ALICE = { sub: 'alice-sub', upn: 'alice@contoso.test' };

describe('authentication contexts with a trusted external issuer', () => {
  let ext: ExternalIssuer;
  let s: TestServer;
  let clock: ManualClock;
  let aliceId: string;

  beforeEach(async () => {
    ext = await ExternalIssuer.start();
    clock = new ManualClock(Date.now());
    s = await testServer({ clock, trustedIssuers: [corpIssuer(ext)] });
    await s.sweeper.stop();
    aliceId = await addDirectoryUser(s, ALICE.upn);
  });
  afterEach(async () => {
    await s.close();
    await ext.close();
  });

  it("a mapped acr satisfies the context; another acr, Elevate's own ids in acrs, or an old sign-in do not", async () => {
    const admin = await s.admin();
    const defined = await call(s, 'PATCH', `${CONTEXTS}/c3`, admin, {
      displayName: 'Corp step-up',
      elevateRequirement: {
        authenticationStrength: 'phishingResistant',
        maxAgeMinutes: 10,
        externalAcrValues: ['urn:corp:loa:phr'],
      },
    });
    expect(defined.statusCode, defined.body).toBe(201);
    await eligibleForever(s, clock, aliceId, USER_ADMINISTRATOR);
    await patchPolicy(s, USER_ADMINISTRATOR, (rules) => {
      Object.assign(findRule(rules, 'AuthenticationContext_EndUser_Assignment')!, {
        isEnabled: true,
        claimValue: 'c3',
      });
    });
    const activate = async (claims: Record<string, unknown>) =>
      call(
        s,
        'POST',
        ASSIGNMENT_REQUESTS,
        { authorization: `Bearer ${await ext.mint({ ...ALICE, ...claims }, { nowMs: clock.now() })}` },
        {
          action: 'selfActivate',
          principalId: aliceId,
          roleDefinitionId: USER_ADMINISTRATOR,
          directoryScopeId: '/',
          justification: 'incident 9',
          scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
          isValidationOnly: true,
        },
      );
    const recent = Math.floor(clock.now() / 1000) - 60;
    const code = (res: Awaited<ReturnType<typeof activate>>) =>
      res.statusCode === 201 ? 201 : res.json<{ error: { code: string } }>().error.code;

    const acrs = 'RoleAssignmentRequestAcrsValidationFailed';
    expect(code(await activate({ amr: ['pwd', 'mfa'], acr: 'urn:corp:loa:2fa', auth_time: recent }))).toBe(
      acrs,
    );
    // The issuer's own `acrs` naming "c3" mean nothing here: its vocabulary is not Elevate's.
    expect(code(await activate({ amr: ['pwd', 'mfa'], acrs: ['c3'], auth_time: recent }))).toBe(acrs);
    const tooOld = Math.floor(clock.now() / 1000) - 11 * 60;
    expect(code(await activate({ amr: ['pwd', 'mfa'], acr: 'urn:corp:loa:phr', auth_time: tooOld }))).toBe(
      acrs,
    );
    expect(code(await activate({ amr: ['pwd', 'mfa'], acr: 'urn:corp:loa:phr', auth_time: recent }))).toBe(
      201,
    );
    expect(code(await activate({ amr: ['pwd', 'mfa'], acrs: ['urn:corp:loa:phr'], auth_time: recent }))).toBe(
      201,
    );
  });
});
