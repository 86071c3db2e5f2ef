import type { Command } from 'commander';
import type { ClientRun } from '../client-run.js';
import { clientCommand, contextOf, type CommonOptions } from '../context.js';
import { ClientError, EXIT } from '../exit-codes.js';
import type { Graph } from '../graph.js';
import { table, when } from '../output.js';

const DEFINITIONS = '/v1.0/identityGovernance/accessReviews/definitions';
const MINE = "filterByCurrentUser(on='reviewer')";
const DECISIONS = ['Approve', 'Deny', 'DontKnow'] as const;

interface Definition {
  id: string;
  displayName: string;
  status: string;
}

interface ReviewInstance {
  id: string;
  startDateTime: string;
  endDateTime: string;
  status: string;
}

interface DecisionItem {
  id: string;
  decision: string;
  recommendation: string;
  justification: string | null;
  principal: { id: string; displayName?: string | null; userPrincipalName?: string | null };
  resource: { id: string; displayName?: string | null; directoryScopeId?: string | null };
}

/** One item to review, as `reviews` prints it (`review-item` in docs/cli/output.schema.json). */
function itemRow(d: Definition, i: ReviewInstance, x: DecisionItem) {
  return {
    definitionId: d.id,
    reviewName: d.displayName,
    instanceId: i.id,
    endDateTime: i.endDateTime,
    id: x.id,
    principalId: x.principal.id,
    principalName: x.principal.userPrincipalName ?? x.principal.displayName ?? null,
    roleDefinitionId: x.resource.id,
    roleName: x.resource.displayName ?? null,
    directoryScopeId: x.resource.directoryScopeId ?? '/',
    recommendation: x.recommendation,
    decision: x.decision,
    justification: x.justification,
  };
}

type ItemRow = ReturnType<typeof itemRow>;

const instancePath = (definitionId: string, instanceId: string) =>
  `${DEFINITIONS}/${encodeURIComponent(definitionId)}/instances/${encodeURIComponent(instanceId)}`;

/** The items of every review instance in progress where the caller is a reviewer. */
async function myItems(graph: Graph, instanceId?: string): Promise<ItemRow[]> {
  const rows: ItemRow[] = [];
  const definitions = await graph.list<Definition>(`${DEFINITIONS}/${MINE}`, 'list my access reviews');
  for (const d of definitions) {
    const instances = await graph.list<ReviewInstance>(
      `${DEFINITIONS}/${encodeURIComponent(d.id)}/instances/${MINE}`,
      `list the instances of review ${d.displayName}`,
    );
    for (const i of instances) {
      if (instanceId !== undefined ? i.id !== instanceId.toLowerCase() : i.status !== 'InProgress') continue;
      const items = await graph.list<DecisionItem>(
        `${instancePath(d.id, i.id)}/decisions/${MINE}`,
        `list my items of review ${d.displayName}`,
      );
      rows.push(...items.map((x) => itemRow(d, i, x)));
    }
  }
  return rows;
}

/** The caller's items of one instance; the instance must be one the caller reviews (else not found). */
async function instanceItems(graph: Graph, instanceId: string): Promise<ItemRow[]> {
  const rows = await myItems(graph, instanceId);
  if (rows.length === 0) {
    throw new ClientError(`no access review instance ${instanceId} where you are a reviewer`, EXIT.notFound);
  }
  return rows;
}

/** The item named by its decision id, or by its principal (id, user principal name or display name). */
function pickItem(rows: readonly ItemRow[], typed: string, role: string | undefined): ItemRow {
  const t = typed.trim().toLowerCase();
  const byId = rows.find((r) => r.id === t);
  if (byId) return byId;
  const r = role?.trim().toLowerCase();
  const hits = rows.filter(
    (x) =>
      [x.principalId, x.principalName?.toLowerCase()].includes(t) &&
      (r === undefined || x.roleDefinitionId === r || x.roleName?.toLowerCase() === r),
  );
  if (hits.length === 1) return hits[0] as ItemRow;
  if (hits.length === 0) {
    throw new ClientError(
      `no item "${typed}" to review in this instance (give a decision id or principal)`,
      EXIT.notFound,
    );
  }
  throw new ClientError(
    `"${typed}" has ${hits.length} items here (${hits.map((h) => h.roleName ?? h.roleDefinitionId).join(', ')}); pass --role or a decision id`,
    EXIT.usage,
  );
}

