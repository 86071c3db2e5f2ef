import type { Command } from 'commander';
import { Arm, armPath, roleDefinitionArmId, roleGuidOf, type ArmResource } from '../arm.js';
import type { ClientRun } from '../client-run.js';
import { clientCommand, contextOf, type CommonOptions, type Context } from '../context.js';
import { parseDuration } from '../duration.js';
import { ClientError, EXIT } from '../exit-codes.js';
import type { Graph } from '../graph.js';
import {
  GROUP_ASSIGNMENT_REQUESTS,
  groupNameOf,
  heldGroup,
  myGroupInstances,
  type GroupRequest,
} from '../groups.js';
import { paint, table, when } from '../output.js';
import {
  directoryRequestRow,
  expiring,
  groupRequestPath,
  groupRequestRow,
  hasArm,
  labelOf,
  myHeld,
  myRequests,
  rereader,
  resourceRequestRow,
  resourceRolesOf,
  targetOf,
  type AnyRequestRow,
  type HeldRow,
  type TargetOptions,
  type Tracked,
} from '../pim-targets.js';
import {
  ASSIGNMENT_REQUESTS,
  ELIGIBILITY_REQUESTS,
  ENDED_STATUSES,
  isEffective,
  type GraphRequest,
} from '../requests.js';
import {
  heldResourceRole,
  myResourceInstances,
  resourceRoleName,
  type ArmRequest,
} from '../resource-roles.js';
import { needsFreshMfa, stepUpSignIn } from '../step-up.js';
import { atScope, heldInstance, myInstances, roleNameOf } from '../roles.js';

interface ActivateOptions extends CommonOptions, TargetOptions {
  for?: string;
  reason?: string;
  ticketNumber?: string;
  ticketSystem?: string;
  wait?: boolean;
  pollInterval?: string;
  timeout?: string;
  stepUp?: boolean;
}

/** The flags that name a group or a resource role instead of a directory role (ADR 0053). */
function targetFlags(cmd: Command, verb: string): Command {
  return cmd
    .option('--scope <id>', 'directory scope of a directory role (default /)')
    .option('-g, --group <name|id>', `${verb} a group membership or ownership instead of a role`)
    .option('--as <access>', 'with --group: member (default) or owner')
    .option('--resource <scope>', `${verb} a resource role (the argument) at this scope path, e.g. /prod/db`);
}

function printRequest(ctx: Context, row: AnyRequestRow, verb: string): void {
  if (ctx.out.json) return ctx.out.printJson(row);
  const status = ENDED_STATUSES.has(row.status)
    ? paint(ctx.out, 'red', row.status)
    : row.status === 'Provisioned' || row.status === 'Granted'
      ? paint(ctx.out, 'green', row.status)
      : paint(ctx.out, 'yellow', row.status);
  ctx.out.print(`${verb} ${labelOf(row)}: ${status}  request ${row.id}`);
}

/**
 * Polls a request until it is effective (exit 0) or its approval ended without a grant (exit 6).
 * On a terminal the status line is rewritten in place; otherwise each new status is one line.
 */
async function waitForDecision(
  ctx: Context,
  first: Tracked,
  read: () => Promise<Tracked>,
  label: string,
  intervalMs: number,
  timeoutMs: number | undefined,
): Promise<Tracked> {
  let current = first;
  let shown = '';
  const started = ctx.now();
  const render = (r: Tracked) => {
    const waited = Math.round((ctx.now() - started) / 1000);
    const line = `${label}: ${r.status} (${Math.floor(waited / 60)}:${String(waited % 60).padStart(2, '0')})`;
    if (ctx.out.tty && !ctx.out.json) ctx.run.stdout.write(`\r\u001b[2K${line}`);
    else if (r.status !== shown) ctx.out.note(`${label}: ${r.status}`);
    shown = r.status;
  };
  for (;;) {
    render(current);
    if (isEffective(current, ctx.now()) || ENDED_STATUSES.has(current.status)) break;
    if (timeoutMs !== undefined && ctx.now() - started >= timeoutMs) break;
    await ctx.sleep(intervalMs);
    current = await read();
  }
  if (ctx.out.tty && !ctx.out.json) ctx.run.stdout.write('\r\u001b[2K');
  return current;
}

