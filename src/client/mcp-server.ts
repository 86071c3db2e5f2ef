import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { ClientError, EXIT } from './exit-codes.js';
import type { Graph } from './graph.js';
import {
  ASSIGNMENT_REQUESTS,
  ENDED_STATUSES,
  getRequest,
  isEffective,
  requestRow,
  type GraphRequest,
  type RequestRow,
} from './requests.js';
import { heldInstance, myInstances, roleNameOf, type Instance } from './roles.js';
import {
  getGroupRequest,
  GROUP_ASSIGNMENT_REQUESTS,
  groupNameOf,
  groupRequestResult,
  heldGroup,
  myGroupInstances,
  type GroupInstance,
  type GroupRequest,
} from './groups.js';
import { Arm } from './arm.js';
import { getResourceRequest, resourceRequestResult } from './resource-roles.js';
import { registerResourceRoleTools, RESOURCE_ROLE_TOOLS } from './mcp-resource-tools.js';

/** The tools `elevate mcp` offers, and no others: nothing approves, changes policy or reads secrets. */
export const MCP_TOOLS = [
  'list_roles',
  'request_activation',
  'wait_for_decision',
  'get_request_status',
  'deactivate_role',
  'list_groups',
  'request_group_activation',
  'deactivate_group',
  ...RESOURCE_ROLE_TOOLS,
] as const;

/** The header every Graph call of `elevate mcp` carries; the server records it in the audit (a claim). */
export const MCP_ORIGIN_HEADERS = { 'x-elevate-origin': 'mcp', 'user-agent': 'elevate-mcp/0.1.0' };

export interface McpOptions {
  /** How often `wait_for_decision` asks the server. */
  pollMs: number;
  /** The longest one `wait_for_decision` call may wait. */
  maxWaitMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** What an agent is told about a request: the CLI's request row and whether it is in effect now. */
type RequestResult = RequestRow & { effective: boolean; ended: boolean };

function roleOf(i: Instance) {
  return {
    roleDefinitionId: i.roleDefinitionId,
    roleName: roleNameOf(i),
    directoryScopeId: i.directoryScopeId ?? '/',
    assignmentType: i.assignmentType ?? null,
    startDateTime: i.startDateTime,
    endDateTime: i.endDateTime,
  };
}

function result(value: object): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
    structuredContent: value as Record<string, unknown>,
  };
}

const role = z
  .string()
  .min(1)
  .max(256)
  .describe('the role, by display name (any case) or role definition id, as list_roles shows it');
const scope = z
  .string()
  .min(1)
  .max(256)
  .optional()
  .describe('the directory scope of the eligibility, when the role is held at several (default /)');
const requestId = z
  .string()
  .min(1)
  .max(64)
  .describe('the id request_activation, request_group_activation or request_resource_activation returned');
const group = z
  .string()
  .min(1)
  .max(256)
  .describe('the group, by display name (any case) or group id, as list_groups shows it');
const access = z
  .enum(['member', 'owner'])
  .optional()
  .describe('membership (member, the default) or ownership (owner) of the group');
const task = z
  .string()
  .trim()
  .min(10)
  .max(500)
  .describe('the task the access is needed for, in one or two sentences (the justification)');
const duration = z
  .string()
  .max(32)
  .optional()
  .describe('how long: 30m, 1h, 2h, PT2H (default 1h; the settings cap it)');

function groupOf(i: GroupInstance) {
  return {
    groupId: i.groupId,
    groupName: groupNameOf(i),
    accessId: i.accessId.toLowerCase(),
    assignmentType: i.assignmentType ?? null,
    startDateTime: i.startDateTime,
    endDateTime: i.endDateTime,
  };
}

/** A request as the waiting and status tools follow it: its state, and what the agent is told. */
interface TrackedRequest {
  status: string;
  scheduleInfo: GraphRequest['scheduleInfo'];
  answer(now: number): object;
}

/** Reads one kind of request by id (a directory role's, a group's, a resource role's). */
type RequestReader = (id: string) => Promise<TrackedRequest>;

/**
 * A request by id, of whichever kind it is (the ids are unique): each kind is asked in turn,
 * directory roles first, and the one that knows it reads it from then on.
 * @throws ClientError (not found, the first kind's answer) when no kind knows it.
 */
async function anyRequest(
  readers: readonly RequestReader[],
  id: string,
): Promise<{ request: TrackedRequest; read: () => Promise<TrackedRequest> }> {
  const missing = (error: unknown) => error instanceof ClientError && error.exitCode === EXIT.notFound;
  let first: unknown;
  for (const reader of readers) {
    try {
      return { request: await reader(id), read: () => reader(id) };
    } catch (error) {
      if (!missing(error)) throw error;
      first ??= error;
    }
  }
  // None: the directory role request's answer (the usual case) says so.
  throw first;
}

