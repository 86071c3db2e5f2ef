import { expect } from 'vitest';
import * as R from '../../../src/domain/roles/built-in-role-ids.js';
import { call, UNKNOWN_ID, type Headers, type Method } from './graph.js';
import { createUser, ROLES } from './fixtures.js';
import { requireApproval } from '../../pim/approval-support.js';
import { useCases, userCaller } from '../../pim/support.js';
import { registerPasskey } from '../../identity/support/passkeys.js';
import { SoftwareAuthenticator } from '../../identity/support/software-authenticator.js';
import { seedOf } from '../../identity/support/totp.js';
import { totpCode, totpStepAt } from '../../../src/domain/authn/totp.js';
import type { Clock } from '../../../src/domain/time/clock.js';
import type { Env, Req } from './permission-routes.js';

/** The walk's environment: the application walk's, plus the manual clock the server runs on. */
export interface WalkEnv extends Env {
  clock: Clock;
}

/**
 * A route of the user-token walk that the application walk does not cover (PIM, role settings,
 * audit, compliance, the caller's own data, AuthZEN). Paths are OpenAPI templates.
 *
 * - `role`: a directory role that must be enough while active; `undefined` = any signed-in user.
 * - `wrongRole`: a role that must not be enough (a near miss where there is one).
 * - `denied`: what callers without the role get: 403, or 404 when they may not even see the
 *   object; `'filtered'` for lists that answer 200 with only the caller's own items (the item
 *   `own()` created for someone else must be absent).
 * - `appsOnly`: no user may call it, whatever their roles (403 for every user token).
 */
export interface WalkRoute {
  method: Method;
  path: string;
  role?: string;
  wrongRole?: string;
  denied?: 403 | 404 | 'filtered';
  /** What the wrong role gets when it differs from `denied` (e.g. a reader who sees but may not act). */
  wrongDenied?: 403 | 404;
  appsOnly?: true;
  status: number;
  own(caller: Caller): Promise<Req & { itemId?: string }>;
}

/** Who is calling: some routes act on the caller's own objects. */
export interface Caller {
  id: string;
  headers: Headers;
}

const ASSIGNMENT_REQUESTS = `${ROLES}/roleAssignmentScheduleRequests`;
const ELIGIBILITY_REQUESTS = `${ROLES}/roleEligibilityScheduleRequests`;
const POLICIES = '/v1.0/policies/roleManagementPolicies';
const POLICY_ASSIGNMENTS = '/v1.0/policies/roleManagementPolicyAssignments';
const HOUR = 3_600_000;

type Kind = 'assignment' | 'eligibility';
type Json = Record<string, unknown>;

async function ok(env: WalkEnv, method: Method, url: string, body?: unknown): Promise<Json> {
  const res = await call(env.s, method, url, env.admin, body);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.body === '' ? {} : res.json<Json>();
}

/**
 * A PIM request by the administrator app for a fresh user (Helpdesk Administrator, one hour),
 * starting now or `startInMs` later (a future start stays cancelable).
 */
async function pimRequest(env: WalkEnv, kind: Kind, startInMs = 0) {
  const user = await createUser(env.s, env.admin);
  const start = new Date(env.clock.now() + startInMs).toISOString();
  const request = await ok(env, 'POST', kind === 'assignment' ? ASSIGNMENT_REQUESTS : ELIGIBILITY_REQUESTS, {
    action: 'adminAssign',
    principalId: user.id,
    roleDefinitionId: R.HELPDESK_ADMINISTRATOR,
    directoryScopeId: '/',
    justification: 'permission walk',
    scheduleInfo: { startDateTime: start, expiration: { type: 'afterDuration', duration: 'PT1H' } },
  });
  return {
    requestId: String(request.id),
    scheduleId: String(request.targetScheduleId),
    principalId: user.id,
  };
}

async function instanceOf(env: WalkEnv, kind: Kind, principalId: string): Promise<string> {
  const set = kind === 'assignment' ? 'roleAssignmentScheduleInstances' : 'roleEligibilityScheduleInstances';
  const filter = encodeURIComponent(`principalId eq '${principalId}'`);
  const list = await ok(env, 'GET', `${ROLES}/${set}?$filter=${filter}`);
  const [first] = list.value as { id: string }[];
  if (first === undefined) throw new Error(`no ${kind} instance for ${principalId}`);
  return first.id;
}

