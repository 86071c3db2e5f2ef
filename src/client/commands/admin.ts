import type { Command } from 'commander';
import type { ClientRun } from '../client-run.js';
import { clientCommand, contextOf, type CommonOptions, type Context } from '../context.js';
import { parseDuration } from '../duration.js';
import { ClientError, EXIT } from '../exit-codes.js';
import { query } from '../graph.js';
import { keyValues, table } from '../output.js';
import { directoryRequestRow } from '../pim-targets.js';
import { ASSIGNMENT_REQUESTS, ELIGIBILITY_REQUESTS, type GraphRequest } from '../requests.js';
import { resolveRole } from '../roles.js';

interface User {
  id: string;
  displayName: string | null;
  userPrincipalName: string;
  accountEnabled: boolean | null;
}

interface Group {
  id: string;
  displayName: string;
  description: string | null;
  isAssignableToRole: boolean | null;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const quoted = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** A user named by id or user principal name. */
async function resolveUser(ctx: Context, typed: string): Promise<User> {
  const graph = ctx.graph();
  if (GUID.test(typed)) return graph.get<User>(`/v1.0/users/${typed}`, `read user ${typed}`);
  const found = await graph.list<User>(
    `/v1.0/users${query({ $filter: `userPrincipalName eq ${quoted(typed)}` })}`,
    `find user ${typed}`,
  );
  const user = found[0];
  if (user === undefined)
    throw new ClientError(`no user "${typed}" (give a user principal name or id)`, EXIT.notFound);
  return user;
}

const KINDS = {
  eligible: { path: ELIGIBILITY_REQUESTS, noun: 'eligibility' },
  active: { path: ASSIGNMENT_REQUESTS, noun: 'active assignment' },
} as const;

function kindOf(text: string): (typeof KINDS)[keyof typeof KINDS] {
  if (text !== 'eligible' && text !== 'active') {
    throw new ClientError(`the first argument must be "eligible" or "active", got "${text}"`, EXIT.usage);
  }
  return KINDS[text];
}

/** One line per rule for people; `--json` prints the rules as Graph returns them. */
function ruleSummary(rule: Record<string, unknown>): string {
  const skip = new Set(['id', '@odata.type', 'target']);
  return Object.entries(rule)
    .filter(([k]) => !skip.has(k))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
}

export function registerAdminCommands(program: Command, run: ClientRun): void {
  for (const [name, path, what] of [
    ['users', '/v1.0/users', 'Users of the tenant'],
    ['groups', '/v1.0/groups', 'Groups of the tenant'],
  ] as const) {
    clientCommand(program, name, `${what} (administrators).`)
      .option('--filter <odata>', 'an OData $filter, e.g. "startswith(displayName,\'Ada\')"')
      .option('--top <n>', 'at most this many', (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 999)
          throw new ClientError(`--top must be 1–999, got "${v}"`, EXIT.usage);
        return n;
      })
      .action(async (opts: CommonOptions & { filter?: string; top?: number }) => {
        const ctx = contextOf(run, opts);
        const items = await ctx
          .graph()
          .list<User & Group>(
            `${path}${query({ $filter: opts.filter, $top: opts.top?.toString() })}`,
            `list ${name}`,
          );
        const limited = opts.top === undefined ? items : items.slice(0, opts.top);
        const rows =
          name === 'users'
            ? limited.map((u) => ({
                id: u.id,
                displayName: u.displayName,
                userPrincipalName: u.userPrincipalName,
                accountEnabled: u.accountEnabled ?? null,
              }))
            : limited.map((g) => ({
                id: g.id,
                displayName: g.displayName,
                description: g.description ?? null,
                isAssignableToRole: g.isAssignableToRole ?? null,
              }));
        if (ctx.out.json) return ctx.out.printJson(rows);
        const columns =
          name === 'users'
            ? ([
                ['id', 'ID'],
                ['userPrincipalName', 'USER PRINCIPAL NAME'],
                ['displayName', 'NAME'],
              ] as const)
            : ([
                ['id', 'ID'],
                ['displayName', 'NAME'],
                ['roleAssignable', 'ROLE-ASSIGNABLE'],
              ] as const);
        ctx.out.print(
          table(
            ctx.out,
            columns,
            rows.map((r) => {
              const rec = r as Record<string, string | boolean | null>;
              return {
                id: String(rec.id),
                userPrincipalName: String(rec.userPrincipalName ?? ''),
                displayName: String(rec.displayName ?? ''),
                roleAssignable: rec.isAssignableToRole ? 'yes' : 'no',
              };
            }),
            `No ${name}.`,
          ),
        );
      });
  }

