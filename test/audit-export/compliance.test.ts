import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ComplianceReport } from '../../src/app/compliance/compliance-report.js';
import { createElevate, type Elevate, type ElevateOptions } from '../../src/compose.js';
import { newId } from '../../src/domain/shared/ids.js';
import { systemClock } from '../../src/domain/time/clock.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { dialectName, freshDb } from '../helpers/db.js';
import { PUBLIC_URL } from '../helpers/server.js';
import { DEFINITIONS, definitionBody, userReviewer } from '../access-reviews/support.js';

const GA = '62e90394-69f5-4237-9190-012177145e10';
const SECURITY_ADMIN = '194ae4cb-b126-40b2-bd5b-6091b380977d';
const PRIVILEGED_ROLE_ADMIN = 'e8611ab8-c189-46e8-94e1-60213ab1f814';
const ROLES = '/v1.0/roleManagement/directory';
const REPORT = '/v1.0/elevate/complianceReport';

type Json = Record<string, unknown>;

describe(`compliance report on a freshly bootstrapped Elevate (${dialectName})`, () => {
  let db: Awaited<ReturnType<typeof freshDb>>;
  let dir: string;
  let elevate: Elevate;
  let headers: Record<string, string>;
  let base: ElevateOptions;

  beforeEach(async () => {
    db = await freshDb();
    dir = mkdtempSync(join(tmpdir(), 'elevate-compliance-'));
    base = {
      db,
      box: createSecretBox(randomBytes(32)),
      clock: systemClock,
      logger: false,
      publicUrl: PUBLIC_URL,
      accessTokenTtlSeconds: 600,
      bootstrapAdminUpn: 'admin@contoso.test',
      auditCheckpointIntervalMs: 0,
      // Nothing is published unless a test runs the checkpoint job (its timer is off).
      auditWitnessFile: join(dir, 'witness.jsonl'),
      expirySweepIntervalMs: 0,
      auditForwardIntervalMs: 0,
    };
    elevate = await createElevate(base);
    const boot = elevate.bootstrapped!;
    const token = await elevate.app.inject({
      method: 'POST',
      url: `/${boot.tenantId}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: boot.app.clientId,
        client_secret: boot.app.clientSecret,
        scope: `${PUBLIC_URL}/.default`,
      }).toString(),
    });
    headers = { authorization: `Bearer ${token.json<{ access_token: string }>().access_token}` };
  });
  afterEach(async () => {
    await elevate.app.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function api(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
    const res = await elevate.app.inject({
      method,
      url,
      headers: payload === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.body === '' ? {} : res.json<Json>();
  }
  const report = async () => (await api('GET', REPORT)) as unknown as ComplianceReport;
  const verdicts = (r: ComplianceReport) => Object.fromEntries(r.items.map((i) => [i.id, i.status]));
  const itemOf = (r: ComplianceReport, id: string) => r.items.find((i) => i.id === id)!;

  async function patchRule(roleId: string, ruleId: string, change: (rule: Json) => void) {
    const filter = encodeURIComponent(
      `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${roleId}'`,
    );
    const assignments = await api('GET', `/v1.0/policies/roleManagementPolicyAssignments?$filter=${filter}`);
    const policyId = (assignments.value as { policyId: string }[])[0]!.policyId;
    const url = `/v1.0/policies/roleManagementPolicies/${policyId}/rules/${ruleId}`;
    const { '@odata.context': _context, ...rule } = await api('GET', url);
    change(rule);
    await api('PATCH', url, rule);
  }

  it('fails what really fails, then passes once the admin fixes the deployment through the API', async () => {
    const adminId = elevate.bootstrapped!.admin.id;
    const before = await report();
    expect(before.auditChain).toMatchObject({ verified: true, entries: expect.any(Number) });
    expect(verdicts(before)).toEqual({
      noPermanentPrivilegedAssignments: 'fail',
      breakGlassAccountsMonitored: 'fail',
      mfaOnActivation: 'pass',
      phishingResistantMfaForCriticalRoles: 'fail',
      approvalForCriticalRoles: 'fail',
      maxActivationEightHours: 'pass',
      eligibilityExpiresWithinSixMonths: 'fail',
      justificationAndTicketRequired: 'fail',
      notificationsConfigured: 'fail', // the rules ask for it, but no channel exists to carry it
      accessReviewsQuarterly: 'fail',
      accessReviewsAutoApply: 'fail',
      alertsEnabled: 'fail',
      auditForwardedToSiem: 'fail',
    });
    expect(itemOf(before, 'noPermanentPrivilegedAssignments').evidence.offending).toEqual([
      expect.objectContaining({
        principalId: adminId,
        roleDefinitionId: GA,
        roleDisplayName: 'Global Administrator',
        origin: 'direct',
        endDateTime: null,
      }),
    ]);
    expect(itemOf(before, 'approvalForCriticalRoles').evidence.roles).toEqual([
      { roleDefinitionId: GA, roleDisplayName: 'Global Administrator', approvalRequired: false },
      {
        roleDefinitionId: SECURITY_ADMIN,
        roleDisplayName: 'Security Administrator',
        approvalRequired: false,
      },
    ]);
    expect(itemOf(before, 'accessReviewsQuarterly').summary).toMatch(
      /in no review recurring at least quarterly.*not reviewed within the last quarter/,
    );
    expect(itemOf(before, 'phishingResistantMfaForCriticalRoles').evidence).toEqual({
      rolesRequiringPhishingResistantMfa: [],
      criticalRolesLacking: [
        { roleDefinitionId: GA, roleDisplayName: 'Global Administrator' },
        { roleDefinitionId: PRIVILEGED_ROLE_ADMIN, roleDisplayName: 'Privileged Role Administrator' },
      ],
    });
    expect(itemOf(before, 'noPermanentPrivilegedAssignments').controls.soc2).toContain('CC6.1');

    // The fixes, all through the Graph API.
    const roles = await api('GET', `${ROLES}/roleDefinitions?$filter=isPrivileged eq true&$top=999`);
    for (const { id } of roles.value as { id: string }[]) {
      await patchRule(id, 'Enablement_EndUser_Assignment', (r) => {
        r.enabledRules = ['MultiFactorAuthentication', 'Justification', 'Ticketing'];
      });
      await patchRule(id, 'Expiration_Admin_Eligibility', (r) => {
        r.isExpirationRequired = true;
        r.maximumDuration = 'P180D';
      });
    }
    // The built-in phishing-resistant context c1, one PATCH per role.
    for (const id of [GA, PRIVILEGED_ROLE_ADMIN])
      await patchRule(id, 'AuthenticationContext_EndUser_Assignment', (r) => {
        r.isEnabled = true;
        r.claimValue = 'c1';
      });
    for (const id of [GA, SECURITY_ADMIN])
      await patchRule(id, 'Approval_EndUser_Assignment', (r) => {
        (r.setting as Json).isApprovalRequired = true;
      });
    await api('POST', `${ROLES}/roleEligibilityScheduleRequests`, {
      action: 'adminAssign',
      principalId: adminId,
      roleDefinitionId: GA,
      directoryScopeId: '/',
      justification: 'Standing access becomes just-in-time',
      scheduleInfo: {
        startDateTime: new Date().toISOString(),
        expiration: { type: 'afterDuration', duration: 'P90D' },
      },
    });
    const direct = await api(
      'GET',
      `${ROLES}/roleAssignments?$filter=${encodeURIComponent(`principalId eq '${adminId}'`)}`,
    );
    for (const a of direct.value as { id: string }[]) await api('DELETE', `${ROLES}/roleAssignments/${a.id}`);
    // A break-glass account: permanent Global Administrator, member of the break-glass group.
    const breakGlass = await api('POST', '/v1.0/users', {
      accountEnabled: true,
      displayName: 'Break glass 1',
      userPrincipalName: `bg${newId().slice(0, 6)}@contoso.test`,
    });
    const group = await api('POST', '/v1.0/groups', {
      displayName: 'Break-glass accounts',
      mailNickname: 'breakglass',
      mailEnabled: false,
      securityEnabled: true,
      isAssignableToRole: true,
    });
    await api('POST', `/v1.0/groups/${group.id as string}/members/$ref`, {
      '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${breakGlass.id as string}`,
    });
    // Standing Global Administrator is refused by default: the switch is turned off for the
    // break-glass assignment and on again after it.
    await patchRule(GA, 'Expiration_Admin_Assignment', (r) => {
      r.isExpirationRequired = false;
    });
    await api('POST', `${ROLES}/roleAssignments`, {
      principalId: breakGlass.id,
      roleDefinitionId: GA,
      directoryScopeId: '/',
    });
    await patchRule(GA, 'Expiration_Admin_Assignment', (r) => {
      r.isExpirationRequired = true;
    });
    const half = await report();
    expect(verdicts(half)).toMatchObject({
      noPermanentPrivilegedAssignments: 'fail', // the break-glass group is not configured yet
      approvalForCriticalRoles: 'pass',
      eligibilityExpiresWithinSixMonths: 'pass',
      justificationAndTicketRequired: 'pass',
    });

    // The email channel, so that administrators can hear of privileged access.
    await api('PATCH', '/v1.0/elevate/notifications/email', {
      host: 'smtp.contoso.test',
      port: 587,
      security: 'starttls',
      fromAddress: 'pim@contoso.test',
    });
    // The operator configures break-glass and a SIEM destination, and restarts.
    await elevate.app.close();
    elevate = await createElevate({
      ...base,
      breakGlassGroupId: group.id as string,
      auditForward: [{ id: 'archive', type: 'file', path: join(dir, 'audit.jsonl'), format: 'json' }],
    });
    // The group alone (deprecated) exempts its members but does not monitor their use.
    expect(itemOf(await report(), 'breakGlassAccountsMonitored')).toMatchObject({
      status: 'fail',
      summary: expect.stringContaining(
        '1 member(s) of the deprecated ELEVATE_BREAK_GLASS_GROUP_ID group are not marked',
      ),
    });
    // Marked through the API (ADR 0033): every use is monitored from now on.
    await api('POST', '/v1.0/elevate/breakGlassAccounts', { userId: breakGlass.id });
    await elevate.forwarder.runOnce();
    const after = await report();
    expect(verdicts(after)).toEqual({
      noPermanentPrivilegedAssignments: 'pass',
      breakGlassAccountsMonitored: 'pass',
      mfaOnActivation: 'pass',
      phishingResistantMfaForCriticalRoles: 'pass',
      approvalForCriticalRoles: 'pass',
      maxActivationEightHours: 'pass',
      eligibilityExpiresWithinSixMonths: 'pass',
      justificationAndTicketRequired: 'pass',
      notificationsConfigured: 'pass',
      accessReviewsQuarterly: 'fail',
      accessReviewsAutoApply: 'fail',
      alertsEnabled: 'fail',
      auditForwardedToSiem: 'pass',
    });
    expect(after.summary).toEqual({ passed: 10, failed: 3, total: 13 });
    expect(itemOf(after, 'phishingResistantMfaForCriticalRoles').evidence).toEqual({
      rolesRequiringPhishingResistantMfa: [GA, PRIVILEGED_ROLE_ADMIN]
        .map((id) => ({
          roleDefinitionId: id,
          roleDisplayName: id === GA ? 'Global Administrator' : 'Privileged Role Administrator',
          claimValue: 'c1',
          requiresPhishingResistantMfa: true,
          maxAgeMinutes: 10,
        }))
        .sort((a, b) => a.roleDisplayName.localeCompare(b.roleDisplayName)),
      criticalRolesLacking: [],
    });
    expect(itemOf(after, 'noPermanentPrivilegedAssignments').evidence.breakGlassExempt).toEqual([
      expect.objectContaining({ principalId: breakGlass.id, roleDefinitionId: GA }),
    ]);
    expect(itemOf(after, 'auditForwardedToSiem').evidence.cursors).toEqual([
      { destinationId: 'archive', acceptedSeq: expect.any(Number), behind: 0 },
    ]);
  });

  it('passes the access review items once every held privileged role is in a quarterly, auto-applied review that has run', async () => {
    const adminId = elevate.bootstrapped!.admin.id;
    const items = async () => {
      const r = await report();
      return { quarterly: itemOf(r, 'accessReviewsQuarterly'), auto: itemOf(r, 'accessReviewsAutoApply') };
    };
    // The bootstrap administrator holds Global Administrator (direct): a privileged role to review.
    const none = await items();
    expect(none.quarterly.status).toBe('fail');
    expect(none.quarterly.evidence).toMatchObject({
      notScheduledQuarterly: [GA],
      notReviewedInLastQuarter: [GA],
    });
    expect(none.auto).toMatchObject({
      status: 'fail',
      summary: 'No quarterly access review covers a privileged role.',
    });

    const today = new Date().toISOString().slice(0, 10);
    const recurrence = (type: string, interval: number) => ({
      pattern: { type, interval },
      range: { type: 'noEnd', startDate: today },
    });
    // A yearly review does not make a quarterly one.
    await api(
      'POST',
      DEFINITIONS,
      definitionBody({
        roles: [GA],
        reviewers: [userReviewer(adminId)],
        settings: { recurrence: recurrence('absoluteYearly', 1) },
      }),
    );
    expect((await items()).quarterly.evidence).toMatchObject({ notScheduledQuarterly: [GA] });

    // Quarterly, but decisions applied by hand, and not run yet.
    const quarterlyBody = (autoApply: boolean) =>
      definitionBody({
        roles: [GA],
        reviewers: [userReviewer(adminId)],
        settings: { recurrence: recurrence('absoluteMonthly', 3), autoApplyDecisionsEnabled: autoApply },
      });
    const quarterly = (await api('POST', DEFINITIONS, quarterlyBody(false))).id as string;
    const scheduled = await items();
    expect(scheduled.quarterly.evidence).toMatchObject({
      notScheduledQuarterly: [],
      notReviewedInLastQuarter: [GA],
    });
    expect(scheduled.quarterly.status).toBe('fail');
    expect(scheduled.auto).toMatchObject({ status: 'fail', evidence: { notAutoApplied: [quarterly] } });

    // The scheduler starts this period's instances; the quarterly one is set to apply by itself.
    await elevate.accessReviews.runDue();
    await api('PUT', `${DEFINITIONS}/${quarterly}`, quarterlyBody(true));
    const done = await items();
    expect(done.quarterly.status, done.quarterly.summary).toBe('pass');
    const instances = (await api('GET', `${DEFINITIONS}/${quarterly}/instances`)).value as { id: string }[];
    expect(instances).toHaveLength(1);
    expect(done.quarterly.evidence.roles).toEqual([
      {
        roleDefinitionId: GA,
        roleDisplayName: 'Global Administrator',
        quarterlyDefinitionIds: [quarterly],
        lastReview: expect.objectContaining({ startDateTime: expect.any(String) }),
      },
    ]);
    expect(done.auto).toMatchObject({
      status: 'pass',
      evidence: { definitions: [{ id: quarterly, autoApplyDecisionsEnabled: true }], notAutoApplied: [] },
    });
  });

  it('passes notificationsConfigured only while a channel reaches administrators and delivers', async () => {
    const notified = async () => itemOf(await report(), 'notificationsConfigured');
    const none = await notified();
    expect(none.status).toBe('fail');
    expect(none.summary).toMatch(/^No channel can deliver/);
    expect(none.evidence).toMatchObject({ emailChannelEnabled: false, adminWebhooks: 0 });

    await api('PATCH', '/v1.0/elevate/notifications/email', {
      host: 'smtp.contoso.test',
      port: 587,
      security: 'starttls',
      fromAddress: 'pim@contoso.test',
    });
    const email = await notified();
    expect(email.status).toBe('pass');
    expect(email.evidence).toMatchObject({ emailChannelEnabled: true, adminMailboxes: 1 });
    // Switched off: the rules still ask, but nothing carries the message.
    await api('PATCH', '/v1.0/elevate/notifications/email', { isEnabled: false });
    expect((await notified()).status).toBe('fail');

    // A webhook filtered to other events does not count; one that receives activations does.
    const hook = await api('POST', '/v1.0/elevate/notifications/webhooks', {
      url: 'https://siem.contoso.test/elevate',
      eventTypes: ['activation.requested'],
    });
    expect((await notified()).status).toBe('fail');
    await api('PATCH', `/v1.0/elevate/notifications/webhooks/${hook.id as string}`, { eventTypes: [] });
    expect((await notified()).evidence).toMatchObject({ adminWebhooks: 1 });
    expect((await notified()).status).toBe('pass');

    // A week in which every delivery failed for good is not a channel that works.
    const tenantId = elevate.bootstrapped!.tenantId;
    const eventId = newId();
    await db.kysely
      .insertInto('notification_events')
      .values({
        id: eventId,
        tenant_id: tenantId,
        message_id: newId(),
        type: 'assignment.granted',
        occurred_at: Date.now(),
        data: '{}',
      })
      .execute();
    await db.kysely
      .insertInto('notification_deliveries')
      .values({
        id: newId(),
        tenant_id: tenantId,
        event_id: eventId,
        event_type: 'assignment.granted',
        channel: 'webhook',
        recipient: hook.id as string,
        audience: null,
        status: 'dead',
        attempts: 8,
        next_attempt_at: Date.now(),
        last_error: 'connection refused',
        lease_holder: null,
        lease_expires_at: 0,
        created_at: Date.now(),
        last_attempt_at: Date.now(),
        sent_at: null,
      })
      .execute();
    const failing = await notified();
    expect(failing.status).toBe('fail');
    expect(failing.summary).toMatch(/^Nothing was delivered in the last 7 days/);
    expect(failing.evidence).toMatchObject({ deliveriesLast7Days: { sent: 0, dead: 1 } });
  });

  it('renders a self-contained, escaped HTML page with the verified head hash', async () => {
    await api('POST', '/v1.0/users', {
      accountEnabled: true,
      displayName: '<script>alert(1)</script>',
      userPrincipalName: `x${newId().slice(0, 6)}@contoso.test`,
    });
    const json = await report();
    const res = await elevate.app.inject({ method: 'GET', url: `${REPORT}?format=html`, headers });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const html = res.body;
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(json.auditChain.verified ? json.auditChain.headHash : 'never');
    expect(html).not.toMatch(/<script|<link|src=|href=/i);
    expect(html).toContain('Global Administrator');
    expect(html).toContain('FAIL');
  });

  it('says which checkpoints the server recorded as published, where and when, and no more', async () => {
    const html = async () =>
      (await elevate.app.inject({ method: 'GET', url: `${REPORT}?format=html`, headers })).body;
    const lastCheckpoint = async () =>
      Number(
        (
          await db.kysely
            .selectFrom('audit_checkpoints')
            .select((eb) => eb.fn.max('seq').as('seq'))
            .executeTakeFirstOrThrow()
        ).seq,
      );
    const nothing = { lastCheckpoint: null, publishers: [] };
    expect((await report()).auditPublication).toEqual(nothing);
    expect((await api('GET', '/v1.0/auditLogs/verify')).publication).toEqual(nothing);
    expect(await html()).toContain('Audit checkpoints not published');

    // The job signs a checkpoint and the witness file accepts it.
    const [published] = await elevate.checkpoints.runOnce();
    expect(published).toMatchObject({ published: 1 });
    const first = await lastCheckpoint();
    const witness = {
      id: expect.stringMatching(/^witness-file:[0-9a-f]{16}$/),
      lastPublishedSeq: first,
      lastPublishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      caughtUp: true,
    };
    const caughtUp = { lastCheckpoint: { seq: first, signedAt: expect.any(String) }, publishers: [witness] };
    expect((await report()).auditPublication).toEqual(caughtUp);
    expect((await api('GET', '/v1.0/auditLogs/verify')).publication).toEqual(caughtUp);

    // The witness becomes unwritable: the next checkpoint is signed but not published, and both
    // the route and the report say the witness stopped at the first one.
    rmSync(join(dir, 'witness.jsonl'));
    mkdirSync(join(dir, 'witness.jsonl'));
    await api('POST', '/v1.0/users', {
      accountEnabled: true,
      displayName: 'Grace Hopper',
      userPrincipalName: `g${newId().slice(0, 6)}@contoso.test`,
    });
    const [failed] = await elevate.checkpoints.runOnce();
    expect(failed?.error?.message).toMatch(/EISDIR/);
    const second = await lastCheckpoint();
    expect(second).toBeGreaterThan(first);
    const behind = {
      lastCheckpoint: { seq: second, signedAt: expect.any(String) },
      publishers: [{ ...witness, caughtUp: false }],
    };
    expect((await report()).auditPublication).toEqual(behind);
    expect((await api('GET', '/v1.0/auditLogs/verify')).publication).toEqual(behind);
    expect(await html()).toMatch(new RegExp(`through seq ${first}, last at [^<]+ \\(behind\\)`));
  });

  it('is readable by audit readers only', async () => {
    const res = await elevate.app.inject({ method: 'GET', url: REPORT });
    expect(res.statusCode).toBe(401);
    const sp = await api('POST', '/v1.0/servicePrincipals', { displayName: 'no perms', appPermissions: [] });
    const pw = await api('POST', `/v1.0/servicePrincipals/${sp.id as string}/addPassword`, {});
    const token = await elevate.app.inject({
      method: 'POST',
      url: `/${elevate.bootstrapped!.tenantId}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: sp.appId as string,
        client_secret: pw.secretText as string,
        scope: `${PUBLIC_URL}/.default`,
      }).toString(),
    });
    const denied = await elevate.app.inject({
      method: 'GET',
      url: REPORT,
      headers: { authorization: `Bearer ${token.json<{ access_token: string }>().access_token}` },
    });
    expect(denied.statusCode).toBe(403);
  });
});