async function policyOf(env: WalkEnv, roleId: string): Promise<string> {
  const filter = encodeURIComponent(
    `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${roleId}'`,
  );
  const list = await ok(env, 'GET', `${POLICY_ASSIGNMENTS}?$filter=${filter}`);
  return (list.value as { policyId: string }[])[0]!.policyId;
}

const PIM_READERS = { role: R.DIRECTORY_READERS, wrongRole: R.HELPDESK_ADMINISTRATOR };

function pimRoutes(env: WalkEnv, kind: Kind): WalkRoute[] {
  const base = kind === 'assignment' ? 'roleAssignment' : 'roleEligibility';
  const requests = `${ROLES}/${base}ScheduleRequests`;
  const schedules = `${ROLES}/${base}Schedules`;
  const instances = `${ROLES}/${base}ScheduleInstances`;
  const mine = (set: string) => `${set}/filterByCurrentUser(on='principal')`;
  return [
    {
      method: 'POST',
      path: requests,
      role: R.PRIVILEGED_ROLE_ADMINISTRATOR,
      wrongRole: R.GLOBAL_READER,
      status: 201,
      own: async () => ({
        url: requests,
        body: {
          action: 'adminAssign',
          principalId: (await createUser(env.s, env.admin)).id,
          roleDefinitionId: R.HELPDESK_ADMINISTRATOR,
          directoryScopeId: '/',
          justification: 'permission walk',
          scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
        },
      }),
    },
    {
      method: 'GET',
      path: requests,
      ...PIM_READERS,
      denied: 'filtered',
      status: 200,
      own: async () => ({ url: requests, itemId: (await pimRequest(env, kind)).requestId }),
    },
    {
      method: 'GET',
      path: `${requests}/{id}`,
      ...PIM_READERS,
      denied: 404,
      status: 200,
      own: async () => ({ url: `${requests}/${(await pimRequest(env, kind)).requestId}` }),
    },
    {
      // Readers see the request but may not cancel it (403); everyone else may not see it (404).
      method: 'POST',
      path: `${requests}/{id}/cancel`,
      role: R.PRIVILEGED_ROLE_ADMINISTRATOR,
      wrongRole: R.GLOBAL_READER,
      denied: 404,
      wrongDenied: 403,
      status: 204,
      own: async () => ({ url: `${requests}/${(await pimRequest(env, kind, 2 * HOUR)).requestId}/cancel` }),
    },
    {
      method: 'GET',
      path: schedules,
      ...PIM_READERS,
      denied: 'filtered',
      status: 200,
      own: async () => ({ url: schedules, itemId: (await pimRequest(env, kind)).scheduleId }),
    },
    {
      method: 'GET',
      path: `${schedules}/{id}`,
      ...PIM_READERS,
      denied: 404,
      status: 200,
      own: async () => ({ url: `${schedules}/${(await pimRequest(env, kind)).scheduleId}` }),
    },
    {
      method: 'GET',
      path: instances,
      ...PIM_READERS,
      denied: 'filtered',
      status: 200,
      own: async () => {
        const { principalId } = await pimRequest(env, kind);
        return { url: instances, itemId: await instanceOf(env, kind, principalId) };
      },
    },
    {
      method: 'GET',
      path: `${instances}/{id}`,
      ...PIM_READERS,
      denied: 404,
      status: 200,
      own: async () => {
        const { principalId } = await pimRequest(env, kind);
        return { url: `${instances}/${await instanceOf(env, kind, principalId)}` };
      },
    },
    ...[requests, schedules, instances].map((set): WalkRoute => ({
      method: 'GET',
      path: mine(set),
      status: 200,
      own: async () => ({ url: mine(set) }),
    })),
  ];
}

const POLICY_READERS = { role: R.SECURITY_READER, wrongRole: R.DIRECTORY_READERS };
const POLICY_WRITERS = { role: R.PRIVILEGED_ROLE_ADMINISTRATOR, wrongRole: R.SECURITY_ADMINISTRATOR };
const JUSTIFICATION_RULE = 'Enablement_EndUser_Assignment';

