// Resource roles as code: `elevate export`, `plan` and `apply` of resource roles' settings at a
// scope (ARM roleManagementPolicies) and of eligible or active resource-role assignments, the built
// CLI as its own process against a real Elevate on a random port, speaking ARM. Round trip (export
// → plan is empty), a one-field edit is a one-line plan and one audited rule change at that scope,
// an assignment is created once and --prune removes it, and an unknown role or a bad or unknown
// scope fails with file:line:column.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { CONFIG_SCHEMA } from '../../src/client/as-code/schema.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { CONTRIBUTOR, READER } from '../resources/support.js';
import { cli, ensureBuilt, userEnv, type CliRun } from './support/cli-process.js';
import { cliFailure } from './support/expect-cli.js';
import { bootstrapAppHeaders, addUser, cliServer, type CliServer } from './support/cli-server.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const V = 'api-version=2020-10-01';
const AUTH = 'providers/Microsoft.Authorization';

const outputs = new Ajv({ allErrors: true, strict: true });
outputs.addSchema(
  JSON.parse(readFileSync(new URL('../../docs/cli/output.schema.json', import.meta.url), 'utf8')) as object,
  'cli',
);

let server: CliServer;
let env: Record<string, string>;
let dir: string;
let admin: Record<string, string>;
let alice: { id: string; upn: string };

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: { ...admin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : undefined) as Json };
}

/** The settings of a role at a scope, over ARM: its policy assignment (policy name and rules). */
async function policyAt(scope: string, roleId: string) {
  const res = await call('GET', `/arm${scope}/${AUTH}/roleManagementPolicyAssignments?${V}`);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  const found = (res.json.value as Json[]).find((p) =>
    String(p.properties.roleDefinitionId).endsWith(roleId),
  );
  return {
    name: String(found?.properties.policyId).split('/').pop() ?? '',
    rules: found?.properties.effectiveRules as Json[],
  };
}

async function resourceSchedules(
  set: 'roleEligibilitySchedules' | 'roleAssignmentSchedules',
): Promise<Json[]> {
  const res = await call('GET', `/${AUTH}/${set}?${V}`);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return (res.json.value as Json[]).map((s) => s.properties as Json);
}

beforeAll(async () => {
  await ensureBuilt();
  server = await cliServer();
  env = userEnv();
  dir = env.HOME ?? '';
  admin = await bootstrapAppHeaders(server);
  const login = await cli(
    ['login', '--server', server.base, '--client-id', server.s.boot.app.clientId, '--json'],
    { ...env, ELEVATE_CLIENT_SECRET: server.s.boot.app.clientSecret },
  );
  expect(login.code, login.stderr).toBe(0);
  for (const id of ['/prod', '/prod/db']) {
    const scope = await call('POST', '/v1.0/elevate/resourceScopes', { id, displayName: id, type: 'test' });
    expect(scope.status, JSON.stringify(scope.json)).toBe(201);
  }
  alice = await addUser(server.s);
  const eligible = await call(
    'PUT',
    `/arm/prod/${AUTH}/roleEligibilityScheduleRequests/${randomUUID()}?${V}`,
    {
      properties: {
        principalId: alice.id,
        requestType: 'AdminAssign',
        roleDefinitionId: `/prod/${AUTH}/roleDefinitions/${READER}`,
        justification: 'reads production',
        scheduleInfo: { expiration: { type: 'NoExpiration' } },
      },
    },
  );
  expect(eligible.status, JSON.stringify(eligible.json)).toBe(201);
  // Contributor has settings of its own at /prod (the others inherit the defaults).
  const contributor = await policyAt('/prod', CONTRIBUTOR);
  const patched = await call('PATCH', `/arm/prod/${AUTH}/roleManagementPolicies/${contributor.name}?${V}`, {
    properties: {
      rules: [
        {
          ...contributor.rules.find((r) => r.id === 'Expiration_EndUser_Assignment'),
          maximumDuration: 'PT4H',
        },
      ],
    },
  });
  expect(patched.status, JSON.stringify(patched.json)).toBe(200);
}, 240_000);
afterAll(async () => server.close());

