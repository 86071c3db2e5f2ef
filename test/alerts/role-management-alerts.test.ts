// PIM security alerts over HTTP (beta `roleManagementAlerts`), on SQLite and PostgreSQL: for each
// alert, the risky state is made through Elevate's own use cases, a refresh raises the incident
// with Graph's fields, a fix or a remediation clears it at the next scan. Bad input changes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeRoleManagementAlerts } from '../../src/app/alerts/role-management-alerts.js';
import { DEFAULT_ALERT_SCAN_SPACING_MS } from '../../src/app/alerts/scan-consumer.js';
import { HELPDESK_ADMINISTRATOR } from '../../src/domain/roles/built-in-role-ids.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { PUBLIC_URL, type TestServer } from '../helpers/server.js';
import { dbSnapshot, filterQuery } from '../http/support/graph.js';
import {
  adminAt,
  call,
  DAY,
  eligibleForever,
  expectGraphError,
  GLOBAL_ADMINISTRATOR,
  MINUTE,
  pimServer,
  setActivationRules,
  useCases,
  userCaller,
  addUser,
  type Headers,
  type ManualClock,
} from '../pim/support.js';

const BASE = '/beta/identityGovernance/roleManagementAlerts';
const SCOPE = filterQuery("scopeId eq '/' and scopeType eq 'DirectoryRole'");
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

type Json = Record<string, unknown>;
interface AlertJson extends Json {
  id: string;
  isActive: boolean;
  incidentCount: number;
  alertIncidents?: (Json & { id: string })[];
}

let s: TestServer;
let clock: ManualClock;
let admin: Headers;
const alertId = (name: string) => `DirectoryRole_${s.boot.tenantId}_${name}`;

beforeEach(async () => {
  ({ s, clock } = await pimServer());
  admin = await adminAt(s, clock);
});
afterEach(async () => s.close());

async function refresh(name: string): Promise<void> {
  const res = await call(s, 'POST', `${BASE}/alerts/${alertId(name)}/refresh`, admin);
  expect(res.statusCode, res.body).toBe(202);
  expect(res.headers.location).toBe(`${PUBLIC_URL}/beta${BASE.slice(5)}/operations/refresh:${alertId(name)}`);
}

async function alert(name: string): Promise<AlertJson> {
  const res = await call(s, 'GET', `${BASE}/alerts/${alertId(name)}?$expand=*`, admin);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<AlertJson>();
}

const incident = (a: AlertJson, id: string) => a.alertIncidents?.find((i) => i.id === id);

async function patchConfiguration(name: string, body: Json) {
  return call(s, 'PATCH', `${BASE}/alertConfigurations/${alertId(name)}`, admin, body);
}

/** A user made eligible for the role, as the bootstrap administrator does it. */
async function eligibleUser(role: string, name = 'Alert Tester'): Promise<string> {
  const user = await addUser(s, [], name);
  await eligibleForever(s, clock, user, role);
  return user;
}