export function registerReviewCommands(program: Command, run: ClientRun): void {
  clientCommand(program, 'reviews', 'Access review items waiting for my decision (reviews in progress).')
    .option('--all', 'also the items I (or another reviewer) already decided')
    .action(async (opts: CommonOptions & { all?: boolean }) => {
      const ctx = contextOf(run, opts);
      const rows = (await myItems(ctx.graph())).filter((r) => opts.all || r.decision === 'NotReviewed');
      if (ctx.out.json) return ctx.out.printJson(rows);
      ctx.out.print(
        table(
          ctx.out,
          [
            ['instance', 'INSTANCE'],
            ['id', 'DECISION ID'],
            ['who', 'PRINCIPAL'],
            ['role', 'ROLE'],
            ['recommendation', 'RECOMMENDED'],
            ['decision', 'DECISION'],
            ['until', 'DUE'],
          ],
          rows.map((r) => ({
            instance: r.instanceId,
            id: r.id,
            who: r.principalName ?? r.principalId,
            role: r.roleName ?? r.roleDefinitionId,
            recommendation: r.recommendation,
            decision: r.decision,
            until: when(r.endDateTime),
          })),
          'Nothing waits for your review.',
        ),
      );
    });

  const review = program.command('review').description('Decide access review items.');
  clientCommand(
    review,
    'decide <instance> [item]',
    'Record my decision on one item (its decision id, or its principal), or accept every recommendation.',
  )
    .option('-d, --decision <decision>', `${DECISIONS.join(', ')}`)
    .option('-r, --reason <text>', 'justification, kept in the audit log (the review may require it)')
    .option('--role <role>', 'with a principal: which of its roles (name or id)')
    .option('--accept-recommendations', 'accept the recommendation on every item I have not decided')
    .action(
      async (
        instanceId: string,
        typed: string | undefined,
        opts: CommonOptions & {
          decision?: string;
          reason?: string;
          role?: string;
          acceptRecommendations?: boolean;
        },
      ) => {
        const ctx = contextOf(run, opts);
        if (opts.acceptRecommendations) {
          if (typed !== undefined || opts.decision !== undefined) {
            throw new ClientError('--accept-recommendations takes no item and no --decision', EXIT.usage);
          }
        } else {
          if (typed === undefined)
            throw new ClientError(
              'name the item (decision id or principal), or pass --accept-recommendations',
              EXIT.usage,
            );
          if (opts.decision === undefined)
            throw new ClientError(`--decision is required: ${DECISIONS.join(', ')}`, EXIT.usage);
        }
        const decision = DECISIONS.find((d) => d.toLowerCase() === opts.decision?.toLowerCase());
        if (!opts.acceptRecommendations && decision === undefined) {
          throw new ClientError(
            `--decision must be ${DECISIONS.join(', ')}, got "${opts.decision}"`,
            EXIT.usage,
          );
        }
        const graph = ctx.graph();
        const rows = await instanceItems(graph, instanceId);
        const first = rows[0] as ItemRow;
        const path = instancePath(first.definitionId, first.instanceId);
        if (opts.acceptRecommendations) {
          await graph.call(
            'POST',
            `${path}/acceptRecommendations`,
            `accept the recommendations of ${instanceId}`,
          );
          const after = await instanceItems(graph, instanceId);
          if (ctx.out.json) return ctx.out.printJson(after);
          const open = after.filter((r) => r.decision === 'NotReviewed').length;
          ctx.out.print(
            `Accepted the recommendations of ${first.reviewName}; ${open} item(s) still undecided.`,
          );
          return;
        }
        const item = pickItem(rows, typed ?? '', opts.role);
        await graph.call(
          'PATCH',
          `${path}/decisions/${encodeURIComponent(item.id)}`,
          `decide ${item.principalName ?? item.principalId} (${item.roleName ?? item.roleDefinitionId})`,
          { decision, justification: opts.reason ?? null },
        );
        const after = (await instanceItems(graph, instanceId)).find((r) => r.id === item.id) ?? item;
        if (ctx.out.json) return ctx.out.printJson(after);
        ctx.out.print(
          `${after.decision}: ${after.principalName ?? after.principalId} for ${after.roleName ?? after.roleDefinitionId} (${after.reviewName}).`,
        );
      },
    );
}
