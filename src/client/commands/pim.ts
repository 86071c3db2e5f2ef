import type { Command } from 'commander';
import type { ClientRun } from '../client-run.js';
import { clientCommand, contextOf, type CommonOptions, type Context } from '../context.js';
import { parseDuration } from '../duration.js';
import { EXIT } from '../exit-codes.js';
import { query } from '../graph.js';
import { paint, table, when } from '../output.js';
import {
  ASSIGNMENT_REQUESTS,
  ELIGIBILITY_REQUESTS,
  ENDED_STATUSES,
  getRequest,
  isEffective,
  requestRow,
  type GraphRequest,
  type RequestRow,
} from '../requests.js';
import type { Graph } from '../graph.js';
import { needsFreshMfa, stepUpSignIn } from '../step-up.js';
import { atScope, heldInstance, myInstances, pick, roleNameOf, type Instance } from '../roles.js';

interface ActivateOptions extends CommonOptions {
  scope?: string;
  for?: string;
  reason?: string;
  ticketNumber?: string;
  ticketSystem?: string;
  wait?: boolean;
  pollInterval?: string;
  timeout?: string;
  stepUp?: boolean;
}

/** A role held as an instance, as `roles` prints it (`role` in docs/cli/output.schema.json). */
function roleRow(i: Instance) {
  return {
    roleDefinitionId: i.roleDefinitionId,
    roleName: roleNameOf(i),
    directoryScopeId: i.directoryScopeId ?? '/',
    memberType: i.memberType,
    assignmentType: i.assignmentType ?? null,
    startDateTime: i.startDateTime,
    endDateTime: i.endDateTime,
  };
}

const asRoleRefs = (instances: Instance[]) =>
  instances.map((i) => ({ ...i, id: i.roleDefinitionId, displayName: roleNameOf(i) }));

/** The eligible (or active) instance the typed role names, at the asked scope. */
const heldRole = (
  ctx: Context,
  typed: string,
  scope: string | undefined,
  kind: 'eligibility' | 'assignment',
) => heldInstance(ctx.graph(), typed, scope, kind);

function printRequest(ctx: Context, row: RequestRow, verb: string): void {
  if (ctx.out.json) return ctx.out.printJson(row);
  const status = ENDED_STATUSES.has(row.status)
    ? paint(ctx.out, 'red', row.status)
    : row.status === 'Provisioned' || row.status === 'Granted'
      ? paint(ctx.out, 'green', row.status)
      : paint(ctx.out, 'yellow', row.status);
  ctx.out.print(
    `${verb} ${row.roleName ?? row.roleDefinitionId} (${row.directoryScopeId}): ${status}  request ${row.id}`,
  );
}

/**
 * Polls a request until it is effective (exit 0) or its approval ended without a grant (exit 6).
 * On a terminal the status line is rewritten in place; otherwise each new status is one line.
 */
async function waitForDecision(
  ctx: Context,
  first: GraphRequest,
  roleName: string,
  intervalMs: number,
  timeoutMs: number | undefined,
): Promise<GraphRequest> {
  let current = first;
  let shown = '';
  const started = ctx.now();
  const render = (r: GraphRequest) => {
    const waited = Math.round((ctx.now() - started) / 1000);
    const line = `${roleName}: ${r.status} (${Math.floor(waited / 60)}:${String(waited % 60).padStart(2, '0')})`;
    if (ctx.out.tty && !ctx.out.json) ctx.run.stdout.write(`\r\u001b[2K${line}`);
    else if (r.status !== shown) ctx.out.note(`${roleName}: ${r.status}`);
    shown = r.status;
  };
  for (;;) {
    render(current);
    if (isEffective(current, ctx.now()) || ENDED_STATUSES.has(current.status)) break;
    if (timeoutMs !== undefined && ctx.now() - started >= timeoutMs) break;
    await ctx.sleep(intervalMs);
    current = await getRequest(ctx.graph(), current.id);
  }
  if (ctx.out.tty && !ctx.out.json) ctx.run.stdout.write('\r\u001b[2K');
  return current;
}