describe('collections', () => {
  it('lists the alerts, definitions and configurations of the tenant scope in Graph shapes', async () => {
    const res = await call(s, 'GET', `${BASE}/alerts?${SCOPE}`, admin);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ '@odata.context': string; value: AlertJson[] }>();
    expect(body['@odata.context']).toBe(
      `${PUBLIC_URL}/beta/$metadata#identityGovernance/roleManagementAlerts/alerts`,
    );
    expect(body.value.map((a) => a.id)).toEqual(
      [
        'TooManyGlobalAdminsAssignedToTenantAlert',
        'RolesAssignedOutsidePimAlert',
        'NoMfaOnRoleActivationAlert',
        'RedundantAssignmentAlert',
        'SequentialActivationRenewalsAlert',
        'StaleSignInAlert',
        'BreakGlassAccountUsedAlert',
        'BreakGlassAccountTestOverdueAlert',
      ].map(alertId),
    );
    expect(body.value[2]).toStrictEqual({
      id: alertId('NoMfaOnRoleActivationAlert'),
      alertDefinitionId: alertId('NoMfaOnRoleActivationAlert'),
      scopeId: '/',
      scopeType: 'DirectoryRole',
      incidentCount: 0,
      isActive: false,
      lastModifiedDateTime: null,
      lastScannedDateTime: null,
    });

    const configs = await call(
      s,
      'GET',
      `${BASE}/alertConfigurations?${SCOPE}&$expand=alertDefinition`,
      admin,
    );
    expect(configs.statusCode, configs.body).toBe(200);
    const ga = configs.json<{ value: Json[] }>().value[0]!;
    expect(ga).toMatchObject({
      '@odata.type': '#microsoft.graph.tooManyGlobalAdminsAssignedToTenantAlertConfiguration',
      id: alertId('TooManyGlobalAdminsAssignedToTenantAlert'),
      isEnabled: true,
      globalAdminCountThreshold: 3,
      percentageOfGlobalAdminsOutOfRolesThreshold: 10,
      alertDefinition: { severityLevel: 'low', isConfigurable: true, isRemediatable: false },
    });

    const defs = await call(
      s,
      'GET',
      `${BASE}/alertDefinitions?${filterQuery(
        `scopeId eq '/' and scopeType eq 'DirectoryRole' and id eq '${alertId('RolesAssignedOutsidePimAlert')}'`,
      )}`,
      admin,
    );
    expect(defs.json<{ value: Json[] }>().value).toMatchObject([
      { id: alertId('RolesAssignedOutsidePimAlert'), severityLevel: 'high', isRemediatable: true },
    ]);
    // Another scope has no alerts.
    const other = await call(
      s,
      'GET',
      `${BASE}/alerts?${filterQuery("scopeId eq '/x' and scopeType eq 'DirectoryRole'")}`,
      admin,
    );
    expect(other.json<{ value: unknown[] }>().value).toEqual([]);
  });

  it('bad input gets a Graph 4xx and changes nothing', async () => {
    const before = await dbSnapshot(s);
    for (const path of ['alerts', 'alertDefinitions', 'alertConfigurations']) {
      expectGraphError(await call(s, 'GET', `${BASE}/${path}`, admin), 400, 'invalidFilter');
      expectGraphError(
        await call(s, 'GET', `${BASE}/${path}?${filterQuery("scopeId eq '/'")}`, admin),
        400,
        'invalidFilter',
      );
    }
    expectGraphError(
      await call(
        s,
        'GET',
        `${BASE}/alerts?${filterQuery("scopeId eq '/' and scopeType eq 'DirectoryRole' or isActive eq true")}`,
        admin,
      ),
      400,
      'invalidFilter',
    );
    expectGraphError(
      await call(s, 'GET', `${BASE}/alerts?${SCOPE}&$expand=nothing`, admin),
      400,
      'invalidExpand',
    );
    const unknown = `DirectoryRole_${s.boot.tenantId}_InvalidLicenseAlert`;
    expectGraphError(
      await call(s, 'GET', `${BASE}/alerts/${unknown}`, admin),
      404,
      'Request_ResourceNotFound',
    );
    expectGraphError(await call(s, 'POST', `${BASE}/alerts/${unknown}/refresh`, admin), 404);
    expectGraphError(await call(s, 'PATCH', `${BASE}/alerts/${unknown}`, admin, { isActive: false }), 404);
    const otherTenant = `DirectoryRole_00000000-0000-4000-8000-000000000000_NoMfaOnRoleActivationAlert`;
    expectGraphError(await call(s, 'GET', `${BASE}/alerts/${otherTenant}`, admin), 404);
    expectGraphError(
      await call(s, 'PATCH', `${BASE}/alerts/${alertId('NoMfaOnRoleActivationAlert')}`, admin, {
        isActive: true,
      }),
      400,
    );
    const ga = 'TooManyGlobalAdminsAssignedToTenantAlert';
    for (const body of [
      { globalAdminCountThreshold: 1 },
      { globalAdminCountThreshold: 101 },
      { globalAdminCountThreshold: '5' },
      { percentageOfGlobalAdminsOutOfRolesThreshold: -1 },
      { duration: 'P1D' },
      { isEnabled: 'no' },
      {},
      { '@odata.type': '#microsoft.graph.staleSignInAlertConfiguration', isEnabled: false },
    ])
      expectGraphError(await patchConfiguration(ga, body), 400);
    expectGraphError(
      await patchConfiguration('SequentialActivationRenewalsAlert', {
        timeIntervalBetweenActivations: 'PT10M',
      }),
      400,
    );
    expectGraphError(await patchConfiguration('RedundantAssignmentAlert', { duration: 'soon' }), 400);
    expectGraphError(
      await call(s, 'POST', `${BASE}/alerts/${alertId(ga)}/alertIncidents/nothing/remediate`, admin),
      404,
    );
    expect(await dbSnapshot(s)).toStrictEqual(before);
  });
});