/**
 * The MCP server of `elevate mcp`: a closed list of tools ({@link MCP_TOOLS}) over the agent's own Graph sign-in (a service
 * principal). Every call is an ordinary Graph call with the agent's token, so role policy,
 * approval by a human, duration limits and audit apply as to anyone (ADR 0036).
 */
export function elevateMcpServer(graph: Graph, o: McpOptions): McpServer {
  const server = new McpServer(
    { name: 'elevate', version: '0.1.0' },
    {
      instructions:
        'Privileged access through Elevate PIM. list_roles shows the roles you may activate; ' +
        'request_activation asks for one and must state the task you need it for (a person may have to approve); ' +
        'wait_for_decision waits for that decision; deactivate_role ends the access when the task is done. ' +
        'list_groups, request_group_activation and deactivate_group do the same for group memberships and ownerships (PIM for Groups); ' +
        'list_resource_roles, request_resource_activation and deactivate_resource_role for roles on resources at a scope (Reader at /prod/db, …).',
    },
  );
  const requestResult = (r: GraphRequest, roleName?: string): RequestResult => ({
    ...requestRow(r, roleName),
    effective: isEffective(r, o.now()),
    ended: ENDED_STATUSES.has(r.status),
  });
  const arm = new Arm(graph);
  const readers: RequestReader[] = [
    async (id) => {
      const r = await getRequest(graph, id);
      return { ...r, answer: () => requestResult(r) };
    },
    async (id) => {
      const r = await getGroupRequest(graph, id);
      return { ...r, answer: (now) => groupRequestResult(r, now) };
    },
    async (id) => {
      const r = await getResourceRequest(arm, id);
      return { ...r.properties, answer: (now) => resourceRequestResult(r, now) };
    },
  ];

  server.registerTool(
    'list_roles',
    {
      title: 'List my roles',
      description: 'The roles this agent is eligible to activate, and the roles active for it now.',
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => {
      const [eligible, active] = await Promise.all([
        myInstances(graph, 'eligibility'),
        myInstances(graph, 'assignment'),
      ]);
      return result({ eligible: eligible.map(roleOf), active: active.map(roleOf) });
    },
  );

  server.registerTool(
    'request_activation',
    {
      title: 'Request a role activation',
      description:
        'Ask to activate one of my eligible roles for a while. `task` states what the access is for; it is ' +
        'the justification a human approver reads and the audit log keeps. The answer may be PendingApproval: ' +
        'call wait_for_decision with its id.',
      inputSchema: {
        role,
        task,
        scope,
        duration,
        ticketNumber: z.string().max(128).optional().describe('a ticket number, when the role asks for one'),
        ticketSystem: z.string().max(128).optional().describe('the ticket system of ticketNumber'),
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async (args) => {
      const duration = parseDuration(args.duration ?? '1h');
      const eligibility = await heldInstance(graph, args.role, args.scope, 'eligibility');
      const roleName = roleNameOf(eligibility);
      const ticket =
        args.ticketNumber === undefined && args.ticketSystem === undefined
          ? {}
          : {
              ticketInfo: {
                ticketNumber: args.ticketNumber ?? null,
                ticketSystem: args.ticketSystem ?? null,
              },
            };
      const created = await graph.call<GraphRequest>('POST', ASSIGNMENT_REQUESTS, `activate ${roleName}`, {
        action: 'selfActivate',
        principalId: graph.callerId(),
        roleDefinitionId: eligibility.roleDefinitionId,
        directoryScopeId: eligibility.directoryScopeId ?? '/',
        justification: args.task,
        ...ticket,
        scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: duration.iso } },
      });
      return result(requestResult(created, roleName));
    },
  );

  const maxWaitSeconds = Math.max(1, Math.floor(o.maxWaitMs / 1000));
  server.registerTool(
    'wait_for_decision',
    {
      title: 'Wait for the decision on a request',
      description:
        'Wait until the request is in effect (effective: true) or its approval ended without a grant ' +
        `(ended: true), at most timeoutSeconds (default ${Math.min(45, maxWaitSeconds)}, at most ${maxWaitSeconds}). ` +
        'If neither happened in that time the request stays open: call again.',
      inputSchema: {
        requestId,
        timeoutSeconds: z
          .number()
          .int()
          .min(1)
          .max(maxWaitSeconds)
          .optional()
          .describe('how long to wait at most, in seconds'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra) => {
      const waitMs = (args.timeoutSeconds ?? Math.min(45, maxWaitSeconds)) * 1000;
      const started = o.now();
      const { request: first, read } = await anyRequest(readers, args.requestId);
      let current = first;
      while (
        !isEffective(current, o.now()) &&
        !ENDED_STATUSES.has(current.status) &&
        o.now() - started < waitMs &&
        !extra.signal.aborted
      ) {
        await o.sleep(Math.min(o.pollMs, Math.max(0, waitMs - (o.now() - started))));
        current = await read();
      }
      return result(current.answer(o.now()));
    },
  );

  server.registerTool(
    'get_request_status',
    {
      title: 'Read a request',
      description:
        'The status of one of my requests, for a role, a group or a resource role (PendingApproval, Provisioned, Denied, …).',
      inputSchema: { requestId },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      const { request } = await anyRequest(readers, args.requestId);
      return result(request.answer(o.now()));
    },
  );

  server.registerTool(
    'deactivate_role',
    {
      title: 'Deactivate a role',
      description: 'End one of my active role activations now (when the task is done).',
      inputSchema: { role, scope },
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async (args) => {
      const active = await heldInstance(graph, args.role, args.scope, 'assignment');
      const roleName = roleNameOf(active);
      const created = await graph.call<GraphRequest>('POST', ASSIGNMENT_REQUESTS, `deactivate ${roleName}`, {
        action: 'selfDeactivate',
        principalId: graph.callerId(),
        roleDefinitionId: active.roleDefinitionId,
        directoryScopeId: active.directoryScopeId ?? '/',
      });
      return result(requestResult(created, roleName));
    },
  );

  registerGroupTools(server, graph, o);
  registerResourceRoleTools(server, arm, graph, { task, duration, result, now: o.now });
  return server;
}

/**
 * PIM for Groups: the agent's eligible memberships and ownerships, activated and deactivated with
 * a task over Graph's `privilegedAccess/group` API, under the group's own settings and approvals.
 */
function registerGroupTools(server: McpServer, graph: Graph, o: McpOptions): void {
  const write = { readOnlyHint: false, idempotentHint: false, openWorldHint: false };
  server.registerTool(
    'list_groups',
    {
      title: 'List my groups',
      description:
        'The group memberships and ownerships this agent is eligible to activate (PIM for Groups), ' +
        'and the ones active for it now.',
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => {
      const [eligible, active] = await Promise.all([
        myGroupInstances(graph, 'eligibility'),
        myGroupInstances(graph, 'assignment'),
      ]);
      return result({ eligible: eligible.map(groupOf), active: active.map(groupOf) });
    },
  );

  server.registerTool(
    'request_group_activation',
    {
      title: 'Request a group membership or ownership',
      description:
        'Ask to activate one of my eligible group memberships (or ownerships) for a while. `task` states ' +
        'what the access is for; it is the justification a human approver reads and the audit log keeps. ' +
        'The answer may be PendingApproval: call wait_for_decision with its id.',
      inputSchema: { group, access, task, duration },
      annotations: { ...write, destructiveHint: false },
    },
    async (args) => {
      const wanted = parseDuration(args.duration ?? '1h');
      const eligibility = await heldGroup(graph, args.group, args.access ?? 'member', 'eligibility');
      const name = groupNameOf(eligibility);
      const created = await graph.call<GroupRequest>(
        'POST',
        GROUP_ASSIGNMENT_REQUESTS,
        `activate ${args.access ?? 'member'} of ${name}`,
        {
          action: 'selfActivate',
          accessId: args.access ?? 'member',
          principalId: graph.callerId(),
          groupId: eligibility.groupId,
          justification: args.task,
          scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: wanted.iso } },
        },
      );
      return result(groupRequestResult(created, o.now(), name));
    },
  );

  server.registerTool(
    'deactivate_group',
    {
      title: 'Deactivate a group membership or ownership',
      description: 'End one of my active group memberships (or ownerships) now (when the task is done).',
      inputSchema: { group, access },
      annotations: { ...write, destructiveHint: true },
    },
    async (args) => {
      const active = await heldGroup(graph, args.group, args.access ?? 'member', 'assignment');
      const name = groupNameOf(active);
      const created = await graph.call<GroupRequest>(
        'POST',
        GROUP_ASSIGNMENT_REQUESTS,
        `deactivate ${args.access ?? 'member'} of ${name}`,
        {
          action: 'selfDeactivate',
          accessId: args.access ?? 'member',
          principalId: graph.callerId(),
          groupId: active.groupId,
        },
      );
      return result(groupRequestResult(created, o.now(), name));
    },
  );
}

/** `elevate mcp` acts as an application only: an agent is its own workload identity, never a person. */
export function requireApp(graph: Graph): void {
  if (graph.kind !== 'app') {
    throw new ClientError(
      'elevate mcp runs as an application (service principal): sign in with --client-id, not as a person',
      EXIT.usage,
    );
  }
}
