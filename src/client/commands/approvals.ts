import type { Command } from 'commander';
import type { ClientRun } from '../client-run.js';
import { clientCommand, contextOf, type CommonOptions } from '../context.js';
import { ClientError, EXIT } from '../exit-codes.js';
import { query } from '../graph.js';
import { table, when } from '../output.js';
import { ASSIGNMENT_REQUESTS, getRequest, type GraphRequest } from '../requests.js';

const APPROVALS = '/beta/roleManagement/directory/roleAssignmentApprovals';

interface Step {
  id: string;
  status: string;
  assignedToMe: boolean;
  reviewResult: string;
}

/** A request waiting for the caller's decision (`approval` in docs/cli/output.schema.json). */
function approvalRow(r: GraphRequest) {
  return {
    id: r.approvalId ?? r.id,
    requestId: r.id,
    principalId: r.principalId,
    principalName: r.principal?.userPrincipalName ?? r.principal?.displayName ?? null,
    roleDefinitionId: r.roleDefinitionId,
    roleName: r.roleDefinition?.displayName ?? null,
    directoryScopeId: r.directoryScopeId ?? '/',
    justification: r.justification,
    duration: r.scheduleInfo?.expiration?.duration ?? null,
    createdDateTime: r.createdDateTime,
  };
}

export function registerApprovalCommands(program: Command, run: ClientRun): void {
  clientCommand(program, 'approvals', 'Requests waiting for my approval.').action(
    async (opts: CommonOptions) => {
      const ctx = contextOf(run, opts);
      const items = await ctx.graph().list<GraphRequest>(
        `${ASSIGNMENT_REQUESTS}/filterByCurrentUser(on='approver')${query({
          $filter: "status eq 'PendingApproval'",
          $expand: 'roleDefinition,principal',
        })}`,
        'list approvals',
      );
      const rows = items.map(approvalRow);
      if (ctx.out.json) return ctx.out.printJson(rows);
      ctx.out.print(
        table(
          ctx.out,
          [
            ['id', 'ID'],
            ['who', 'REQUESTED BY'],
            ['role', 'ROLE'],
            ['for', 'FOR'],
            ['since', 'SINCE'],
            ['why', 'JUSTIFICATION'],
          ],
          rows.map((r) => ({
            id: r.id,
            who: r.principalName ?? r.principalId,
            role: r.roleName ?? r.roleDefinitionId,
            for: r.duration ?? '',
            since: when(r.createdDateTime),
            why: r.justification ?? '',
          })),
          'Nothing waits for your approval.',
        ),
      );
    },
  );

  for (const [name, result, verb] of [
    ['approve', 'Approve', 'Approved'],
    ['deny', 'Deny', 'Denied'],
  ] as const) {
    clientCommand(
      program,
      `${name} <approvalId>`,
      `${result} a request waiting for me (its id from \`elevate approvals\`).`,
    )
      .requiredOption('-r, --reason <text>', 'justification of the decision, kept in the audit log')
      .action(async (id: string, opts: CommonOptions & { reason: string }) => {
        const ctx = contextOf(run, opts);
        const graph = ctx.graph();
        const approval = await graph.get<{ steps: Step[] }>(
          `${APPROVALS}/${encodeURIComponent(id)}`,
          `read approval ${id}`,
        );
        const step = approval.steps.find((s) => s.assignedToMe && s.status === 'InProgress');
        if (step === undefined) {
          throw new ClientError(`approval ${id} has no stage waiting for your decision`, EXIT.refused);
        }
        await graph.call(
          'PATCH',
          `${APPROVALS}/${encodeURIComponent(id)}/steps/${encodeURIComponent(step.id)}`,
          `${name} ${id}`,
          { reviewResult: result, justification: opts.reason },
        );
        const after = await getRequest(graph, id).catch(() => undefined);
        const out = { id, stepId: step.id, reviewResult: result, requestStatus: after?.status ?? null };
        if (ctx.out.json) return ctx.out.printJson(out);
        ctx.out.print(`${verb} ${id}${after ? `; the request is now ${after.status}` : ''}.`);
      });
  }
}