describe('each alert: risky state, incident with Graph fields, fix, cleared', () => {
  it('TooManyGlobalAdminsAssignedToTenantAlert: both thresholds; raising the count threshold clears it', async () => {
    const name = 'TooManyGlobalAdminsAssignedToTenantAlert';
    const users: string[] = [];
    for (let i = 0; i < 2; i++) users.push(await eligibleUser(GLOBAL_ADMINISTRATOR, `GA ${i}`));
    await refresh(name);
    // The bootstrap administrator and two more: 3, not above the threshold of 3.
    expect(await alert(name)).toMatchObject({ isActive: false, incidentCount: 0 });
    users.push(await eligibleUser(GLOBAL_ADMINISTRATOR, 'GA 2'));
    await refresh(name);
    const raised = await alert(name);
    expect(raised).toMatchObject({
      isActive: true,
      incidentCount: 4,
      lastScannedDateTime: expect.stringMatching(ISO),
    });
    expect(incident(raised, users[2]!)).toStrictEqual({
      '@odata.type': '#microsoft.graph.tooManyGlobalAdminsAssignedToTenantAlertIncident',
      id: users[2],
      assigneeId: users[2],
      assigneeDisplayName: 'GA 2',
      assigneeUserPrincipalName: `${users[2]!.slice(0, 8)}@contoso.test`,
    });
    const incidents = await call(s, 'GET', `${BASE}/alerts/${alertId(name)}/alertIncidents`, admin);
    expect(incidents.json<{ value: unknown[] }>().value).toHaveLength(4);

    expect((await patchConfiguration(name, { globalAdminCountThreshold: 4 })).statusCode).toBe(204);
    expect(await alert(name)).toMatchObject({ isActive: false, incidentCount: 0 });
    const config = await call(s, 'GET', `${BASE}/alertConfigurations/${alertId(name)}`, admin);
    expect(config.json()).toMatchObject({
      globalAdminCountThreshold: 4,
      percentageOfGlobalAdminsOutOfRolesThreshold: 10,
    });
  });

  it('RolesAssignedOutsidePimAlert: a direct assignment; remediation makes it eligible through PIM', async () => {
    const name = 'RolesAssignedOutsidePimAlert';
    const user = await addUser(s, [], 'Direct Holder');
    const created = await call(s, 'POST', '/v1.0/roleManagement/directory/roleAssignments', admin, {
      principalId: user,
      roleDefinitionId: HELPDESK_ADMINISTRATOR,
      directoryScopeId: '/',
    });
    expect(created.statusCode, created.body).toBe(201);
    const assignmentId = created.json<{ id: string }>().id;
    await refresh(name);
    const raised = await alert(name);
    expect(raised.isActive).toBe(true);
    expect(incident(raised, assignmentId)).toStrictEqual({
      '@odata.type': '#microsoft.graph.rolesAssignedOutsidePrivilegedIdentityManagementAlertIncident',
      id: assignmentId,
      assigneeId: user,
      assigneeDisplayName: 'Direct Holder',
      assigneeUserPrincipalName: `${user.slice(0, 8)}@contoso.test`,
      assignmentCreatedDateTime: new Date(clock.now()).toISOString(),
      roleDefinitionId: HELPDESK_ADMINISTRATOR,
      roleDisplayName: 'Helpdesk Administrator',
      roleTemplateId: HELPDESK_ADMINISTRATOR,
    });

    const res = await call(
      s,
      'POST',
      `${BASE}/alerts/${alertId(name)}/alertIncidents/${assignmentId}/remediate`,
      admin,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(incident(await alert(name), assignmentId)).toBeUndefined();
    expect(
      (await call(s, 'GET', `/v1.0/roleManagement/directory/roleAssignments/${assignmentId}`, admin))
        .statusCode,
    ).toBe(404);
    const eligible = await call(
      s,
      'GET',
      `/v1.0/roleManagement/directory/roleEligibilitySchedules?${filterQuery(`principalId eq '${user}'`)}`,
      admin,
    );
    expect(eligible.json<{ value: Json[] }>().value).toMatchObject([
      { principalId: user, roleDefinitionId: HELPDESK_ADMINISTRATOR, memberType: 'Direct' },
    ]);
  });

  it('NoMfaOnRoleActivationAlert: MFA taken off a role; remediation puts it back through the policy', async () => {
    const name = 'NoMfaOnRoleActivationAlert';
    await refresh(name);
    expect(await alert(name)).toMatchObject({ isActive: false, incidentCount: 0 });
    await setActivationRules(s, HELPDESK_ADMINISTRATOR, ['Justification']);
    await refresh(name);
    const raised = await alert(name);
    expect(raised).toMatchObject({ isActive: true, incidentCount: 1 });
    expect(incident(raised, HELPDESK_ADMINISTRATOR)).toStrictEqual({
      '@odata.type': '#microsoft.graph.noMfaOnRoleActivationAlertIncident',
      id: HELPDESK_ADMINISTRATOR,
      roleTemplateId: HELPDESK_ADMINISTRATOR,
      roleDisplayName: 'Helpdesk Administrator',
    });
    const res = await call(
      s,
      'POST',
      `${BASE}/alerts/${alertId(name)}/alertIncidents/${HELPDESK_ADMINISTRATOR}/remediate`,
      admin,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(await alert(name)).toMatchObject({ isActive: false, incidentCount: 0 });
    const policies = await call(
      s,
      'GET',
      `/v1.0/policies/roleManagementPolicyAssignments?${filterQuery(
        `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${HELPDESK_ADMINISTRATOR}'`,
      )}&$expand=policy($expand=rules)`,
      admin,
    );
    const rules = policies.json<{ value: { policy: { rules: Json[] } }[] }>().value[0]!.policy.rules;
    expect(rules.find((r) => r.id === 'Enablement_EndUser_Assignment')).toMatchObject({
      enabledRules: ['Justification', 'MultiFactorAuthentication'],
    });
  });

  it('RedundantAssignmentAlert: eligible for longer than the duration without activating; remediation removes the eligibility', async () => {
    const name = 'RedundantAssignmentAlert';
    const user = await eligibleUser(HELPDESK_ADMINISTRATOR, 'Idle Admin');
    await refresh(name);
    expect((await alert(name)).alertIncidents?.some((i) => i.assigneeId === user)).toBe(false);
    clock.advance(15 * DAY);
    admin = await adminAt(s, clock);
    await refresh(name);
    const raised = await alert(name);
    expect(raised.isActive).toBe(true);
    const found = raised.alertIncidents?.find((i) => i.assigneeId === user);
    expect(found).toMatchObject({
      '@odata.type': '#microsoft.graph.redundantAssignmentAlertIncident',
      assigneeDisplayName: 'Idle Admin',
      lastActivationDateTime: null,
      roleDefinitionId: HELPDESK_ADMINISTRATOR,
      roleDisplayName: 'Helpdesk Administrator',
      roleTemplateId: HELPDESK_ADMINISTRATOR,
    });
    const res = await call(
      s,
      'POST',
      `${BASE}/alerts/${alertId(name)}/alertIncidents/${found!.id}/remediate`,
      admin,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect((await alert(name)).alertIncidents?.some((i) => i.assigneeId === user)).toBe(false);
    const eligible = await call(
      s,
      'GET',
      `/v1.0/roleManagement/directory/roleEligibilitySchedules?${filterQuery(`principalId eq '${user}'`)}`,
      admin,
    );
    expect(eligible.json<{ value: unknown[] }>().value).toEqual([]);
  });

  it('StaleSignInAlert: a privileged user not signed in for the duration; a sign-in clears it; remediation removes the eligibility', async () => {
    const name = 'StaleSignInAlert';
    const user = await eligibleUser(HELPDESK_ADMINISTRATOR, 'Quiet Admin');
    // A completed sign-in records this (test/identity/sign-in-activity.test.ts).
    const signedIn = () =>
      createUnitOfWork(s.db).run((tx) => tx.signInActivity.record(s.boot.tenantId, user, clock.now()));
    await signedIn();
    const lastSeen = clock.now();
    await refresh(name);
    expect((await alert(name)).alertIncidents?.some((i) => i.assigneeId === user)).toBe(false);

    clock.advance(30 * DAY - 1);
    admin = await adminAt(s, clock);
    await refresh(name);
    expect((await alert(name)).alertIncidents?.some((i) => i.assigneeId === user)).toBe(false);
    clock.advance(1);
    admin = await adminAt(s, clock);
    await refresh(name);
    const raised = await alert(name);
    expect(raised.isActive).toBe(true);
    const found = raised.alertIncidents?.find((i) => i.assigneeId === user);
    expect(found).toMatchObject({
      '@odata.type': '#microsoft.graph.staleSignInAlertIncident',
      assigneeDisplayName: 'Quiet Admin',
      assignmentCreatedDateTime: expect.stringMatching(ISO),
      lastSignInDateTime: new Date(lastSeen).toISOString(),
      roleDefinitionId: HELPDESK_ADMINISTRATOR,
      roleDisplayName: 'Helpdesk Administrator',
      roleTemplateId: HELPDESK_ADMINISTRATOR,
    });
    expect(raised.alertDefinition).toMatchObject({ severityLevel: 'medium', isRemediatable: true });

    // Signing in again clears it.
    await signedIn();
    await refresh(name);
    expect((await alert(name)).alertIncidents?.some((i) => i.assigneeId === user)).toBe(false);

    // A shorter duration raises it again; out-of-range durations are refused and change nothing.
    clock.advance(2 * DAY);
    admin = await adminAt(s, clock);
    for (const duration of ['PT1H', 'P366D', 7])
      expectGraphError(await patchConfiguration(name, { duration }), 400);
    expect(
      (await call(s, 'GET', `${BASE}/alertConfigurations/${alertId(name)}`, admin)).json(),
    ).toMatchObject({
      '@odata.type': '#microsoft.graph.staleSignInAlertConfiguration',
      duration: 'P30D',
    });
    const patched = await patchConfiguration(name, { duration: 'P1D' });
    expect(patched.statusCode, patched.body).toBe(204);
    const again = (await alert(name)).alertIncidents?.find((i) => i.assigneeId === user);
    expect(again).toBeDefined();

    const res = await call(
      s,
      'POST',
      `${BASE}/alerts/${alertId(name)}/alertIncidents/${again!.id}/remediate`,
      admin,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect((await alert(name)).alertIncidents?.some((i) => i.assigneeId === user)).toBe(false);
    const eligible = await call(
      s,
      'GET',
      `/v1.0/roleManagement/directory/roleEligibilitySchedules?${filterQuery(`principalId eq '${user}'`)}`,
      admin,
    );
    expect(eligible.json<{ value: unknown[] }>().value).toEqual([]);
  });

  it('SequentialActivationRenewalsAlert: two activations within an hour; a higher threshold clears it; dismissal', async () => {
    const name = 'SequentialActivationRenewalsAlert';
    const user = await eligibleUser(HELPDESK_ADMINISTRATOR, 'Busy Admin');
    const uc = useCases(s, clock);
    const activate = () =>
      uc.requests.create(userCaller(s, user, { amr: ['pwd', 'mfa'], authTimeMs: clock.now() - MINUTE }), {
        kind: 'assignment',
        action: 'selfActivate',
        principalId: user,
        roleDefinitionId: HELPDESK_ADMINISTRATOR,
        directoryScopeId: '/',
        justification: 'ticket work',
        ticketInfo: null,
        scheduleInfo: {
          startDateTime: null,
          expiration: { type: 'afterDuration', endDateTime: null, duration: 'PT30M' },
        },
        isValidationOnly: false,
        customData: null,
      });
    const first = clock.now();
    await activate();
    await refresh(name);
    expect(await alert(name)).toMatchObject({ isActive: false, incidentCount: 0 });
    clock.advance(40 * MINUTE);
    admin = await adminAt(s, clock);
    await activate();
    await refresh(name);
    const raised = await alert(name);
    expect(raised).toMatchObject({ isActive: true, incidentCount: 1 });
    expect(raised.alertIncidents![0]).toStrictEqual({
      '@odata.type': '#microsoft.graph.sequentialActivationRenewalsAlertIncident',
      id: `${user}_${HELPDESK_ADMINISTRATOR}`,
      assigneeId: user,
      assigneeDisplayName: 'Busy Admin',
      assigneeUserPrincipalName: `${user.slice(0, 8)}@contoso.test`,
      activationCount: 2,
      sequenceStartDateTime: new Date(first).toISOString(),
      sequenceEndDateTime: new Date(first + 40 * MINUTE).toISOString(),
      roleDefinitionId: HELPDESK_ADMINISTRATOR,
      roleDisplayName: 'Helpdesk Administrator',
      roleTemplateId: HELPDESK_ADMINISTRATOR,
    });

    // Dismissed, it stays inactive while the incidents are the same ones.
    const dismissed = await call(s, 'PATCH', `${BASE}/alerts/${alertId(name)}`, admin, { isActive: false });
    expect(dismissed.statusCode, dismissed.body).toBe(204);
    await refresh(name);
    expect(await alert(name)).toMatchObject({ isActive: false, incidentCount: 1 });
    // Not remediable.
    expectGraphError(
      await call(
        s,
        'POST',
        `${BASE}/alerts/${alertId(name)}/alertIncidents/${user}_${HELPDESK_ADMINISTRATOR}/remediate`,
        admin,
      ),
      400,
    );

    expect((await patchConfiguration(name, { sequentialActivationCounterThreshold: 3 })).statusCode).toBe(
      204,
    );
    expect(await alert(name)).toMatchObject({ isActive: false, incidentCount: 0 });
  });

  it('a relevant change is followed by a scan after commit (the outbox), one per burst, none for unrelated changes', async () => {
    const name = 'RolesAssignedOutsidePimAlert';
    await call(s, 'POST', `${BASE}/alerts/refresh`, admin, { scopeId: '/', scopeType: 'DirectoryRole' });
    const refreshedAt = clock.now();
    const versions = async () =>
      (await createUnitOfWork(s.db).run((tx) => tx.alerts.list(s.boot.tenantId))).map((a) => a.version);
    const scanned = await versions();
    // An unrelated change (a group) scans nothing.
    clock.advance(1);
    admin = await adminAt(s, clock);
    const group = await call(s, 'POST', '/v1.0/groups', admin, {
      displayName: 'Unrelated',
      mailNickname: 'unrelated',
      mailEnabled: false,
      securityEnabled: true,
    });
    expect(group.statusCode, group.body).toBe(201);
    await s.outbox.runOnce();
    expect(await versions()).toEqual(scanned);

    // Three direct assignments of a privileged role in a burst: the incidents appear with no refresh.
    const users = [await addUser(s), await addUser(s), await addUser(s)];
    const ids: string[] = [];
    for (const user of users) {
      const created = await call(s, 'POST', '/v1.0/roleManagement/directory/roleAssignments', admin, {
        principalId: user,
        roleDefinitionId: HELPDESK_ADMINISTRATOR,
        directoryScopeId: '/',
      });
      expect(created.statusCode, created.body).toBe(201);
      ids.push(created.json<{ id: string }>().id);
    }
    expect(incident(await alert(name), ids[0]!)).toBeUndefined();
    // Within the spacing (60 s by default) of the refresh's scan the messages wait: no scan yet,
    // and no attempt counted against them.
    clock.advance(1);
    await s.outbox.runOnce();
    expect(await versions()).toEqual(scanned);
    const scanner = () =>
      s.db.kysely
        .selectFrom('outbox_consumers')
        .select(['cursor_seq', 'attempts', 'next_attempt_at', 'last_error'])
        .where('name', '=', 'alertScans')
        .executeTakeFirstOrThrow();
    const waiting = await scanner();
    expect(waiting).toMatchObject({ attempts: 0, last_error: null });
    expect(Number(waiting.next_attempt_at)).toBe(refreshedAt + DEFAULT_ALERT_SCAN_SPACING_MS);
    clock.set(refreshedAt + DEFAULT_ALERT_SCAN_SPACING_MS - 1);
    await s.outbox.runOnce();
    expect(await versions()).toEqual(scanned);
    // Once it is up, one scan covers the burst: the incidents appear with no refresh.
    clock.advance(1);
    await s.outbox.runOnce();
    const raised = await alert(name);
    expect(ids.every((id) => incident(raised, id) !== undefined)).toBe(true);
    expect(raised.isActive).toBe(true);
    // One scan for the three messages: each stored alert saved once more.
    expect(await versions()).toEqual(scanned.map((v) => v + 1));
    // The cursor moved past the burst: later messages of it were skipped as covered.
    expect(Number((await scanner()).cursor_seq)).toBeGreaterThan(Number(waiting.cursor_seq));
    expect(await scanner()).toMatchObject({ attempts: 0, last_error: null });
  });

  it('the operation a refresh names (Location) has succeeded at the scan; unknown or never-run ones are 404', async () => {
    const name = 'NoMfaOnRoleActivationAlert';
    const operation = (id: string) => call(s, 'GET', `${BASE}/operations/${id}`, admin);
    // Never scanned: no refresh has run, so there is no operation to read.
    expect((await operation(`refresh:${alertId(name)}`)).statusCode).toBe(404);
    expect((await operation('refresh:all')).statusCode).toBe(404);
    clock.advance(1_000);
    await refresh(name);
    const scannedAt = new Date(clock.now()).toISOString();
    const res = await call(s, 'GET', `${BASE}/operations/refresh:${alertId(name)}`, admin);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      '@odata.context': `${PUBLIC_URL}/beta/$metadata#identityGovernance/roleManagementAlerts/operations/$entity`,
      '@odata.type': '#microsoft.graph.longRunningOperation',
      id: `refresh:${alertId(name)}`,
      createdDateTime: scannedAt,
      lastActionDateTime: scannedAt,
      resourceLocation: `${PUBLIC_URL}/beta${BASE.slice(5)}/alerts/${alertId(name)}`,
      status: 'succeeded',
      statusDetail: null,
    });
    clock.advance(1_000);
    const all = await call(s, 'POST', `${BASE}/alerts/refresh`, admin, {
      scopeId: '/',
      scopeType: 'DirectoryRole',
    });
    expect(all.statusCode, all.body).toBe(202);
    const followed = await call(s, 'GET', new URL(String(all.headers.location)).pathname, admin);
    expect(followed.statusCode, followed.body).toBe(200);
    expect(followed.json()).toMatchObject({
      id: 'refresh:all',
      status: 'succeeded',
      lastActionDateTime: new Date(clock.now()).toISOString(),
      resourceLocation: `${PUBLIC_URL}/beta${BASE.slice(5)}/alerts`,
    });
    // Another tenant's alert, a made-up one, or an operation of another kind: 404.
    for (const id of [
      `refresh:DirectoryRole_${crypto.randomUUID()}_${name}`,
      'refresh:nope',
      `scan:${alertId(name)}`,
    ])
      expect((await operation(encodeURIComponent(id))).statusCode, id).toBe(404);
  });

  it('the timer scan covers every tenant, audited as Elevate itself', async () => {
    await setActivationRules(s, HELPDESK_ADMINISTRATOR, ['Justification']);
    await makeRoleManagementAlerts({ uow: createUnitOfWork(s.db), clock }).scanAll();
    expect(await alert('NoMfaOnRoleActivationAlert')).toMatchObject({
      isActive: true,
      incidentCount: 1,
      lastScannedDateTime: new Date(clock.now()).toISOString(),
    });
    const audited = await s.db.kysely
      .selectFrom('audit_entries')
      .select(['activity_display_name', 'payload'])
      .where('activity_display_name', '=', 'Alert incidents changed in PIM')
      .execute();
    expect(audited.length).toBeGreaterThan(0);
    expect(audited.map((a) => String(a.payload)).join()).toContain('NoMfaOnRoleActivationAlert');
  });

  it('concurrent refreshes all succeed: the losers of the compare-and-set scan again', async () => {
    await setActivationRules(s, HELPDESK_ADMINISTRATOR, ['Justification']);
    const name = 'NoMfaOnRoleActivationAlert';
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => call(s, 'POST', `${BASE}/alerts/${alertId(name)}/refresh`, admin)),
    );
    expect(answers.map((r) => r.statusCode)).toEqual([202, 202, 202, 202]);
    expect(await alert(name)).toMatchObject({ isActive: true, incidentCount: 1 });
    const rows = await s.db.kysely.selectFrom('role_management_alerts').select('version').execute();
    expect(rows).toEqual([{ version: 4 }]);
  });

  it('a disabled alert holds no incident; refreshing all alerts scans every one', async () => {
    await setActivationRules(s, HELPDESK_ADMINISTRATOR, ['Justification']);
    const all = await call(s, 'POST', `${BASE}/alerts/refresh`, admin, {
      scopeId: '/',
      scopeType: 'DirectoryRole',
    });
    expect(all.statusCode, all.body).toBe(202);
    const list = (await call(s, 'GET', `${BASE}/alerts?${SCOPE}`, admin)).json<{ value: Json[] }>().value;
    expect(list.every((a) => typeof a.lastScannedDateTime === 'string')).toBe(true);
    expect(await alert('NoMfaOnRoleActivationAlert')).toMatchObject({ isActive: true, incidentCount: 1 });
    expect((await patchConfiguration('NoMfaOnRoleActivationAlert', { isEnabled: false })).statusCode).toBe(
      204,
    );
    expect(await alert('NoMfaOnRoleActivationAlert')).toMatchObject({ isActive: false, incidentCount: 0 });
  });
});

