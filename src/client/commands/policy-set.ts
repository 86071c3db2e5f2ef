import type { Command } from 'commander';
import type { ClientRun } from '../client-run.js';
import { clientCommand, contextOf, type CommonOptions } from '../context.js';
import { ClientError, EXIT } from '../exit-codes.js';
import { query, type Graph } from '../graph.js';
import { resolveRole, type RoleRef } from '../roles.js';
import { closest } from '../suggest.js';

type Rule = Record<string, unknown> & { id: string; '@odata.type': string };

const POLICIES = '/v1.0/policies/roleManagementPolicies';

/** The role's policy (directory, tenant scope) and its rules. */
async function policyOf(graph: Graph, role: RoleRef): Promise<{ policyId: string; rules: Rule[] }> {
  const assignments = await graph.list<{ policyId: string; policy?: { rules?: Rule[] } }>(
    `/v1.0/policies/roleManagementPolicyAssignments${query({
      $filter: `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${role.id}'`,
      $expand: 'policy($expand=rules)',
    })}`,
    `read the settings of ${role.displayName}`,
  );
  const found = assignments[0];
  if (found === undefined) throw new ClientError(`no settings for ${role.displayName}`, EXIT.notFound);
  return { policyId: found.policyId, rules: found.policy?.rules ?? [] };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `a.b=value`: the value as JSON when it is JSON (`true`, `4`, `["x"]`, `"PT8H"`), else as text. */
function assignmentsToPatch(pairs: readonly string[]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ClientError(`expected key=value or a JSON object, got "${pair}"`, EXIT.usage);
    const path = pair.slice(0, eq).split('.');
    if (path.some((k) => !/^[A-Za-z]\w*$/.test(k))) {
      throw new ClientError(`invalid key "${pair.slice(0, eq)}"`, EXIT.usage);
    }
    const text = pair.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    let at = patch;
    for (const key of path.slice(0, -1)) {
      const next = at[key];
      at = isObject(next) ? next : (at[key] = {});
    }
    at[path[path.length - 1] as string] = value;
  }
  return patch;
}

/** The change as given: one JSON object, or key=value pairs. */
export function parseRuleChange(args: readonly string[]): Record<string, unknown> {
  if (args.length === 1 && args[0]?.trim().startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(args[0]);
    } catch (error) {
      throw new ClientError(`the change is not valid JSON: ${(error as Error).message}`, EXIT.usage);
    }
    if (!isObject(value)) throw new ClientError('the change must be a JSON object', EXIT.usage);
    return value;
  }
  return assignmentsToPatch(args);
}

/** `change` laid over `rule`: objects merged key by key, anything else replaced. */
function merge(rule: Record<string, unknown>, change: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...rule };
  for (const [key, value] of Object.entries(change)) {
    const old = out[key];
    out[key] = isObject(old) && isObject(value) ? merge(old, value) : value;
  }
  return out;
}

/** Adds `policy set` to the `policy` command (`policy show` is in admin.ts). */
export function registerPolicySetCommand(program: Command, run: ClientRun): void {
  const policy =
    program.commands.find((c) => c.name() === 'policy') ??
    program.command('policy').description('Role settings (role management policies).');
  clientCommand(
    policy,
    'set <role> <ruleId> <change...>',
    "Change one rule of a role's settings: a JSON object, or key=value pairs (dots for nesting), e.g. " +
      '`setting.isApprovalRequired=true` or `maximumDuration=PT4H`.',
  ).action(async (roleText: string, ruleId: string, args: string[], opts: CommonOptions) => {
    const change = parseRuleChange(args);
    if ('id' in change || '@odata.type' in change) {
      throw new ClientError('the change may not set "id" or "@odata.type"', EXIT.usage);
    }
    const ctx = contextOf(run, opts);
    const graph = ctx.graph();
    const role = await resolveRole(graph, roleText);
    const { policyId, rules } = await policyOf(graph, role);
    const rule = rules.find((r) => r.id.toLowerCase() === ruleId.trim().toLowerCase());
    if (rule === undefined) {
      const near = closest(
        ruleId,
        rules.map((r) => r.id),
      );
      const hint = near.length ? `; did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : '';
      throw new ClientError(
        `no rule "${ruleId}" in the settings of ${role.displayName}${hint}`,
        EXIT.notFound,
      );
    }
    const rulePath = `${POLICIES}/${encodeURIComponent(policyId)}/rules/${encodeURIComponent(rule.id)}`;
    const body = merge(rule, change);
    delete body.target; // not changed here; Graph reads it from the rule
    await graph.call('PATCH', rulePath, `set ${rule.id} of ${role.displayName}`, body);
    const after = await graph.get<Rule & { '@odata.context'?: string }>(rulePath, `read ${rule.id}`);
    delete after['@odata.context'];
    const out = { roleDefinitionId: role.id, roleName: role.displayName, policyId, rule: after };
    if (ctx.out.json) return ctx.out.printJson(out);
    const changed = Object.keys(change).join(', ');
    ctx.out.print(`${role.displayName}: ${rule.id} updated (${changed}).`);
  });
}