/** `roles`' table: one row per role, group access or resource role, with its kind. */
function heldTable(ctx: Context, rows: readonly HeldRow[]): string {
  return table(
    ctx.out,
    [
      ['kind', 'KIND'],
      ['name', 'NAME'],
      ['scope', 'SCOPE / ACCESS'],
      ['type', 'TYPE'],
      ['until', 'UNTIL'],
    ],
    rows.map((r) => ({
      kind: r.kind === 'directoryRole' ? 'role' : r.kind === 'group' ? 'group' : 'resource role',
      name: r.kind === 'group' ? r.groupName : r.roleName,
      scope: r.kind === 'group' ? r.accessId : r.kind === 'resourceRole' ? r.scope : r.directoryScopeId,
      type: r.assignmentType ?? r.memberType ?? '',
      until: when(r.endDateTime),
    })),
    '  (none)',
  );
}

/** The body's justification and ticket, as the flags give them. */
function justificationOf(opts: ActivateOptions): Record<string, unknown> {
  return {
    ...(opts.reason === undefined ? {} : { justification: opts.reason }),
    ...(opts.ticketNumber === undefined && opts.ticketSystem === undefined
      ? {}
      : {
          ticketInfo: {
            ticketNumber: opts.ticketNumber ?? null,
            ticketSystem: opts.ticketSystem ?? null,
          },
        }),
  };
}

/**
 * Sends an activation of the target and answers the created request as {@link Tracked} with the
 * way to read it again (for `--wait`), and the label of its lines.
 */
async function sendActivation(
  graph: Graph,
  typed: string | undefined,
  opts: ActivateOptions,
  iso: string,
): Promise<{ created: Tracked; read: (id: string) => Promise<Tracked>; label: string }> {
  const target = targetOf(typed, opts, graph);
  // No start: the server starts it at its own now.
  const scheduleInfo = { startDateTime: null, expiration: { type: 'afterDuration', duration: iso } };
  if (target.kind === 'group') {
    const eligibility = await heldGroup(graph, target.group, target.accessId, 'eligibility');
    const groupName = groupNameOf(eligibility);
    const r = await graph.call<GroupRequest>(
      'POST',
      GROUP_ASSIGNMENT_REQUESTS,
      `activate ${target.accessId} of ${groupName}`,
      {
        action: 'selfActivate',
        accessId: target.accessId,
        principalId: graph.callerId(),
        groupId: eligibility.groupId,
        ...justificationOf(opts),
        scheduleInfo,
      },
    );
    const row = groupRequestRow(r, groupName);
    return {
      created: { ...r, row },
      read: rereader(graph, 'group', { groupName }),
      label: `${target.accessId} of ${groupName}`,
    };
  }
  if (target.kind === 'resourceRole') {
    const { arm, roles } = await resourceRolesOf(graph);
    const eligibility = await heldResourceRole(arm, roles, target.role, target.scope, 'eligibility');
    const r = await arm.putRequest<ArmRequest>(
      target.scope,
      'assignment',
      {
        requestType: 'SelfActivate',
        principalId: graph.callerId(),
        roleDefinitionId: roleDefinitionArmId(target.scope, eligibility.roleId),
        ...justificationOf(opts),
        scheduleInfo: { ...scheduleInfo, expiration: { type: 'AfterDuration', duration: iso } },
      },
      `activate ${eligibility.roleName} at ${target.scope}`,
    );
    return {
      created: { ...r.properties, row: resourceRequestRow(r, roles) },
      read: rereader(graph, 'resourceRole', { roles }),
      label: `${eligibility.roleName} at ${target.scope}`,
    };
  }
  const eligibility = await heldInstance(graph, target.role, target.scope, 'eligibility');
  const roleName = roleNameOf(eligibility);
  const r = await graph.call<GraphRequest>('POST', ASSIGNMENT_REQUESTS, `activate ${roleName}`, {
    action: 'selfActivate',
    principalId: graph.callerId(),
    roleDefinitionId: eligibility.roleDefinitionId,
    directoryScopeId: eligibility.directoryScopeId ?? '/',
    ...justificationOf(opts),
    scheduleInfo,
  });
  return {
    created: { ...r, row: directoryRequestRow(r, roleName) },
    read: rereader(graph, 'directoryRole', { roleName }),
    label: roleName,
  };
}