describe('compliance report item alertsEnabled', () => {
  const item = async () => {
    const res = await call(s, 'GET', '/v1.0/elevate/complianceReport', admin);
    expect(res.statusCode, res.body).toBe(200);
    return res
      .json<{ items: (Json & { id: string; evidence: Json })[] }>()
      .items.find((i) => i.id === 'alertsEnabled')!;
  };

  it('passes only while every alert is on, scanned within a day, with no open high-severity incident', async () => {
    const never = await item();
    expect(never).toMatchObject({ status: 'fail', summary: '8 alert(s) not scanned within a day.' });

    const all = await call(s, 'POST', `${BASE}/alerts/refresh`, admin, {
      scopeId: '/',
      scopeType: 'DirectoryRole',
    });
    expect(all.statusCode).toBe(202);
    // The bootstrap administrator holds Global Administrator directly: a high-severity incident.
    const outside = alertId('RolesAssignedOutsidePimAlert');
    const open = await item();
    expect(open.status).toBe('fail');
    const adminAssignment = (await alert('RolesAssignedOutsidePimAlert')).alertIncidents!.find(
      (i) => i.assigneeId === s.boot.admin.id,
    )!.id;
    expect(open.evidence.openHighSeverityIncidents).toEqual([
      { alertId: outside, incidentId: adminAssignment },
    ]);

    // Reviewed: dismissed, the incident stays in the evidence and the item passes.
    expect((await call(s, 'PATCH', `${BASE}/alerts/${outside}`, admin, { isActive: false })).statusCode).toBe(
      204,
    );
    const reviewed = await item();
    expect(reviewed).toMatchObject({
      status: 'pass',
      evidence: {
        openHighSeverityIncidents: [],
        dismissedHighSeverityIncidents: [{ alertId: outside, incidentId: adminAssignment }],
      },
    });

    clock.advance(DAY + 1);
    admin = await adminAt(s, clock);
    expect((await item()).evidence.notScannedWithinADay).toHaveLength(8);
    await call(s, 'POST', `${BASE}/alerts/refresh`, admin, { scopeId: '/', scopeType: 'DirectoryRole' });
    expect((await item()).status).toBe('pass');

    expect((await patchConfiguration('InvalidLicenseAlert', { isEnabled: false })).statusCode).toBe(404);
    expect((await patchConfiguration('RedundantAssignmentAlert', { isEnabled: false })).statusCode).toBe(204);
    expect(await item()).toMatchObject({
      status: 'fail',
      evidence: { disabledAlerts: [alertId('RedundantAssignmentAlert')] },
    });
  });
});