function policyRoutes(env: WalkEnv): WalkRoute[] {
  const scope = encodeURIComponent("scopeId eq '/' and scopeType eq 'DirectoryRole'");
  const rule = async () => {
    const policyId = await policyOf(env, R.EXCHANGE_ADMINISTRATOR);
    const url = `${POLICIES}/${policyId}/rules/${JUSTIFICATION_RULE}`;
    const { '@odata.context': _context, ...body } = await ok(env, 'GET', url);
    return { policyId, url, body };
  };
  return [
    {
      method: 'GET',
      path: POLICIES,
      ...POLICY_READERS,
      status: 200,
      own: async () => ({ url: `${POLICIES}?$filter=${scope}` }),
    },
    {
      method: 'GET',
      path: `${POLICIES}/{id}`,
      ...POLICY_READERS,
      status: 200,
      own: async () => ({ url: `${POLICIES}/${await policyOf(env, R.EXCHANGE_ADMINISTRATOR)}` }),
    },
    {
      method: 'PATCH',
      path: `${POLICIES}/{id}`,
      ...POLICY_WRITERS,
      status: 200,
      own: async () => {
        const { policyId, body } = await rule();
        return { url: `${POLICIES}/${policyId}`, body: { rules: [body] } };
      },
    },
    {
      method: 'GET',
      path: `${POLICIES}/{id}/rules`,
      ...POLICY_READERS,
      status: 200,
      own: async () => ({ url: `${POLICIES}/${await policyOf(env, R.EXCHANGE_ADMINISTRATOR)}/rules` }),
    },
    {
      method: 'GET',
      path: `${POLICIES}/{id}/rules/{ruleId}`,
      ...POLICY_READERS,
      status: 200,
      own: async () => ({ url: (await rule()).url }),
    },
    {
      method: 'PATCH',
      path: `${POLICIES}/{id}/rules/{ruleId}`,
      ...POLICY_WRITERS,
      status: 204,
      own: async () => {
        const { url, body } = await rule();
        return { url, body };
      },
    },
    {
      method: 'GET',
      path: `${POLICIES}/{id}/effectiveRules`,
      ...POLICY_READERS,
      status: 200,
      own: async () => ({
        url: `${POLICIES}/${await policyOf(env, R.EXCHANGE_ADMINISTRATOR)}/effectiveRules`,
      }),
    },
    {
      method: 'GET',
      path: `${POLICIES}/{id}/effectiveRules/{ruleId}`,
      ...POLICY_READERS,
      status: 200,
      own: async () => ({
        url: `${POLICIES}/${await policyOf(env, R.EXCHANGE_ADMINISTRATOR)}/effectiveRules/${JUSTIFICATION_RULE}`,
      }),
    },
    {
      method: 'GET',
      path: POLICY_ASSIGNMENTS,
      ...POLICY_READERS,
      status: 200,
      own: async () => ({ url: `${POLICY_ASSIGNMENTS}?$filter=${scope}` }),
    },
    {
      method: 'GET',
      path: `${POLICY_ASSIGNMENTS}/{id}`,
      ...POLICY_READERS,
      status: 200,
      own: async () => {
        const filter = encodeURIComponent(`scopeId eq '/' and scopeType eq 'DirectoryRole'`);
        const list = await ok(env, 'GET', `${POLICY_ASSIGNMENTS}?$filter=${filter}`);
        return { url: `${POLICY_ASSIGNMENTS}/${(list.value as { id: string }[])[0]!.id}` };
      },
    },
  ];
}

function auditRoutes(env: WalkEnv): WalkRoute[] {
  const readers = { role: R.REPORTS_READER, wrongRole: R.PRIVILEGED_ROLE_ADMINISTRATOR };
  const audits = '/v1.0/auditLogs/directoryAudits';
  return [
    { method: 'GET', path: audits, ...readers, status: 200, own: async () => ({ url: audits }) },
    {
      method: 'GET',
      path: `${audits}/{id}`,
      ...readers,
      status: 200,
      own: async () => {
        const list = await ok(env, 'GET', `${audits}?$top=1`);
        return { url: `${audits}/${(list.value as { id: string }[])[0]!.id}` };
      },
    },
    {
      method: 'GET',
      path: '/v1.0/auditLogs/verify',
      ...readers,
      status: 200,
      own: async () => ({ url: '/v1.0/auditLogs/verify' }),
    },
    {
      method: 'GET',
      path: '/v1.0/auditLogs/export',
      ...readers,
      status: 200,
      own: async () => {
        const from = new Date(env.clock.now() - 24 * HOUR).toISOString();
        const to = new Date(env.clock.now() + HOUR).toISOString();
        return { url: `/v1.0/auditLogs/export?from=${from}&to=${to}&format=jsonl` };
      },
    },
    {
      // The compliance report is for security staff: Reports Reader is the near miss.
      method: 'GET',
      path: '/v1.0/elevate/complianceReport',
      role: R.SECURITY_READER,
      wrongRole: R.REPORTS_READER,
      status: 200,
      own: async () => ({ url: '/v1.0/elevate/complianceReport' }),
    },
  ];
}