/** Sends the deactivation of an active role, group access or resource role. */
async function sendDeactivation(
  graph: Graph,
  typed: string | undefined,
  opts: TargetOptions,
): Promise<AnyRequestRow> {
  const target = targetOf(typed, opts, graph);
  if (target.kind === 'group') {
    const active = await heldGroup(graph, target.group, target.accessId, 'assignment');
    const groupName = groupNameOf(active);
    const r = await graph.call<GroupRequest>(
      'POST',
      GROUP_ASSIGNMENT_REQUESTS,
      `deactivate ${target.accessId} of ${groupName}`,
      {
        action: 'selfDeactivate',
        accessId: target.accessId,
        principalId: graph.callerId(),
        groupId: active.groupId,
      },
    );
    return groupRequestRow(r, groupName);
  }
  if (target.kind === 'resourceRole') {
    const { arm, roles } = await resourceRolesOf(graph);
    const active = await heldResourceRole(arm, roles, target.role, target.scope, 'assignment');
    const r: ArmResource<ArmRequest> = await arm.putRequest<ArmRequest>(
      active.scope,
      'assignment',
      {
        requestType: 'SelfDeactivate',
        principalId: graph.callerId(),
        roleDefinitionId: roleDefinitionArmId(active.scope, active.roleId),
      },
      `deactivate ${active.roleName} at ${active.scope}`,
    );
    return resourceRequestRow(r, roles);
  }
  const active = await heldInstance(graph, target.role, target.scope, 'assignment');
  const roleName = roleNameOf(active);
  const r = await graph.call<GraphRequest>('POST', ASSIGNMENT_REQUESTS, `deactivate ${roleName}`, {
    action: 'selfDeactivate',
    principalId: graph.callerId(),
    roleDefinitionId: active.roleDefinitionId,
    directoryScopeId: active.directoryScopeId ?? '/',
  });
  return directoryRequestRow(r, roleName);
}

/** Asks for an extension of an eligibility or assignment that ends, of any kind. */
async function sendExtension(
  graph: Graph,
  typed: string | undefined,
  opts: TargetOptions & { reason?: string; eligible?: boolean },
  days: number,
): Promise<AnyRequestRow> {
  const target = targetOf(typed, opts, graph);
  const kind = opts.eligible ? 'eligibility' : 'assignment';
  const what = opts.eligible ? 'expiring eligibility' : 'expiring assignment';
  const justification = opts.reason === undefined ? {} : { justification: opts.reason };
  const scheduleInfo = {
    startDateTime: null,
    expiration: { type: 'afterDuration', duration: `P${days}D` },
  };
  if (target.kind === 'group') {
    const instances = (await myGroupInstances(graph, kind)).filter(
      (i) => i.accessId.toLowerCase() === target.accessId,
    );
    const [held] = expiring(
      target.group,
      instances.map((i) => ({ ...i, id: i.groupId, displayName: groupNameOf(i) })),
      `${what} of a group (${target.accessId})`,
    );
    const groupName = groupNameOf(held!);
    const r = await graph.call<GroupRequest>(
      'POST',
      groupRequestPath(kind),
      `extend ${target.accessId} of ${groupName}`,
      {
        action: 'selfExtend',
        accessId: target.accessId,
        principalId: graph.callerId(),
        groupId: held!.groupId,
        ...justification,
        scheduleInfo,
      },
    );
    return groupRequestRow(r, groupName);
  }
  if (target.kind === 'resourceRole') {
    const { arm, roles } = await resourceRolesOf(graph);
    const instances = (await myResourceInstances(arm, kind)).map((i) => ({
      ...i,
      id: roleGuidOf(i.roleDefinitionId),
      displayName: resourceRoleName(roles, i.roleDefinitionId),
      directoryScopeId: i.scope,
    }));
    const held = atScope(
      expiring(target.role, instances, `${what} of a resource role`),
      target.scope,
      target.role,
    );
    const r = await arm.putRequest<ArmRequest>(
      held.scope,
      kind,
      {
        requestType: 'SelfExtend',
        principalId: graph.callerId(),
        roleDefinitionId: roleDefinitionArmId(held.scope, held.id),
        ...justification,
        scheduleInfo: { ...scheduleInfo, expiration: { type: 'AfterDuration', duration: `P${days}D` } },
      },
      `extend ${held.displayName} at ${held.scope}`,
    );
    return resourceRequestRow(r, roles);
  }
  const instances = await myInstances(graph, kind);
  const candidates = instances.map((i) => ({ ...i, id: i.roleDefinitionId, displayName: roleNameOf(i) }));
  const held = atScope(expiring(target.role, candidates, what), target.scope, target.role);
  const roleName = roleNameOf(held);
  const r = await graph.call<GraphRequest>(
    'POST',
    opts.eligible ? ELIGIBILITY_REQUESTS : ASSIGNMENT_REQUESTS,
    `extend ${roleName}`,
    {
      action: 'selfExtend',
      principalId: graph.callerId(),
      roleDefinitionId: held.roleDefinitionId,
      directoryScopeId: held.directoryScopeId ?? '/',
      ...justification,
      scheduleInfo,
    },
  );
  return directoryRequestRow(r, roleName);
}