  clientCommand(
    program,
    'assign <eligible|active> <user> <role>',
    'Make a user eligible for a role, or assign it active (administrators).',
  )
    .option('--scope <id>', 'directory scope (default /)', '/')
    .option('--for <duration>', 'how long: 8h, 30d, P90D')
    .option('--permanent', 'no end (when the role settings allow it)')
    .option('-r, --reason <text>', 'justification, kept in the audit log')
    .action(
      async (
        kindText: string,
        userText: string,
        roleText: string,
        opts: CommonOptions & { scope: string; for?: string; permanent?: boolean; reason?: string },
      ) => {
        const kind = kindOf(kindText);
        if ((opts.for === undefined) === (opts.permanent !== true)) {
          throw new ClientError('give exactly one of --for <duration> or --permanent', EXIT.usage);
        }
        const duration = opts.for === undefined ? undefined : parseDuration(opts.for);
        const ctx = contextOf(run, opts);
        const graph = ctx.graph();
        const [user, role] = await Promise.all([resolveUser(ctx, userText), resolveRole(graph, roleText)]);
        const created = await graph.call<GraphRequest>(
          'POST',
          kind.path,
          `assign ${role.displayName} to ${user.userPrincipalName}`,
          {
            action: 'adminAssign',
            principalId: user.id,
            roleDefinitionId: role.id,
            directoryScopeId: opts.scope,
            ...(opts.reason === undefined ? {} : { justification: opts.reason }),
            scheduleInfo: {
              startDateTime: null,
              expiration: duration
                ? { type: 'afterDuration', duration: `P${durationDays(duration.ms)}` }
                : { type: 'noExpiration' },
            },
          },
        );
        const row = directoryRequestRow(created, role.displayName);
        if (ctx.out.json) return ctx.out.printJson(row);
        ctx.out.print(
          `${kind.noun} of ${user.userPrincipalName} for ${role.displayName}: ${row.status}  request ${row.id}`,
        );
      },
    );

  clientCommand(
    program,
    'unassign <eligible|active> <user> <role>',
    "Remove a user's eligibility or active assignment (administrators).",
  )
    .option('--scope <id>', 'directory scope (default /)', '/')
    .option('-r, --reason <text>', 'justification, kept in the audit log')
    .action(
      async (
        kindText: string,
        userText: string,
        roleText: string,
        opts: CommonOptions & { scope: string; reason?: string },
      ) => {
        const kind = kindOf(kindText);
        const ctx = contextOf(run, opts);
        const graph = ctx.graph();
        const [user, role] = await Promise.all([resolveUser(ctx, userText), resolveRole(graph, roleText)]);
        const created = await graph.call<GraphRequest>(
          'POST',
          kind.path,
          `remove ${role.displayName} from ${user.userPrincipalName}`,
          {
            action: 'adminRemove',
            principalId: user.id,
            roleDefinitionId: role.id,
            directoryScopeId: opts.scope,
            ...(opts.reason === undefined ? {} : { justification: opts.reason }),
          },
        );
        const row = directoryRequestRow(created, role.displayName);
        if (ctx.out.json) return ctx.out.printJson(row);
        ctx.out.print(
          `${kind.noun} of ${user.userPrincipalName} for ${role.displayName}: ${row.status}  request ${row.id}`,
        );
      },
    );

  const policy = program.command('policy').description('Role settings (role management policies).');
  clientCommand(policy, 'show <role>', "A role's settings: every rule.").action(
    async (roleText: string, opts: CommonOptions) => {
      const ctx = contextOf(run, opts);
      const graph = ctx.graph();
      const role = await resolveRole(graph, roleText);
      const assignments = await graph.list<{
        policyId: string;
        policy?: { id: string; rules?: Record<string, unknown>[] };
      }>(
        `/v1.0/policies/roleManagementPolicyAssignments${query({
          $filter: `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${role.id}'`,
          $expand: 'policy($expand=rules)',
        })}`,
        `read the settings of ${role.displayName}`,
      );
      const found = assignments[0];
      if (found === undefined) throw new ClientError(`no settings for ${role.displayName}`, EXIT.notFound);
      const rules = found.policy?.rules ?? [];
      const out = { roleDefinitionId: role.id, roleName: role.displayName, policyId: found.policyId, rules };
      if (ctx.out.json) return ctx.out.printJson(out);
      ctx.out.print(
        keyValues(ctx.out, [
          ['role', `${role.displayName} (${role.id})`],
          ['policy', found.policyId],
        ]),
      );
      ctx.out.print(
        table(
          ctx.out,
          [
            ['id', 'RULE'],
            ['summary', 'SETTINGS'],
          ],
          rules.map((r) => ({ id: String(r.id), summary: ruleSummary(r) })),
          'No rules.',
        ),
      );
    },
  );
}

/** Graph's assignment durations in whole days (`P30D`) or hours (`PT8H`) below a day. */
function durationDays(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}D`;
  return `T${Math.ceil(ms / 3_600_000)}H`;
}
