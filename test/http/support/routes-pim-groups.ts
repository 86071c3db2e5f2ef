import { expect } from 'vitest';
import * as R from '../../../src/domain/roles/built-in-role-ids.js';
import { call, type Method } from './graph.js';
import { createGroup, createUser } from './fixtures.js';
import { findRule } from '../../../src/domain/policy/types.js';
import { inTx, useCases, userCaller } from '../../pim/support.js';
import type { WalkEnv, WalkRoute } from './routes-pim-policy-audit.js';

// The user-token walk's entries for PIM for Groups (`/v1.0/identityGovernance/privilegedAccess/
// group/…`): administrators (Privileged Role or Groups Administrator) write, directory readers
// read everyone's, anyone else sees only their own (lists filtered, items 404).

const BASE = '/v1.0/identityGovernance/privilegedAccess/group';
const HOUR = 3_600_000;
type Kind = 'assignment' | 'eligibility';
type Json = Record<string, unknown>;

async function ok(env: WalkEnv, method: Method, url: string, body?: unknown): Promise<Json> {
  const res = await call(env.s, method, url, env.admin, body);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.body === '' ? {} : res.json<Json>();
}

/** A group membership request by the administrator app for a fresh user and group, one hour. */
async function groupRequest(env: WalkEnv, kind: Kind, startInMs = 0) {
  const user = await createUser(env.s, env.admin);
  const group = await createGroup(env.s, env.admin);
  const start = new Date(env.clock.now() + startInMs).toISOString();
  const request = await ok(env, 'POST', `${BASE}/${kind}ScheduleRequests`, {
    action: 'adminAssign',
    accessId: 'member',
    principalId: user.id,
    groupId: group.id,
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
  const filter = encodeURIComponent(`principalId eq '${principalId}'`);
  const list = await ok(env, 'GET', `${BASE}/${kind}ScheduleInstances?$filter=${filter}`);
  const [first] = list.value as { id: string }[];
  if (first === undefined) throw new Error(`no ${kind} instance for ${principalId}`);
  return first.id;
}

const READERS = { role: R.DIRECTORY_READERS, wrongRole: R.HELPDESK_ADMINISTRATOR };

function kindRoutes(env: WalkEnv, kind: Kind): WalkRoute[] {
  const requests = `${BASE}/${kind}ScheduleRequests`;
  const schedules = `${BASE}/${kind}Schedules`;
  const instances = `${BASE}/${kind}ScheduleInstances`;
  const mine = (set: string) => `${set}/filterByCurrentUser(on='principal')`;
  return [
    {
      method: 'POST',
      path: requests,
      role: R.GROUPS_ADMINISTRATOR,
      wrongRole: R.GLOBAL_READER,
      status: 201,
      own: async () => ({
        url: requests,
        body: {
          action: 'adminAssign',
          accessId: 'owner',
          principalId: (await createUser(env.s, env.admin)).id,
          groupId: (await createGroup(env.s, env.admin)).id,
          justification: 'permission walk',
          scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
        },
      }),
    },
    {
      method: 'GET',
      path: requests,
      ...READERS,
      denied: 'filtered',
      status: 200,
      own: async () => ({ url: requests, itemId: (await groupRequest(env, kind)).requestId }),
    },
    {
      method: 'GET',
      path: `${requests}/{id}`,
      ...READERS,
      denied: 404,
      status: 200,
      own: async () => ({ url: `${requests}/${(await groupRequest(env, kind)).requestId}` }),
    },
    {
      method: 'POST',
      path: `${requests}/{id}/cancel`,
      role: R.PRIVILEGED_ROLE_ADMINISTRATOR,
      wrongRole: R.GLOBAL_READER,
      denied: 404,
      wrongDenied: 403,
      status: 204,
      own: async () => ({ url: `${requests}/${(await groupRequest(env, kind, 2 * HOUR)).requestId}/cancel` }),
    },
    {
      method: 'GET',
      path: schedules,
      ...READERS,
      denied: 'filtered',
      status: 200,
      own: async () => ({ url: schedules, itemId: (await groupRequest(env, kind)).scheduleId }),
    },
    {
      method: 'GET',
      path: `${schedules}/{id}`,
      ...READERS,
      denied: 404,
      status: 200,
      own: async () => ({ url: `${schedules}/${(await groupRequest(env, kind)).scheduleId}` }),
    },
    {
      method: 'GET',
      path: instances,
      ...READERS,
      denied: 'filtered',
      status: 200,
      own: async () => {
        const { principalId } = await groupRequest(env, kind);
        return { url: instances, itemId: await instanceOf(env, kind, principalId) };
      },
    },
    {
      method: 'GET',
      path: `${instances}/{id}`,
      ...READERS,
      denied: 404,
      status: 200,
      own: async () => {
        const { principalId } = await groupRequest(env, kind);
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

const APPROVALS = `${BASE}/assignmentApprovals`;

/**
 * An activation of a fresh group's membership waiting for approval by the default approvers
 * (active Privileged Role / Global Administrators): eligible user, group policy needing approval.
 */
async function pendingGroupApproval(env: WalkEnv): Promise<{ id: string; stageId: string }> {
  const user = await createUser(env.s, env.admin);
  const group = await createGroup(env.s, env.admin);
  await ok(env, 'POST', `${BASE}/eligibilityScheduleRequests`, {
    action: 'adminAssign',
    accessId: 'member',
    principalId: user.id,
    groupId: group.id,
    justification: 'permission walk',
    scheduleInfo: { expiration: { type: 'noExpiration' } },
  });
  await inTx(env.s, async (tx) => {
    const policy = (await tx.policies.forRole(env.s.boot.tenantId, 'Group', group.id, 'member'))!;
    const rules = structuredClone(policy.rules);
    findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification'];
    const setting = findRule(rules, 'Approval_EndUser_Assignment')!.setting;
    setting.isApprovalRequired = true;
    setting.approvalMode = 'SingleStage';
    await tx.policies.update({ ...policy, rules }, policy.version);
  });
  const request = await useCases(env.s, env.clock).requests.create(userCaller(env.s, user.id), {
    kind: 'assignment',
    resourceType: 'group',
    action: 'selfActivate',
    principalId: user.id,
    roleDefinitionId: 'member',
    directoryScopeId: group.id,
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
  return { id: request.id, stageId: (approval.stages as { id: string }[])[0]!.id };
}

function approvalRoutes(env: WalkEnv): WalkRoute[] {
  return [
    {
      method: 'GET',
      path: `${APPROVALS}/{id}`,
      ...READERS,
      denied: 404,
      status: 200,
      own: async () => ({ url: `${APPROVALS}/${(await pendingGroupApproval(env)).id}` }),
    },
    {
      method: 'GET',
      path: `${APPROVALS}/{id}/stages`,
      ...READERS,
      denied: 404,
      status: 200,
      own: async () => ({ url: `${APPROVALS}/${(await pendingGroupApproval(env)).id}/stages` }),
    },
    {
      // A directory reader sees the approval but is no approver (403); others may not see it (404).
      method: 'PATCH',
      path: `${APPROVALS}/{id}/stages/{stageId}`,
      role: R.PRIVILEGED_ROLE_ADMINISTRATOR,
      wrongRole: R.DIRECTORY_READERS,
      denied: 404,
      wrongDenied: 403,
      status: 204,
      own: async () => {
        const { id, stageId } = await pendingGroupApproval(env);
        return {
          url: `${APPROVALS}/${id}/stages/${stageId}`,
          body: { reviewResult: 'Approve', justification: 'ok' },
        };
      },
    },
    {
      method: 'GET',
      path: `${APPROVALS}/filterByCurrentUser(on='approver')`,
      status: 200,
      own: async () => ({ url: `${APPROVALS}/filterByCurrentUser(on='approver')` }),
    },
  ];
}

/** Every PIM for Groups route, both kinds, and the approvals of group activations. */
export function pimGroupRoutes(env: WalkEnv): WalkRoute[] {
  return [...kindRoutes(env, 'assignment'), ...kindRoutes(env, 'eligibility'), ...approvalRoutes(env)];
}
