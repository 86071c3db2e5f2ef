import type { LightMyRequestResponse } from 'fastify';
import { expect, vi } from 'vitest';
import type { ApprovalSettings } from '../../src/domain/policy/types.js';
import { findRule } from '../../src/domain/policy/types.js';
import { roleAssignmentId } from '../../src/domain/roles/assignment-id.js';
import type { Clock } from '../../src/domain/time/clock.js';
import type { TestServer } from '../helpers/server.js';
import { addPasswordUser, signIn } from '../identity/support/sign-in.js';
import {
  adminAt,
  ASSIGNMENT_REQUESTS,
  call,
  ELIGIBILITY_REQUESTS,
  inTx,
  newId,
  patchPolicy,
  setActivationRules,
  type Headers,
} from './support.js';

export const APPROVALS = '/beta/roleManagement/directory/roleAssignmentApprovals';

/** A signed-in user: real password sign-in over the interaction pages, tokens minted on the manual clock. */
export interface TestUser {
  id: string;
  upn: string;
  /** A fresh access token minted at the clock's current time. */
  headers(): Promise<Headers>;
}

export async function signedInUser(
  s: TestServer,
  clock: Clock,
  directRoles: string[] = [],
): Promise<TestUser> {
  const user = await addPasswordUser(s);
  if (directRoles.length > 0) {
    await inTx(s, async (tx) => {
      for (const role of directRoles) {
        await tx.roleAssignments.insert({
          id: roleAssignmentId(role, user.id, '/', newId),
          tenantId: s.boot.tenantId,
          principalId: user.id,
          principalType: 'user',
          roleDefinitionId: role,
          directoryScopeId: '/',
          appScopeId: null,
          createdAt: 0,
          createdBy: null,
        });
      }
    });
  }
  return {
    ...user,
    async headers() {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(clock.now());
      try {
        const tokens = await signIn(s, user);
        return { authorization: `Bearer ${tokens.access_token}` };
      } finally {
        vi.useRealTimers();
      }
    },
  };
}

/** Makes the role's activation need only a justification, and approval with these settings. */
export async function requireApproval(
  s: TestServer,
  roleId: string,
  change: (setting: ApprovalSettings) => void = () => undefined,
): Promise<void> {
  await setActivationRules(s, roleId, ['Justification']);
  await patchPolicy(s, roleId, (rules) => {
    const setting = findRule(rules, 'Approval_EndUser_Assignment')!.setting;
    setting.isApprovalRequired = true;
    setting.approvalMode = 'SingleStage';
    change(setting);
  });
}

/** A permanent eligibility for the role, made by the bootstrap app. */
export async function makeEligible(s: TestServer, clock: Clock, principalId: string, roleId: string) {
  const res = await call(s, 'POST', ELIGIBILITY_REQUESTS, await adminAt(s, clock), {
    action: 'adminAssign',
    justification: 'on call',
    roleDefinitionId: roleId,
    directoryScopeId: '/',
    principalId,
    scheduleInfo: { expiration: { type: 'noExpiration' } },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>();
}

export function activate(
  s: TestServer,
  headers: Headers,
  principalId: string,
  roleId: string,
  extra: Record<string, unknown> = {},
) {
  return call(s, 'POST', ASSIGNMENT_REQUESTS, headers, {
    action: 'selfActivate',
    principalId,
    roleDefinitionId: roleId,
    directoryScopeId: '/',
    justification: 'INC-4711 password resets',
    ticketInfo: { ticketNumber: 'INC-4711', ticketSystem: 'ServiceNow' },
    scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'PT2H' } },
    ...extra,
  });
}

export function patchStep(
  s: TestServer,
  headers: Headers,
  approvalId: string,
  stepId: string,
  body: unknown,
): Promise<LightMyRequestResponse> {
  return s.app.inject({
    method: 'PATCH',
    url: `${APPROVALS}/${approvalId}/steps/${stepId}`,
    headers: { ...headers, 'content-type': 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export interface StepJson {
  id: string;
  status: string;
  reviewResult: string;
  assignedToMe: boolean;
  justification: string;
  reviewedDateTime: string | null;
  reviewedBy: { id: string; displayName: string | null } | null;
}

export async function stepsOf(s: TestServer, headers: Headers, approvalId: string): Promise<StepJson[]> {
  const res = await call(s, 'GET', `${APPROVALS}/${approvalId}`, headers);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ steps: StepJson[] }>().steps;
}

/** Ids in the caller's approver inbox (pending only). */
export async function inbox(s: TestServer, headers: Headers): Promise<string[]> {
  const res = await call(
    s,
    'GET',
    `${ASSIGNMENT_REQUESTS}/filterByCurrentUser(on='approver')?$filter=status eq 'PendingApproval'`,
    headers,
  );
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ value: { id: string }[] }>().value.map((r) => r.id);
}

/** The request as its requestor reads it. */
export async function requestOf(s: TestServer, headers: Headers, id: string) {
  const res = await call(s, 'GET', `${ASSIGNMENT_REQUESTS}/${id}`, headers);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{
    status: string;
    completedDateTime: string | null;
    scheduleInfo: { startDateTime: string; expiration: { duration: string | null } };
  }>();
}

/** The caller's active assignment instances for the role (what is active now). */
export async function activeInstances(s: TestServer, headers: Headers) {
  const res = await call(
    s,
    'GET',
    `/v1.0/roleManagement/directory/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')`,
    headers,
  );
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ value: { roleDefinitionId: string; startDateTime: string; endDateTime: string }[] }>()
    .value;
}
