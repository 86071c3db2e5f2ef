import type { Command } from 'commander';
import { Arm, ARM_APPROVALS_API_VERSION, armPath, roleGuidOf, type ArmResource } from '../arm.js';
import type { ClientRun } from '../client-run.js';
import { clientCommand, contextOf, type CommonOptions } from '../context.js';
import { ClientError, EXIT } from '../exit-codes.js';
import { query, type Graph } from '../graph.js';
import { GROUP_ASSIGNMENT_REQUESTS, GROUPS_PIM, type GroupRequest } from '../groups.js';
import { table, when } from '../output.js';
import { hasArm, type PimKind } from '../pim-targets.js';
import { ASSIGNMENT_REQUESTS, getRequest, type GraphRequest } from '../requests.js';
import { readableResourceRoles, resourceRoleName, type ArmRequest } from '../resource-roles.js';

const APPROVALS = '/beta/roleManagement/directory/roleAssignmentApprovals';
const GROUP_APPROVALS = `${GROUPS_PIM}/assignmentApprovals`;

interface Step {
  id: string;
  status: string;
  assignedToMe: boolean;
  reviewResult: string;
}

type Principal = { displayName?: string | null; userPrincipalName?: string | null } | null | undefined;
const nameOf = (p: Principal) => p?.userPrincipalName ?? p?.displayName ?? null;

/** A directory-role request waiting for the caller's decision (`approval` in docs/cli/output.schema.json). */
function approvalRow(r: GraphRequest) {
  return {
    kind: 'directoryRole' as const,
    id: r.approvalId ?? r.id,
    requestId: r.id,
    principalId: r.principalId,
    principalName: nameOf(r.principal),
    roleDefinitionId: r.roleDefinitionId,
    roleName: r.roleDefinition?.displayName ?? null,
    directoryScopeId: r.directoryScopeId ?? '/',
    justification: r.justification,
    duration: r.scheduleInfo?.expiration?.duration ?? null,
    createdDateTime: r.createdDateTime,
  };
}

type GroupApprovalSource = GroupRequest & {
  group?: { displayName: string | null } | null;
  principal?: Principal;
};

/** A group activation waiting for the caller's decision. */
function groupApprovalRow(r: GroupApprovalSource) {
  return {
    kind: 'group' as const,
    id: r.approvalId ?? r.id,
    requestId: r.id,
    principalId: r.principalId,
    principalName: nameOf(r.principal),
    groupId: r.groupId,
    groupName: r.group?.displayName ?? null,
    accessId: r.accessId.toLowerCase(),
    justification: r.justification,
    duration: r.scheduleInfo?.expiration?.duration ?? null,
    createdDateTime: r.createdDateTime,
  };
}

/** A resource-role activation waiting for the caller's decision (ARM gives no principal name). */
function resourceApprovalRow(r: ArmResource<ArmRequest>, roles: Parameters<typeof resourceRoleName>[0]) {
  const p = r.properties;
  return {
    kind: 'resourceRole' as const,
    id: p.approvalId ?? r.name,
    requestId: r.name,
    principalId: p.principalId,
    principalName: null,
    roleDefinitionId: roleGuidOf(p.roleDefinitionId),
    roleName: resourceRoleName(roles, p.roleDefinitionId),
    scope: p.scope,
    justification: p.justification,
    duration: p.scheduleInfo?.expiration?.duration ?? null,
    createdDateTime: p.createdOn,
  };
}

type ApprovalRow =
  | ReturnType<typeof approvalRow>
  | ReturnType<typeof groupApprovalRow>
  | ReturnType<typeof resourceApprovalRow>;

/**
 * Everything waiting for the caller's approval, oldest first: directory roles and groups from
 * Graph's `filterByCurrentUser(on='approver')`, resource roles from ARM's `asApprover()`.
 */
async function pendingApprovals(graph: Graph): Promise<ApprovalRow[]> {
  const arm = new Arm(graph);
  const [roles, groups, resources, names] = await Promise.all([
    graph.list<GraphRequest>(
      `${ASSIGNMENT_REQUESTS}/filterByCurrentUser(on='approver')${query({
        $filter: "status eq 'PendingApproval'",
        $expand: 'roleDefinition,principal',
      })}`,
      'list approvals',
    ),
    graph.list<GroupApprovalSource>(
      `${GROUP_ASSIGNMENT_REQUESTS}/filterByCurrentUser(on='approver')${query({ $expand: 'group,principal' })}`,
      'list group approvals',
    ),
    hasArm(graph)
      ? arm.list<ArmResource<ArmRequest>>(
          `${armPath('/', 'roleAssignmentScheduleRequests')}${query({ $filter: 'asApprover()' })}`,
          'list resource role approvals',
        )
      : Promise.resolve([]),
    hasArm(graph) ? readableResourceRoles(arm) : Promise.resolve([]),
  ]);
  return [
    ...roles.map(approvalRow),
    ...groups.filter((r) => r.status === 'PendingApproval').map(groupApprovalRow),
    ...resources
      .filter((r) => r.properties.status === 'PendingApproval')
      .map((r) => resourceApprovalRow(r, names)),
  ].sort((a, b) => a.createdDateTime.localeCompare(b.createdDateTime));
}

/** One kind's approval surface: its stages as the CLI reads them, and how one is decided. */
interface ApprovalSurface {
  kind: PimKind;
  stages(id: string): Promise<Step[]>;
  decide(id: string, stageId: string, result: 'Approve' | 'Deny', justification: string): Promise<unknown>;
  status(id: string): Promise<string | undefined>;
}