export function registerPimCommands(program: Command, run: ClientRun): void {
  clientCommand(
    program,
    'roles',
    'My eligible and active directory roles, group memberships and ownerships, and resource roles.',
  ).action(async (opts: CommonOptions) => {
    const ctx = contextOf(run, opts);
    const graph = ctx.graph();
    const [eligible, active] = await Promise.all([myHeld(graph, 'eligibility'), myHeld(graph, 'assignment')]);
    if (ctx.out.json) return ctx.out.printJson({ eligible, active });
    ctx.out.print(`${paint(ctx.out, 'bold', 'Eligible')}\n${heldTable(ctx, eligible)}`);
    ctx.out.print(`\n${paint(ctx.out, 'bold', 'Active')}\n${heldTable(ctx, active)}`);
  });

  targetFlags(
    clientCommand(
      program,
      'activate [role]',
      'Activate one of my eligible roles (by name or id), a group membership or ownership (--group), ' +
        'or a resource role at a scope (--resource).',
    ),
    'activate',
  )
    .option('--for <duration>', 'how long: 2h, 30m, 1h30m, PT2H (default 1h)', '1h')
    .option('-r, --reason <text>', 'justification, when the settings ask for one')
    .option('--ticket-number <number>', 'ticket number, when the settings ask for one')
    .option('--ticket-system <name>', 'ticket system of --ticket-number')
    .option('-w, --wait', 'wait until the access is active, or until its approval ends')
    .option('--poll-interval <duration>', 'how often --wait asks the server (default 2s)', '2s')
    .option('--timeout <duration>', 'stop waiting after this long (exit 1; the request stays open)')
    .option('--no-step-up', 'when the role needs a fresh MFA sign-in, fail (exit 5) instead of asking for it')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  elevate activate "Helpdesk Administrator" --for 2h --reason "INC-1" --wait',
        '  elevate activate --group "On-call responders" --as member --reason "INC-2" --wait',
        '  elevate activate Reader --resource /prod/db --reason "INC-3" --wait',
      ].join('\n'),
    )
    .action(async (typed: string | undefined, opts: ActivateOptions) => {
      const ctx = contextOf(run, opts);
      const duration = parseDuration(opts.for ?? '1h');
      const pollMs = parseDuration(opts.pollInterval ?? '2s').ms;
      const timeoutMs = opts.timeout === undefined ? undefined : parseDuration(opts.timeout).ms;
      let graph = ctx.graph();
      targetOf(typed, opts, graph); // usage errors before any call
      let sent: Awaited<ReturnType<typeof sendActivation>>;
      try {
        sent = await sendActivation(graph, typed, opts, duration.iso);
      } catch (error) {
        // MFA step-up: a person signs in again with the second factor, then the request is sent again once.
        if (opts.stepUp === false || graph.kind !== 'user' || !needsFreshMfa(error)) throw error;
        ctx.out.note(`Activating ${typed ?? opts.group ?? ''} needs a recent multi-factor sign-in.`);
        graph = await stepUpSignIn(ctx, graph, opts.profile);
        ctx.graph = () => graph;
        sent = await sendActivation(graph, typed, opts, duration.iso);
      }
      const { created, read, label } = sent;
      const final = opts.wait
        ? await waitForDecision(ctx, created, () => read(created.row.id), label, pollMs, timeoutMs)
        : created;
      printRequest(ctx, final.row, 'activate');
      if (opts.wait && !isEffective(final, ctx.now()) && !ENDED_STATUSES.has(final.status)) {
        ctx.run.stderr.write(
          `still ${final.status} after ${opts.timeout ?? ''}; the request stays open (elevate cancel ${final.row.id})\n`,
        );
        run.exitCode = EXIT.general;
      } else if (opts.wait && !isEffective(final, ctx.now())) {
        ctx.run.stderr.write(`the activation of ${label} ended without a grant: ${final.status}\n`);
        run.exitCode = EXIT.approvalEnded;
      }
    });

  targetFlags(
    clientCommand(
      program,
      'deactivate [role]',
      'End one of my active role activations now (a group access with --group, a resource role with --resource).',
    ),
    'deactivate',
  ).action(async (typed: string | undefined, opts: CommonOptions & TargetOptions) => {
    const ctx = contextOf(run, opts);
    printRequest(ctx, await sendDeactivation(ctx.graph(), typed, opts), 'deactivate');
  });

  targetFlags(
    clientCommand(
      program,
      'extend [role]',
      'Ask an administrator to extend my eligibility or assignment that ends soon (a role, a group access with --group, a resource role with --resource).',
    ),
    'extend',
  )
    .option('--for <duration>', 'the extension: 30d, 7d, P30D (default 30d)', '30d')
    .option('-r, --reason <text>', 'justification')
    .option('--eligible', 'extend an eligibility (default: an active assignment)')
    .action(
      async (
        typed: string | undefined,
        opts: CommonOptions & TargetOptions & { for?: string; reason?: string; eligible?: boolean },
      ) => {
        const ctx = contextOf(run, opts);
        const days = Math.ceil(parseDuration(opts.for ?? '30d').ms / 86_400_000);
        printRequest(ctx, await sendExtension(ctx.graph(), typed, opts, days), 'extend');
      },
    );

  clientCommand(
    program,
    'requests',
    'My requests (activations, deactivations, extensions) for roles, groups and resource roles.',
  )
    .option('--status <status>', 'only requests with this status (e.g. PendingApproval)')
    .action(async (opts: CommonOptions & { status?: string }) => {
      const ctx = contextOf(run, opts);
      const rows = await myRequests(ctx.graph(), opts.status);
      if (ctx.out.json) return ctx.out.printJson(rows);
      ctx.out.print(
        table(
          ctx.out,
          [
            ['id', 'ID'],
            ['created', 'CREATED'],
            ['kind', 'KIND'],
            ['action', 'ACTION'],
            ['role', 'ROLE / GROUP'],
            ['status', 'STATUS'],
          ],
          rows.map((r) => ({
            id: r.id,
            created: when(r.createdDateTime),
            kind: r.kind === 'directoryRole' ? 'role' : r.kind === 'group' ? 'group' : 'resource role',
            action: r.action,
            role: labelOf(r),
            status: r.status,
          })),
          'No requests.',
        ),
      );
    });

  clientCommand(
    program,
    'cancel <requestId>',
    'Cancel one of my requests (a role’s, a group’s or a resource role’s) that waits for approval or has not started.',
  ).action(async (id: string, opts: CommonOptions) => {
    const ctx = contextOf(run, opts);
    const graph = ctx.graph();
    const after = await cancelAny(graph, id);
    if (ctx.out.json) return ctx.out.printJson(after.row);
    ctx.out.print(`Request ${id}: ${after.status}.`);
  });
}

