import type { LightMyRequestResponse } from 'fastify';
import type { TestServer } from '../helpers/server.js';
import type { Headers } from '../pim/support.js';

export const SCOPES = '/v1.0/elevate/resourceScopes';
export const ROLES = '/v1.0/elevate/resourceRoleDefinitions';
export const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
export const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
export const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
export const USER_ACCESS_ADMINISTRATOR = '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9';

/** Any request, with a JSON body when one is given. */
export function send(
  s: Pick<TestServer, 'app'>,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  headers: Headers,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  if (payload === undefined) return s.app.inject({ method, url, headers });
  return s.app.inject({
    method,
    url,
    headers: { ...headers, 'content-type': 'application/json' },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
}

/** Registers each scope path in order (parents first). */
export async function register(
  s: Pick<TestServer, 'app'>,
  admin: Headers,
  ...paths: string[]
): Promise<void> {
  for (const id of paths) {
    const res = await send(s, 'POST', SCOPES, admin, { id, displayName: id.split('/').pop(), type: 'test' });
    if (res.statusCode !== 201) throw new Error(`registering ${id}: ${res.statusCode} ${res.body}`);
  }
}

/** The URL of one scope: its path percent-encoded as one segment. */
export const scopeUrl = (path: string) => `${SCOPES}/${encodeURIComponent(path)}`;

const ARM_AUTH = 'providers/Microsoft.Authorization';
const ARM_V = 'api-version=2020-10-01';

/** The ARM path of a scope: Azure's own for `/subscriptions/…`, `/arm{scope}` for any other. */
export const armScope = (scope: string) => (scope.startsWith('/subscriptions/') ? scope : `/arm${scope}`);

/**
 * Makes activating `roleId` at `scope` need only a justification and the approval of one user,
 * over ARM (`PATCH …/roleManagementPolicies/{name}`) as an administrator would.
 */
export async function requireResourceApproval(
  s: Pick<TestServer, 'app'>,
  admin: Headers,
  scope: string,
  roleId: string,
  approverId: string,
): Promise<void> {
  const list = await send(
    s,
    'GET',
    `${armScope(scope)}/${ARM_AUTH}/roleManagementPolicyAssignments?${ARM_V}`,
    admin,
  );
  if (list.statusCode !== 200) throw new Error(`reading policies at ${scope}: ${list.body}`);
  type Rule = { id: string; setting?: Record<string, unknown> } & Record<string, unknown>;
  const assignment = list
    .json<{
      value: { properties: { roleDefinitionId: string; policyId: string; effectiveRules: Rule[] } }[];
    }>()
    .value.find((p) => p.properties.roleDefinitionId.endsWith(roleId));
  if (!assignment) throw new Error(`no policy of ${roleId} at ${scope}`);
  const rule = (id: string) => assignment.properties.effectiveRules.find((r) => r.id === id) as Rule;
  const approval = rule('Approval_EndUser_Assignment');
  const res = await send(
    s,
    'PATCH',
    `${armScope(scope)}/${ARM_AUTH}/roleManagementPolicies/${assignment.properties.policyId.split('/').pop() ?? ''}?${ARM_V}`,
    admin,
    {
      properties: {
        rules: [
          { ...rule('Enablement_EndUser_Assignment'), enabledRules: ['Justification'] },
          {
            ...approval,
            setting: {
              ...approval.setting,
              isApprovalRequired: true,
              approvalMode: 'SingleStage',
              approvalStages: [
                {
                  approvalStageTimeOutInDays: 1,
                  isApproverJustificationRequired: false,
                  escalationTimeInMinutes: 0,
                  primaryApprovers: [
                    { id: approverId, description: null, isBackup: false, userType: 'User' },
                  ],
                  isEscalationEnabled: false,
                  escalationApprovers: null,
                },
              ],
            },
          },
        ],
      },
    },
  );
  if (res.statusCode !== 200)
    throw new Error(`requiring approval at ${scope}: ${res.statusCode} ${res.body}`);
}