/** The three approval surfaces, directory roles first (ADR 0044: one per resource type). */
function surfaces(graph: Graph): ApprovalSurface[] {
  const enc = encodeURIComponent;
  const list: ApprovalSurface[] = [
    {
      kind: 'directoryRole',
      stages: async (id) =>
        (await graph.get<{ steps: Step[] }>(`${APPROVALS}/${enc(id)}`, `read approval ${id}`)).steps,
      decide: (id, stageId, reviewResult, justification) =>
        graph.call('PATCH', `${APPROVALS}/${enc(id)}/steps/${enc(stageId)}`, `${reviewResult} ${id}`, {
          reviewResult,
          justification,
        }),
      status: async (id) => (await getRequest(graph, id).catch(() => undefined))?.status,
    },
    {
      kind: 'group',
      stages: async (id) =>
        (await graph.get<{ stages: Step[] }>(`${GROUP_APPROVALS}/${enc(id)}`, `read approval ${id}`)).stages,
      decide: (id, stageId, reviewResult, justification) =>
        graph.call('PATCH', `${GROUP_APPROVALS}/${enc(id)}/stages/${enc(stageId)}`, `${reviewResult} ${id}`, {
          reviewResult,
          justification,
        }),
      status: async (id) =>
        (
          await graph
            .get<GroupRequest>(`${GROUP_ASSIGNMENT_REQUESTS}/${enc(id)}`, `read request ${id}`)
            .catch(() => undefined)
        )?.status,
    },
  ];
  if (hasArm(graph)) {
    const arm = new Arm(graph);
    const version = `?api-version=${ARM_APPROVALS_API_VERSION}`;
    type Stage = { name: string; properties: Omit<Step, 'id'> };
    list.push({
      kind: 'resourceRole',
      stages: async (id) =>
        (
          await arm.get<{ properties: { stages: Stage[] } }>(
            `${armPath('/', 'roleAssignmentApprovals', id)}${version}`,
            `read approval ${id}`,
          )
        ).properties.stages.map((s) => ({ ...s.properties, id: s.name })),
      decide: (id, stageId, reviewResult, justification) =>
        arm.call(
          'PUT',
          `${armPath('/', 'roleAssignmentApprovals', id, 'stages')}/${enc(stageId)}${version}`,
          `${reviewResult} ${id}`,
          { properties: { reviewResult, justification } },
        ),
      status: async (id) =>
        (
          await arm
            .get<ArmResource<ArmRequest>>(
              armPath('/', 'roleAssignmentScheduleRequests', id),
              `read request ${id}`,
            )
            .catch(() => undefined)
        )?.properties.status,
    });
  }
  return list;
}

/**
 * The approval `id` names, among the three kinds (the ids are unique): each surface is asked in
 * turn and the first that knows it answers. @throws ClientError (not found) when none does.
 */
async function findApproval(graph: Graph, id: string): Promise<{ surface: ApprovalSurface; stages: Step[] }> {
  let first: unknown;
  for (const surface of surfaces(graph)) {
    try {
      return { surface, stages: await surface.stages(id) };
    } catch (error) {
      if (!(error instanceof ClientError && error.exitCode === EXIT.notFound)) throw error;
      first ??= error;
    }
  }
  throw first;
}

const KIND_TEXT: Record<PimKind, string> = {
  directoryRole: 'role',
  group: 'group',
  resourceRole: 'resource role',
};

export function registerApprovalCommands(program: Command, run: ClientRun): void {
  clientCommand(
    program,
    'approvals',
    'Requests waiting for my approval: directory roles, group memberships and ownerships, resource roles.',
  ).action(async (opts: CommonOptions) => {
    const ctx = contextOf(run, opts);
    const rows = await pendingApprovals(ctx.graph());
    if (ctx.out.json) return ctx.out.printJson(rows);
    ctx.out.print(
      table(
        ctx.out,
        [
          ['id', 'ID'],
          ['kind', 'KIND'],
          ['who', 'REQUESTED BY'],
          ['role', 'ROLE / GROUP'],
          ['for', 'FOR'],
          ['since', 'SINCE'],
          ['why', 'JUSTIFICATION'],
        ],
        rows.map((r) => ({
          id: r.id,
          kind: KIND_TEXT[r.kind],
          who: r.principalName ?? r.principalId,
          role:
            r.kind === 'group'
              ? `${r.accessId} of ${r.groupName ?? r.groupId}`
              : r.kind === 'resourceRole'
                ? `${r.roleName} at ${r.scope}`
                : (r.roleName ?? r.roleDefinitionId),
          for: r.duration ?? '',
          since: when(r.createdDateTime),
          why: r.justification ?? '',
        })),
        'Nothing waits for your approval.',
      ),
    );
  });

  for (const [name, result, verb] of [
    ['approve', 'Approve', 'Approved'],
    ['deny', 'Deny', 'Denied'],
  ] as const) {
    clientCommand(
      program,
      `${name} <approvalId>`,
      `${result} a request waiting for me, of a role, a group or a resource role (its id from \`elevate approvals\`).`,
    )
      .requiredOption('-r, --reason <text>', 'justification of the decision, kept in the audit log')
      .action(async (id: string, opts: CommonOptions & { reason: string }) => {
        const ctx = contextOf(run, opts);
        const { surface, stages } = await findApproval(ctx.graph(), id);
        const step = stages.find((s) => s.assignedToMe && s.status === 'InProgress');
        if (step === undefined) {
          throw new ClientError(`approval ${id} has no stage waiting for your decision`, EXIT.refused);
        }
        await surface.decide(id, step.id, result, opts.reason);
        const status = await surface.status(id);
        const out = {
          id,
          kind: surface.kind,
          stepId: step.id,
          reviewResult: result,
          requestStatus: status ?? null,
        };
        if (ctx.out.json) return ctx.out.printJson(out);
        ctx.out.print(`${verb} ${id}${status ? `; the request is now ${status}` : ''}.`);
      });
  }
}