/**
 * Cancels a request of whichever kind it is (the ids are unique): a directory role's, else a
 * group's, else a resource role's; the first kind's "not found" when none knows it.
 */
async function cancelAny(graph: Graph, id: string): Promise<Tracked> {
  const post = (path: string) => () =>
    graph.call('POST', `${path}/${encodeURIComponent(id)}/cancel`, `cancel request ${id}`);
  const kinds: [() => Promise<unknown>, () => Promise<Tracked>][] = [
    [post(ASSIGNMENT_REQUESTS), () => rereader(graph, 'directoryRole', {})(id)],
    [post(GROUP_ASSIGNMENT_REQUESTS), () => rereader(graph, 'group', {})(id)],
  ];
  if (hasArm(graph)) {
    const arm = new Arm(graph);
    kinds.push([
      () =>
        arm.call(
          'POST',
          armPath('/', 'roleAssignmentScheduleRequests', id, 'cancel'),
          `cancel request ${id}`,
        ),
      async () => rereader(graph, 'resourceRole', { roles: (await resourceRolesOf(graph)).roles })(id),
    ]);
  }
  let first: unknown;
  for (const [cancel, read] of kinds) {
    try {
      await cancel();
      return await read();
    } catch (error) {
      if (!(error instanceof ClientError && error.exitCode === EXIT.notFound)) throw error;
      first ??= error;
    }
  }
  throw first;
}