const ok = (run: CliRun, code = 0): CliRun => {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(code);
  return run;
};

const changeLines = (run: CliRun) => run.stdout.split('\n').filter((l) => /^[+~?-] /.test(l));
const hashOf = (run: CliRun) => /^plan hash: (sha256:[0-9a-f]{64})$/m.exec(run.stdout)?.[1] ?? '';

async function settingAudits(): Promise<Json[]> {
  const records = await createUnitOfWork(server.s.db).run((tx) =>
    tx.audit.chain(server.s.boot.tenantId, 0, 100_000),
  );
  return records
    .map((r) => JSON.parse(r.payload) as Json)
    .filter((e) => e.activityDisplayName === 'Update role setting in PIM');
}

function edit(file: string, out: string, change: (doc: ReturnType<typeof parseDocument>) => void): string {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  change(doc);
  const path = join(dir, out);
  writeFileSync(path, doc.toString({ lineWidth: 0 }));
  return path;
}

function bad(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, [...lines, ''].join('\n'));
  return path;
}

describe(
  'elevate export / plan / apply: resource roles over ARM (built CLI, separate process)',
  { timeout: 300_000 },
  () => {
    let exported: string;

    it('export writes the settings stored at each scope and the resource-role assignments; plan of it is empty, apply does nothing', async () => {
      exported = join(dir, 'resources.yaml');
      ok(await cli(['export', '-o', exported], env));
      const value = parseDocument(readFileSync(exported, 'utf8')).toJS() as Json;
      const ajv = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true });
      expect(ajv.validate(CONFIG_SCHEMA, value), ajv.errorsText()).toBe(true);
      // Only settings a scope has of its own: Contributor at /prod; inherited ones are not written.
      expect(Object.keys(value.resources)).toEqual(['/prod']);
      expect(Object.keys(value.resources['/prod'])).toEqual(['Contributor']);
      expect(value.resources['/prod'].Contributor.activation.maximumDuration).toBe('PT4H');
      expect(value.assignments).toContainEqual({
        type: 'eligible',
        principal: alice.upn,
        resourceRole: 'Reader',
        scope: '/prod',
        permanent: true,
      });
      expect(ok(await cli(['plan', '-f', exported], env)).stdout).toContain('No changes');
      const before = (await settingAudits()).length;
      expect(ok(await cli(['apply', '-f', exported], env)).stdout).toContain('Nothing to apply.');
      expect((await settingAudits()).length).toBe(before);
    });

    it('one edited rule at a scope is a one-line plan, and apply changes exactly that rule there, audited', async () => {
      const edited = edit(exported, 'resources-edited.yaml', (doc) =>
        doc.setIn(['resources', '/prod', 'Contributor', 'activation', 'maximumDuration'], 'PT2H'),
      );
      const plan = ok(await cli(['plan', '-f', edited], env), 8);
      expect(changeLines(plan)).toEqual([
        '~ resource role "Contributor" at /prod activation.maximumDuration: PT4H -> PT2H',
      ]);
      const json = JSON.parse(ok(await cli(['plan', '-f', edited, '--json'], env), 8).stdout) as Json;
      expect(outputs.validate({ $ref: 'cli#/definitions/plan' }, json), outputs.errorsText()).toBe(true);
      expect(json.changes).toEqual([
        expect.objectContaining({
          kind: 'setting',
          roleDefinitionId: CONTRIBUTOR,
          scope: '/prod',
          resourceRole: true,
          ruleId: 'Expiration_EndUser_Assignment',
          from: 'PT4H',
          to: 'PT2H',
        }),
      ]);
      const before = await settingAudits();
      const apply = ok(await cli(['apply', '-f', edited, '--plan-hash', hashOf(plan)], env));
      expect(apply.stdout).toContain('Applied 1 change.');
      const after = await settingAudits();
      expect(after).toHaveLength(before.length + 1);
      expect(
        (after[after.length - 1] as Json).targetResources[0].modifiedProperties.map(
          (p: Json) => p.displayName as string,
        ),
      ).toEqual(['Expiration_EndUser_Assignment', 'Included Updated Properties']);
      expect(
        (await policyAt('/prod', CONTRIBUTOR)).rules.find((r) => r.id === 'Expiration_EndUser_Assignment'),
      ).toMatchObject({
        maximumDuration: 'PT2H',
      });
      // Only /prod changed: /prod/db still inherits, and the edited file is now the live state.
      ok(await cli(['plan', '-f', edited], env));
      expect(changeLines(ok(await cli(['plan', '-f', exported], env), 8))).toEqual([
        '~ resource role "Contributor" at /prod activation.maximumDuration: PT2H -> PT4H',
      ]);
      // A plan hash from before a change is stale: exit 9, nothing changed.
      const stale = await cli(['apply', '-f', exported, '--plan-hash', hashOf(plan)], env);
      expect(stale.code, stale.stderr).toBe(9);
      ok(await cli(['apply', '-f', exported], env));
      ok(await cli(['plan', '-f', exported], env));
    });

    it('settings declared at a scope that inherits them are compared with what it inherits; a change gives it its own', async () => {
      const file = bad('inherited.yaml', [
        'version: 1',
        'resources:',
        '  /prod/db:',
        '    reader:',
        '      activation:',
        '        requireTicket: true',
      ]);
      // (Live assignments this small file does not declare are reported too, as `?` lines.)
      const settingLines = (run: CliRun) => changeLines(run).filter((l) => l.startsWith('~'));
      const plan = ok(await cli(['plan', '-f', file], env), 8);
      expect(settingLines(plan)).toEqual([
        '~ resource role "Reader" at /prod/db activation.requireTicket: false -> true',
      ]);
      expect(ok(await cli(['apply', '-f', file, '--plan-hash', hashOf(plan)], env)).stdout).toContain(
        'Applied 1 change.',
      );
      expect(settingLines(ok(await cli(['plan', '-f', file], env), 8))).toEqual([]);
      // /prod/db has settings of its own now; /prod's Reader is unchanged.
      expect(
        (await policyAt('/prod/db', READER)).rules.find((r) => r.id === 'Enablement_EndUser_Assignment')
          ?.enabledRules,
      ).toContain('Ticketing');
      expect(
        (await policyAt('/prod', READER)).rules.find((r) => r.id === 'Enablement_EndUser_Assignment')
          ?.enabledRules,
      ).not.toContain('Ticketing');
    });

    it('creates a declared assignment once (the role by any-case name), never again, and --prune removes it', async () => {
      const bob = await addUser(server.s);
      const edited = edit(exported, 'resources-more.yaml', (doc) =>
        doc.addIn(['assignments'], {
          type: 'active',
          principal: bob.upn,
          resourceRole: 'contributor',
          scope: '/prod/db',
          duration: '30d',
        }),
      );
      const plan = ok(await cli(['plan', '-f', edited], env), 8);
      expect(changeLines(plan)).toEqual([
        `+ active ${bob.upn} resource role "Contributor" at /prod/db (after 30d)`,
      ]);
      expect(ok(await cli(['apply', '-f', edited, '--plan-hash', hashOf(plan)], env)).stdout).toContain(
        'Applied 1 change.',
      );
      const active = (await resourceSchedules('roleAssignmentSchedules')).filter(
        (s) => s.principalId === bob.id,
      );
      expect(active).toEqual([
        expect.objectContaining({
          scope: '/prod/db',
          assignmentType: 'Assigned',
          roleDefinitionId: `/prod/db/${AUTH}/roleDefinitions/${CONTRIBUTOR}`,
        }),
      ]);
      expect(ok(await cli(['apply', '-f', edited], env)).stdout).toContain('Nothing to apply.');
      expect(
        (await resourceSchedules('roleAssignmentSchedules')).filter((s) => s.principalId === bob.id),
      ).toHaveLength(1);

      const end = new Date(String(active[0]?.endDateTime)).toISOString();
      expect(changeLines(ok(await cli(['plan', '-f', exported], env), 8))).toEqual([
        `? active ${bob.upn} resource role "Contributor" at /prod/db (${end}) is live but not declared: kept (--prune removes it)`,
      ]);
      const pruned = ok(await cli(['plan', '-f', exported, '--prune'], env), 8);
      expect(changeLines(pruned)).toEqual([
        `- active ${bob.upn} resource role "Contributor" at /prod/db (was ${end})`,
      ]);
      expect(
        ok(await cli(['apply', '-f', exported, '--prune', '--plan-hash', hashOf(pruned)], env)).stdout,
      ).toContain('Applied 1 change.');
      ok(await cli(['plan', '-f', exported], env));
      expect(
        (await resourceSchedules('roleAssignmentSchedules')).filter((s) => s.principalId === bob.id),
      ).toEqual([]);
    });

    it('a file without resource roles leaves them alone: not read, not reported', async () => {
      const file = bad('no-resources.yaml', ['version: 1', 'assignments: []']);
      const plan = await cli(['plan', '-f', file, '--json'], env);
      const json = JSON.parse(plan.stdout) as Json;
      expect((json.changes as Json[]).filter((c) => c.resourceRole === true)).toEqual([]);
    });

    it('an unknown role, a malformed scope or an unregistered one fails with file:line:column', async () => {
      const assignment = (role: string, scope: string) => [
        'version: 1',
        'assignments:',
        '  - type: eligible',
        `    principal: ${alice.upn}`,
        `    resourceRole: ${role}`,
        `    scope: ${scope}`,
        '    permanent: true',
      ];
      const unknown = bad('unknown-role.yaml', assignment('Reder', '/prod'));
      cliFailure(
        await cli(['plan', '-f', unknown], env),
        4,
        new RegExp(`^${unknown}:5:19: no resource role "Reder"; did you mean "Reader"\\?`),
      );
      const malformed = bad('bad-scope.yaml', assignment('Reader', 'prod/db'));
      cliFailure(
        await cli(['plan', '-f', malformed], env),
        2,
        new RegExp(`^${malformed}:6:12: invalid scope "prod/db": a scope path is / or /segment/`),
      );
      const unregistered = bad('unknown-scope.yaml', assignment('Reader', '/staging'));
      cliFailure(
        await cli(['plan', '-f', unregistered], env),
        4,
        new RegExp(`^${unregistered}:6:12: no resource scope "/staging"`),
      );
      const settings = bad('bad-settings-scope.yaml', [
        'version: 1',
        'resources:',
        '  /prod//db:',
        '    Reader:',
        '      activation:',
        '        requireMfa: true',
      ]);
      cliFailure(
        await cli(['plan', '-f', settings], env),
        2,
        new RegExp(`^${settings}:3:3: invalid scope "/prod//db"`),
      );
      const role = bad('bad-settings-role.yaml', [
        'version: 1',
        'resources:',
        '  /prod:',
        '    Contributer:',
        '      activation:',
        '        requireMfa: true',
      ]);
      cliFailure(
        await cli(['plan', '-f', role], env),
        4,
        new RegExp(`^${role}:4:5: no resource role "Contributer"; did you mean "Contributor"\\?`),
      );
      const half = bad('no-scope.yaml', [
        'version: 1',
        'assignments:',
        '  - type: eligible',
        `    principal: ${alice.upn}`,
        '    resourceRole: Reader',
        '    permanent: true',
      ]);
      cliFailure(
        await cli(['plan', '-f', half], env),
        2,
        new RegExp(
          `^${half}:3:5: give role \\(a directory role\\) or group and access \\(member or owner\\), or resourceRole and scope`,
        ),
      );
    });
  },
);