const ME_AUTH = '/v1.0/me/authentication';
const tokenOf = (caller: Caller) => caller.headers.authorization!.replace(/^Bearer /, '');

/** Registers a passkey for the caller (a software authenticator); returns its method id. */
async function passkeyOf(env: WalkEnv, caller: Caller): Promise<string> {
  const res = await registerPasskey(env.s, tokenOf(caller), new SoftwareAuthenticator());
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

/** The caller's authenticator app methods (at most one). */
async function authenticatorApps(env: WalkEnv, caller: Caller): Promise<string[]> {
  const list = await call(env.s, 'GET', `${ME_AUTH}/methods`, caller.headers);
  expect(list.statusCode, list.body).toBe(200);
  return list
    .json<{ value: { id: string; '@odata.type': string }[] }>()
    .value.filter((m) => m['@odata.type'] === '#microsoft.graph.softwareOathAuthenticationMethod')
    .map((m) => m.id);
}

/** Removes the caller's authenticator app, so that an enrolment can start again. */
async function withoutAuthenticatorApp(env: WalkEnv, caller: Caller): Promise<void> {
  for (const id of await authenticatorApps(env, caller)) {
    const res = await call(env.s, 'DELETE', `${ME_AUTH}/softwareOathMethods/${id}`, caller.headers);
    expect(res.statusCode, res.body).toBe(204);
  }
}

/** Enrols and confirms an authenticator app for the caller; returns its method id. */
async function authenticatorAppOf(env: WalkEnv, caller: Caller): Promise<string> {
  await withoutAuthenticatorApp(env, caller);
  const begin = await call(env.s, 'POST', `${ME_AUTH}/totpEnrolment`, caller.headers, {});
  expect(begin.statusCode, begin.body).toBe(200);
  const seed = seedOf(begin.json<{ otpauthUri: string }>().otpauthUri);
  const code = totpCode(seed, totpStepAt(env.clock.now()));
  const confirm = await call(env.s, 'POST', `${ME_AUTH}/totpEnrolment/confirm`, caller.headers, { code });
  expect(confirm.statusCode, confirm.body).toBe(204);
  const [id] = await authenticatorApps(env, caller);
  return id!;
}

function ownDataRoutes(env: WalkEnv): WalkRoute[] {
  return [
    {
      method: 'POST',
      path: `${ME_AUTH}/fido2Methods/creationOptions`,
      status: 200,
      own: async () => ({ url: `${ME_AUTH}/fido2Methods/creationOptions`, body: {} }),
    },
    {
      // A credential that does not verify proves the route let the caller in (400, not 401/403).
      method: 'POST',
      path: `${ME_AUTH}/fido2Methods`,
      status: 400,
      own: async () => ({
        url: `${ME_AUTH}/fido2Methods`,
        body: {
          displayName: 'key',
          publicKeyCredential: { id: 'x', rawId: 'x', type: 'public-key', response: {} },
        },
      }),
    },
    {
      method: 'DELETE',
      path: `${ME_AUTH}/fido2Methods/{id}`,
      status: 204,
      own: async (caller) => ({ url: `${ME_AUTH}/fido2Methods/${await passkeyOf(env, caller)}` }),
    },
    {
      method: 'DELETE',
      path: `${ME_AUTH}/softwareOathMethods/{id}`,
      status: 204,
      own: async (caller) => ({
        url: `${ME_AUTH}/softwareOathMethods/${await authenticatorAppOf(env, caller)}`,
      }),
    },
    {
      method: 'GET',
      path: `${ME_AUTH}/methods`,
      status: 200,
      own: async () => ({ url: `${ME_AUTH}/methods` }),
    },
    {
      method: 'POST',
      path: `${ME_AUTH}/recoveryCodes`,
      status: 201,
      own: async () => ({ url: `${ME_AUTH}/recoveryCodes`, body: {} }),
    },
    { method: 'GET', path: '/v1.0/me', status: 200, own: async () => ({ url: '/v1.0/me' }) },
    {
      method: 'POST',
      path: '/v1.0/me/authentication/totpEnrolment',
      status: 200,
      own: async (caller) => {
        await withoutAuthenticatorApp(env, caller);
        return { url: '/v1.0/me/authentication/totpEnrolment', body: {} };
      },
    },
    {
      // A wrong code proves the route let the caller in: 400 is about the code, not the caller.
      method: 'POST',
      path: '/v1.0/me/authentication/totpEnrolment/confirm',
      status: 400,
      own: async (caller) => {
        await withoutAuthenticatorApp(env, caller);
        const res = await call(env.s, 'POST', '/v1.0/me/authentication/totpEnrolment', caller.headers, {});
        expect(res.statusCode, res.body).toBe(200);
        return { url: '/v1.0/me/authentication/totpEnrolment/confirm', body: { code: '000000' } };
      },
    },
    {
      method: 'POST',
      path: '/v1.0/users/{id}/authentication/resetMethods',
      role: R.USER_ADMINISTRATOR,
      wrongRole: R.HELPDESK_ADMINISTRATOR,
      status: 204,
      own: async () => ({
        url: `/v1.0/users/${(await createUser(env.s, env.admin)).id}/authentication/resetMethods`,
        body: {},
      }),
    },
  ];
}

const evaluation = (subjectId: string) => ({
  subject: { type: 'user', id: subjectId },
  action: { name: 'activate' },
  resource: { type: 'role', id: R.HELPDESK_ADMINISTRATOR },
});

const APPROVALS = '/beta/roleManagement/directory/roleAssignmentApprovals';
const APPROVAL_ROLE = R.TEAMS_ADMINISTRATOR;
let approvalPolicy: Promise<void> | undefined;

/**
 * A request waiting for approval by the default approvers (active Privileged Role / Global
 * Administrators): a fresh user eligible for Teams Administrator asks to activate it.
 */
async function pendingApproval(env: WalkEnv): Promise<{ id: string; stepId: string }> {
  approvalPolicy ??= requireApproval(env.s, APPROVAL_ROLE);
  await approvalPolicy;
  const user = await createUser(env.s, env.admin);
  await ok(env, 'POST', ELIGIBILITY_REQUESTS, {
    action: 'adminAssign',
    principalId: user.id,
    roleDefinitionId: APPROVAL_ROLE,
    directoryScopeId: '/',
    justification: 'permission walk',
    scheduleInfo: { expiration: { type: 'noExpiration' } },
  });
  const request = await useCases(env.s, env.clock).requests.create(userCaller(env.s, user.id), {
    kind: 'assignment',
    action: 'selfActivate',
    principalId: user.id,
    roleDefinitionId: APPROVAL_ROLE,
    directoryScopeId: '/',
    justification: 'needs approval',
    ticketInfo: null,
    scheduleInfo: {
      startDateTime: null,
      expiration: { type: 'afterDuration', endDateTime: null, duration: 'PT1H' },
    },
    isValidationOnly: false,
    customData: null,
  });
  expect(request.status).toBe('PendingApproval');
  const approval = await ok(env, 'GET', `${APPROVALS}/${request.id}`);
  return { id: request.id, stepId: (approval.steps as { id: string }[])[0]!.id };
}

function approvalRoutes(env: WalkEnv): WalkRoute[] {
  return [
    {
      method: 'GET',
      path: `${APPROVALS}/{id}`,
      ...PIM_READERS,
      denied: 404,
      status: 200,
      own: async () => ({ url: `${APPROVALS}/${(await pendingApproval(env)).id}` }),
    },
    {
      method: 'GET',
      path: `${APPROVALS}/{id}/steps`,
      ...PIM_READERS,
      denied: 404,
      status: 200,
      own: async () => ({ url: `${APPROVALS}/${(await pendingApproval(env)).id}/steps` }),
    },
    {
      // A PIM reader sees the approval but is no approver (403); others may not see it (404).
      method: 'PATCH',
      path: `${APPROVALS}/{id}/steps/{stepId}`,
      role: R.PRIVILEGED_ROLE_ADMINISTRATOR,
      wrongRole: R.GLOBAL_READER,
      denied: 404,
      wrongDenied: 403,
      status: 204,
      own: async () => {
        const { id, stepId } = await pendingApproval(env);
        return {
          url: `${APPROVALS}/${id}/steps/${stepId}`,
          body: { reviewResult: 'Approve', justification: 'ok' },
        };
      },
    },
    {
      // Lent to an approver the request waits for (ADR 0043): a reader of every request who is no
      // approver gets 404 like anyone else.
      method: 'GET',
      path: `${APPROVALS}/{id}/requesterActivations`,
      role: R.PRIVILEGED_ROLE_ADMINISTRATOR,
      wrongRole: R.GLOBAL_READER,
      denied: 404,
      status: 200,
      own: async () => ({ url: `${APPROVALS}/${(await pendingApproval(env)).id}/requesterActivations` }),
    },
    {
      method: 'GET',
      path: `${ROLES}/roleAssignmentScheduleRequests/filterByCurrentUser(on='approver')`,
      status: 200,
      own: async () => ({
        url: `${ROLES}/roleAssignmentScheduleRequests/filterByCurrentUser(on='approver')`,
      }),
    },
  ];
}

function authzenRoutes(): WalkRoute[] {
  return [
    {
      method: 'POST',
      path: '/access/v1/evaluation',
      appsOnly: true,
      status: 200,
      own: async () => ({ url: '/access/v1/evaluation', body: evaluation(UNKNOWN_ID) }),
    },
    {
      method: 'POST',
      path: '/access/v1/evaluations',
      appsOnly: true,
      status: 200,
      own: async () => ({ url: '/access/v1/evaluations', body: { evaluations: [evaluation(UNKNOWN_ID)] } }),
    },
  ];
}

const CONTEXTS = '/v1.0/identity/conditionalAccess/authenticationContextClassReferences';
const CONTEXT_READERS = { role: R.SECURITY_READER, wrongRole: R.DIRECTORY_READERS };
const CONTEXT_WRITERS = { role: R.CONDITIONAL_ACCESS_ADMINISTRATOR, wrongRole: R.GLOBAL_READER };
const contextBody = (n: number) => ({
  displayName: `Walk context ${n}`,
  elevateRequirement: { authenticationStrength: 'mfa', maxAgeMinutes: 30 },
});

/** Authentication contexts: each call acts on a context the administrator (re)defined just before. */
function authenticationContextRoutes(env: WalkEnv): WalkRoute[] {
  let next = 20;
  const defined = async () => {
    next = next >= 99 ? 20 : next + 1;
    const url = `${CONTEXTS}/c${next}`;
    await ok(env, 'PUT', url, contextBody(next));
    return { url, n: next };
  };
  return [
    { method: 'GET', path: CONTEXTS, ...CONTEXT_READERS, status: 200, own: async () => ({ url: CONTEXTS }) },
    {
      method: 'GET',
      path: `${CONTEXTS}/{id}`,
      ...CONTEXT_READERS,
      status: 200,
      own: async () => ({ url: (await defined()).url }),
    },
    {
      method: 'PATCH',
      path: `${CONTEXTS}/{id}`,
      ...CONTEXT_WRITERS,
      status: 204,
      own: async () => ({ url: (await defined()).url, body: { description: 'changed by the walk' } }),
    },
    {
      method: 'PUT',
      path: `${CONTEXTS}/{id}`,
      ...CONTEXT_WRITERS,
      status: 204,
      own: async () => {
        const { url, n } = await defined();
        return { url, body: contextBody(n) };
      },
    },
    {
      method: 'DELETE',
      path: `${CONTEXTS}/{id}`,
      ...CONTEXT_WRITERS,
      status: 204,
      own: async () => ({ url: (await defined()).url }),
    },
  ];
}

/** Every route of the user walk beyond the directory and role routes of the application walk. */
export function pimPolicyAuditRoutes(env: WalkEnv): WalkRoute[] {
  return [
    ...pimRoutes(env, 'assignment'),
    ...pimRoutes(env, 'eligibility'),
    ...policyRoutes(env),
    ...authenticationContextRoutes(env),
    ...auditRoutes(env),
    ...approvalRoutes(env),
    ...ownDataRoutes(env),
    ...authzenRoutes(),
  ];
}