export function registerPimCommands(program: Command, run: ClientRun): void {
  clientCommand(program, 'roles', 'My eligible roles and the roles active for me now.').action(
    async (opts: CommonOptions) => {
      const ctx = contextOf(run, opts);
      const graph = ctx.graph();
      const [eligible, active] = await Promise.all([
        myInstances(graph, 'eligibility'),
        myInstances(graph, 'assignment'),
      ]);
      const result = { eligible: eligible.map(roleRow), active: active.map(roleRow) };
      if (ctx.out.json) return ctx.out.printJson(result);
      const columns = [
        ['roleName', 'ROLE'],
        ['scope', 'SCOPE'],
        ['type', 'TYPE'],
        ['until', 'UNTIL'],
      ] as const;
      const rows = (list: ReturnType<typeof roleRow>[]) =>
        list.map((r) => ({
          roleName: r.roleName,
          scope: r.directoryScopeId,
          type: r.assignmentType ?? r.memberType,
          until: when(r.endDateTime),
        }));
      ctx.out.print(
        `${paint(ctx.out, 'bold', 'Eligible')}\n${table(ctx.out, columns, rows(result.eligible), '  (none)')}`,
      );
      ctx.out.print(
        `\n${paint(ctx.out, 'bold', 'Active')}\n${table(ctx.out, columns, rows(result.active), '  (none)')}`,
      );
    },
  );

  clientCommand(program, 'activate <role>', 'Activate one of my eligible roles (by name or id).')
    .option('--scope <id>', 'directory scope of the eligibility (default /)')
    .option('--for <duration>', 'how long: 2h, 30m, 1h30m, PT2H (default 1h)', '1h')
    .option('-r, --reason <text>', 'justification, when the role settings ask for one')
    .option('--ticket-number <number>', 'ticket number, when the role settings ask for one')
    .option('--ticket-system <name>', 'ticket system of --ticket-number')
    .option('-w, --wait', 'wait until the role is active, or until its approval ends')
    .option('--poll-interval <duration>', 'how often --wait asks the server (default 2s)', '2s')
    .option('--timeout <duration>', 'stop waiting after this long (exit 1; the request stays open)')
    .option('--no-step-up', 'when the role needs a fresh MFA sign-in, fail (exit 5) instead of asking for it')
    .action(async (typed: string, opts: ActivateOptions) => {
      const ctx = contextOf(run, opts);
      const duration = parseDuration(opts.for ?? '1h');
      const pollMs = parseDuration(opts.pollInterval ?? '2s').ms;
      const timeoutMs = opts.timeout === undefined ? undefined : parseDuration(opts.timeout).ms;
      let graph = ctx.graph();
      const eligibility = await heldRole(ctx, typed, opts.scope, 'eligibility');
      const roleName = roleNameOf(eligibility);
      const request = (g: Graph) =>
        g.call<GraphRequest>('POST', ASSIGNMENT_REQUESTS, `activate ${roleName}`, {
          action: 'selfActivate',
          principalId: g.callerId(),
          roleDefinitionId: eligibility.roleDefinitionId,
          directoryScopeId: eligibility.directoryScopeId ?? '/',
          ...(opts.reason === undefined ? {} : { justification: opts.reason }),
          ...(opts.ticketNumber === undefined && opts.ticketSystem === undefined
            ? {}
            : {
                ticketInfo: {
                  ticketNumber: opts.ticketNumber ?? null,
                  ticketSystem: opts.ticketSystem ?? null,
                },
              }),
          // No start: the server starts it at its own now.
          scheduleInfo: {
            startDateTime: null,
            expiration: { type: 'afterDuration', duration: duration.iso },
          },
        });
      let created: GraphRequest;
      try {
        created = await request(graph);
      } catch (error) {
        // MFA step-up: a person signs in again with the second factor, then the request is sent again once.
        if (opts.stepUp === false || graph.kind !== 'user' || !needsFreshMfa(error)) throw error;
        ctx.out.note(`Activating ${roleName} needs a recent multi-factor sign-in.`);
        graph = await stepUpSignIn(ctx, graph, opts.profile);
        ctx.graph = () => graph;
        created = await request(graph);
      }
      const final = opts.wait ? await waitForDecision(ctx, created, roleName, pollMs, timeoutMs) : created;
      printRequest(ctx, requestRow(final, roleName), 'activate');
      if (opts.wait && !isEffective(final, ctx.now()) && !ENDED_STATUSES.has(final.status)) {
        ctx.run.stderr.write(
          `still ${final.status} after ${opts.timeout ?? ''}; the request stays open (elevate cancel ${final.id})\n`,
        );
        run.exitCode = EXIT.general;
      } else if (opts.wait && !isEffective(final, ctx.now())) {
        ctx.run.stderr.write(`the activation of ${roleName} ended without a grant: ${final.status}\n`);
        run.exitCode = EXIT.approvalEnded;
      }
    });

  clientCommand(program, 'deactivate <role>', 'End one of my active role activations now.')
    .option('--scope <id>', 'directory scope of the activation (default /)')
    .action(async (typed: string, opts: CommonOptions & { scope?: string }) => {
      const ctx = contextOf(run, opts);
      const graph = ctx.graph();
      const active = await heldRole(ctx, typed, opts.scope, 'assignment');
      const roleName = roleNameOf(active);
      const created = await graph.call<GraphRequest>('POST', ASSIGNMENT_REQUESTS, `deactivate ${roleName}`, {
        action: 'selfDeactivate',
        principalId: graph.callerId(),
        roleDefinitionId: active.roleDefinitionId,
        directoryScopeId: active.directoryScopeId ?? '/',
      });
      printRequest(ctx, requestRow(created, roleName), 'deactivate');
    });

  clientCommand(
    program,
    'extend <role>',
    'Ask an administrator to extend my eligibility or assignment that ends soon.',
  )
    .option('--scope <id>', 'directory scope (default /)')
    .option('--for <duration>', 'the extension: 30d, 7d, P30D (default 30d)', '30d')
    .option('-r, --reason <text>', 'justification')
    .option('--eligible', 'extend an eligibility (default: an active assignment)')
    .action(
      async (
        typed: string,
        opts: CommonOptions & { scope?: string; for?: string; reason?: string; eligible?: boolean },
      ) => {
        const ctx = contextOf(run, opts);
        const graph = ctx.graph();
        const duration = parseDuration(opts.for ?? '30d');
        const kind = opts.eligible ? 'eligibility' : 'assignment';
        const instances = await myInstances(graph, kind);
        const candidates = asRoleRefs(
          instances.filter((i) => i.endDateTime !== null && i.assignmentType !== 'Activated'),
        );
        const held = atScope(
          pick(typed, candidates, opts.eligible ? 'expiring eligibility' : 'expiring assignment'),
          opts.scope,
          typed,
        );
        const roleName = roleNameOf(held);
        const path = opts.eligible ? ELIGIBILITY_REQUESTS : ASSIGNMENT_REQUESTS;
        const created = await graph.call<GraphRequest>('POST', path, `extend ${roleName}`, {
          action: 'selfExtend',
          principalId: graph.callerId(),
          roleDefinitionId: held.roleDefinitionId,
          directoryScopeId: held.directoryScopeId ?? '/',
          ...(opts.reason === undefined ? {} : { justification: opts.reason }),
          scheduleInfo: {
            startDateTime: null,
            expiration: { type: 'afterDuration', duration: `P${Math.ceil(duration.ms / 86_400_000)}D` },
          },
        });
        printRequest(ctx, requestRow(created, roleName), 'extend');
      },
    );

  clientCommand(program, 'requests', 'My role assignment requests (activations, deactivations, extensions).')
    .option('--status <status>', 'only requests with this status (e.g. PendingApproval)')
    .action(async (opts: CommonOptions & { status?: string }) => {
      const ctx = contextOf(run, opts);
      const graph = ctx.graph();
      const filters = [
        ...(graph.kind === 'app' ? [`principalId eq '${graph.callerId()}'`] : []),
        ...(opts.status ? [`status eq '${opts.status.replace(/'/g, "''")}'`] : []),
      ];
      const path =
        graph.kind === 'user'
          ? `${ASSIGNMENT_REQUESTS}/filterByCurrentUser(on='principal')`
          : ASSIGNMENT_REQUESTS;
      const items = await graph.list<GraphRequest>(
        `${path}${query({ $filter: filters.length ? filters.join(' and ') : undefined, $expand: 'roleDefinition' })}`,
        'list requests',
      );
      const rows = items
        .map((r) => requestRow(r))
        .sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime));
      if (ctx.out.json) return ctx.out.printJson(rows);
      ctx.out.print(
        table(
          ctx.out,
          [
            ['id', 'ID'],
            ['created', 'CREATED'],
            ['action', 'ACTION'],
            ['role', 'ROLE'],
            ['status', 'STATUS'],
          ],
          rows.map((r) => ({
            id: r.id,
            created: when(r.createdDateTime),
            action: r.action,
            role: r.roleName ?? r.roleDefinitionId,
            status: r.status,
          })),
          'No requests.',
        ),
      );
    });

  clientCommand(
    program,
    'cancel <requestId>',
    'Cancel one of my requests that waits for approval or has not started.',
  ).action(async (id: string, opts: CommonOptions) => {
    const ctx = contextOf(run, opts);
    const graph = ctx.graph();
    await graph.call(
      'POST',
      `${ASSIGNMENT_REQUESTS}/${encodeURIComponent(id)}/cancel`,
      `cancel request ${id}`,
    );
    const after = await getRequest(graph, id);
    if (ctx.out.json) return ctx.out.printJson(requestRow(after));
    ctx.out.print(`Request ${id}: ${after.status}.`);
  });
}
