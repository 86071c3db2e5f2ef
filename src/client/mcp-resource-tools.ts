import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { roleDefinitionArmId, type Arm, type ArmResource } from './arm.js';
import { parseDuration } from './duration.js';
import type { Graph } from './graph.js';
import {
  heldResourceRole,
  myResourceInstances,
  readableResourceRoles,
  resourceRequestResult,
  resourceRoleName,
  type ArmInstance,
  type ArmRequest,
  type ResourceRoleRef,
} from './resource-roles.js';

/** The resource-role tools of `elevate mcp` (ADR 0036): the role tools' three, over ARM. */
export const RESOURCE_ROLE_TOOLS = [
  'list_resource_roles',
  'request_resource_activation',
  'deactivate_resource_role',
] as const;

/** What the resource tools share with the role and group tools (their schemas and answer). */
export interface SharedTools {
  task: z.ZodType<string>;
  duration: z.ZodType<string | undefined>;
  result: (value: object) => CallToolResult;
  now: () => number;
}

const role = z
  .string()
  .min(1)
  .max(256)
  .describe('the resource role, by role name (any case, e.g. Reader) or id, as list_resource_roles shows it');
const scopePath = z.string().min(1).max(1024);

function instanceOf(roles: readonly ResourceRoleRef[], i: ArmInstance) {
  return {
    roleDefinitionId: i.roleDefinitionId.split('/').pop() ?? i.roleDefinitionId,
    roleName: resourceRoleName(roles, i.roleDefinitionId),
    scope: i.scope,
    assignmentType: i.assignmentType ?? null,
    memberType: i.memberType ?? null,
    startDateTime: i.startDateTime,
    endDateTime: i.endDateTime,
  };
}

/**
 * Resource roles (Azure RBAC-shaped roles on Elevate's scope tree): the agent's eligible roles at
 * their scopes, an activation at a scope at or below an eligibility with its task, and its end.
 * ARM's `SelfActivate` / `SelfDeactivate` requests under the agent's own token, so the role's
 * settings at that scope, approval by a person and the audit (with the MCP origin header) apply.
 * Role names come from `roleDefinitions` when the agent may read them, else ids are shown.
 */
export function registerResourceRoleTools(
  server: McpServer,
  arm: Arm,
  graph: Graph,
  shared: SharedTools,
): void {
  const { task, duration, result, now } = shared;
  const write = { readOnlyHint: false, idempotentHint: false, openWorldHint: false };
  let known: Promise<ResourceRoleRef[]> | undefined;
  const roles = () => (known ??= readableResourceRoles(arm));

  server.registerTool(
    'list_resource_roles',
    {
      title: 'List my resource roles',
      description:
        'The resource roles this agent is eligible to activate, each at its scope (an eligibility covers the ' +
        'scopes below it), and the ones active for it now.',
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => {
      const [names, eligible, active] = await Promise.all([
        roles(),
        myResourceInstances(arm, 'eligibility'),
        myResourceInstances(arm, 'assignment'),
      ]);
      return result({
        eligible: eligible.map((i) => instanceOf(names, i)),
        active: active.map((i) => instanceOf(names, i)),
      });
    },
  );

  server.registerTool(
    'request_resource_activation',
    {
      title: 'Request a resource role activation',
      description:
        'Ask to activate one of my eligible resource roles at a scope (the eligibility’s own, or one below ' +
        'it) for a while. `task` states what the access is for; it is the justification a human approver ' +
        'reads and the audit log keeps. The answer may be PendingApproval: call wait_for_decision with its id.',
      inputSchema: {
        role,
        scope: scopePath.describe(
          'the scope path to activate at, e.g. /prod/db (at or below the eligibility)',
        ),
        task,
        duration,
        ticketNumber: z.string().max(128).optional().describe('a ticket number, when the role asks for one'),
        ticketSystem: z.string().max(128).optional().describe('the ticket system of ticketNumber'),
      },
      annotations: { ...write, destructiveHint: false },
    },
    async (args) => {
      const wanted = parseDuration(args.duration ?? '1h');
      const names = await roles();
      const eligibility = await heldResourceRole(arm, names, args.role, args.scope, 'eligibility');
      const ticket =
        args.ticketNumber === undefined && args.ticketSystem === undefined
          ? {}
          : {
              ticketInfo: {
                ticketNumber: args.ticketNumber ?? null,
                ticketSystem: args.ticketSystem ?? null,
              },
            };
      const created = await arm.putRequest<ArmRequest>(
        args.scope,
        'assignment',
        {
          requestType: 'SelfActivate',
          principalId: graph.callerId(),
          roleDefinitionId: roleDefinitionArmId(args.scope, eligibility.roleId),
          justification: args.task,
          ...ticket,
          scheduleInfo: { startDateTime: null, expiration: { type: 'AfterDuration', duration: wanted.iso } },
        },
        `activate ${eligibility.roleName} at ${args.scope}`,
      );
      return result(resourceRequestResult(created, now(), names));
    },
  );

  server.registerTool(
    'deactivate_resource_role',
    {
      title: 'Deactivate a resource role',
      description: 'End one of my active resource role activations now (when the task is done).',
      inputSchema: {
        role,
        scope: scopePath
          .optional()
          .describe('the scope of the activation, when the role is active at several'),
      },
      annotations: { ...write, destructiveHint: true },
    },
    async (args) => {
      const names = await roles();
      const active = await heldResourceRole(arm, names, args.role, args.scope, 'assignment');
      const created: ArmResource<ArmRequest> = await arm.putRequest<ArmRequest>(
        active.scope,
        'assignment',
        {
          requestType: 'SelfDeactivate',
          principalId: graph.callerId(),
          roleDefinitionId: roleDefinitionArmId(active.scope, active.roleId),
        },
        `deactivate ${active.roleName} at ${active.scope}`,
      );
      return result(resourceRequestResult(created, now(), names));
    },
  );
}
