// PIM for Groups as code: `elevate export`, `plan` and `apply` of groups' member and owner settings
// and of eligible or active memberships and ownerships, the built CLI as its own process against a
// real Elevate on a random port. Round trip (export → plan is empty), a one-field edit of a group's
// settings is a one-line plan and one audited rule change, a membership is created once and
// --prune removes it, and unknown groups or half-declared group assignments fail with
// file:line:column.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { CONFIG_SCHEMA } from '../../src/client/as-code/schema.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { cli, ensureBuilt, userEnv, type CliRun } from './support/cli-process.js';
import { cliFailure } from './support/expect-cli.js';
import { bootstrapAppHeaders, addUser, cliServer, type CliServer } from './support/cli-server.js';
import { graphHost } from './support/graph-host.js';

const TIER0 = 'Tier Zero Operators';
const RELEASE = 'Release Managers';

const outputs = new Ajv({ allErrors: true, strict: true });
outputs.addSchema(
  JSON.parse(readFileSync(new URL('../../docs/cli/output.schema.json', import.meta.url), 'utf8')) as object,
  'cli',
);

let server: CliServer;
let env: Record<string, string>;
let dir: string;
let admin: Record<string, string>;
let tier0: string;
let release: string;
let alice: { id: string; upn: string };

async function graph(method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: { ...admin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : undefined) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function newGroup(displayName: string): Promise<string> {
  const created = await graph('POST', '/v1.0/groups', {
    displayName,
    mailNickname: displayName.toLowerCase().replace(/\s+/g, '-'),
    mailEnabled: false,
    securityEnabled: true,
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  return created.json.id as string;
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
  tier0 = await newGroup(TIER0);
  release = await newGroup(RELEASE);
  alice = await addUser(server.s);
  const eligible = await graph(
    'POST',
    '/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests',
    {
      action: 'adminAssign',
      accessId: 'member',
      principalId: alice.id,
      groupId: tier0,
      justification: 'on call',
      scheduleInfo: { expiration: { type: 'noExpiration' } },
    },
  );
  expect(eligible.status, JSON.stringify(eligible.json)).toBe(201);
}, 240_000);
afterAll(async () => server.close());

const ok = (run: CliRun, code = 0): CliRun => {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(code);
  return run;
};

const changeLines = (run: CliRun) => run.stdout.split('\n').filter((l) => /^[+~?-] /.test(l));
const hashOf = (run: CliRun) => /^plan hash: (sha256:[0-9a-f]{64})$/m.exec(run.stdout)?.[1] ?? '';

async function settingAudits(): Promise<Record<string, unknown>[]> {
  const records = await createUnitOfWork(server.s.db).run((tx) =>
    tx.audit.chain(server.s.boot.tenantId, 0, 100_000),
  );
  return records
    .map((r) => JSON.parse(r.payload) as Record<string, unknown>)
    .filter((e) => e.activityDisplayName === 'Update role setting in PIM');
}

function edit(file: string, out: string, change: (doc: ReturnType<typeof parseDocument>) => void): string {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  change(doc);
  const path = join(dir, out);
  writeFileSync(path, doc.toString({ lineWidth: 0 }));
  return path;
}

describe(
  'elevate export / plan / apply: PIM for Groups (built CLI, separate process)',
  { timeout: 300_000 },
  () => {
    let exported: string;

    it('export writes the onboarded groups and their memberships; plan of it is empty and apply does nothing', async () => {
      exported = join(dir, 'groups.yaml');
      ok(await cli(['export', '-o', exported], env));
      const value = parseDocument(readFileSync(exported, 'utf8')).toJS() as {
        groups: Record<string, Record<string, unknown>>;
        assignments: unknown[];
      };
      const ajv = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true });
      expect(ajv.validate(CONFIG_SCHEMA, value), ajv.errorsText()).toBe(true);
      // Only the group onboarded to PIM (it has a schedule), both of its accesses.
      expect(Object.keys(value.groups)).toEqual([TIER0]);
      expect(Object.keys(value.groups[TIER0] ?? {}).sort()).toEqual(['member', 'owner']);
      expect(value.groups[TIER0]?.member).toMatchObject({
        activation: { maximumDuration: expect.any(String) },
      });
      expect(value.assignments).toContainEqual({
        type: 'eligible',
        principal: alice.upn,
        group: TIER0,
        access: 'member',
        permanent: true,
      });
      const plan = ok(await cli(['plan', '-f', exported], env));
      expect(plan.stdout).toContain('No changes');
      const before = (await settingAudits()).length;
      expect(ok(await cli(['apply', '-f', exported], env)).stdout).toContain('Nothing to apply.');
      expect((await settingAudits()).length).toBe(before);
    });

    it("one edited rule of a group's member settings is a one-line plan, and apply changes exactly that rule, audited", async () => {
      const value = parseDocument(readFileSync(exported, 'utf8')).toJS() as {
        groups: Record<string, { member: { activation: { maximumDuration: string } } }>;
      };
      const was = value.groups[TIER0]?.member.activation.maximumDuration;
      const edited = edit(exported, 'groups-edited.yaml', (doc) =>
        doc.setIn(['groups', TIER0, 'member', 'activation', 'maximumDuration'], 'PT2H'),
      );
      const plan = ok(await cli(['plan', '-f', edited], env), 8);
      expect(changeLines(plan)).toEqual([
        `~ member of group "${TIER0}" activation.maximumDuration: ${was} -> PT2H`,
      ]);
      const json = JSON.parse(ok(await cli(['plan', '-f', edited, '--json'], env), 8).stdout) as {
        changes: Record<string, unknown>[];
      };
      expect(outputs.validate({ $ref: 'cli#/definitions/plan' }, json), outputs.errorsText()).toBe(true);
      expect(json.changes).toEqual([
        expect.objectContaining({
          kind: 'setting',
          roleDefinitionId: 'member',
          groupId: tier0,
          ruleId: 'Expiration_EndUser_Assignment',
          to: 'PT2H',
        }),
      ]);
      const before = await settingAudits();
      const apply = ok(await cli(['apply', '-f', edited, '--plan-hash', hashOf(plan)], env));
      expect(apply.stdout).toContain('Applied 1 change.');
      const after = await settingAudits();
      expect(after).toHaveLength(before.length + 1);
      const entry = after[after.length - 1] as {
        targetResources: { modifiedProperties: { displayName: string }[] }[];
      };
      expect(entry.targetResources[0]?.modifiedProperties.map((p) => p.displayName)).toEqual([
        'Expiration_EndUser_Assignment',
        'Included Updated Properties',
      ]);
      // The owner settings, and the roles, are untouched: the edited file is now the live state.
      ok(await cli(['plan', '-f', edited], env));
      expect(changeLines(ok(await cli(['plan', '-f', exported], env), 8))).toEqual([
        `~ member of group "${TIER0}" activation.maximumDuration: PT2H -> ${was}`,
      ]);
      ok(await cli(['apply', '-f', exported], env));
      ok(await cli(['plan', '-f', exported], env));
    });

    it('creates a declared group ownership once (the group by any-case name), and --prune removes it again', async () => {
      const bob = await addUser(server.s);
      const edited = edit(exported, 'groups-more.yaml', (doc) =>
        doc.addIn(['assignments'], {
          type: 'active',
          principal: bob.upn,
          group: RELEASE.toLowerCase(),
          access: 'owner',
          duration: '30d',
        }),
      );
      const plan = ok(await cli(['plan', '-f', edited], env), 8);
      expect(changeLines(plan)).toEqual([`+ active ${bob.upn} owner of group "${RELEASE}" (after 30d)`]);
      expect(ok(await cli(['apply', '-f', edited, '--plan-hash', hashOf(plan)], env)).stdout).toContain(
        'Applied 1 change.',
      );
      const owners = await graph(
        'GET',
        `/v1.0/identityGovernance/privilegedAccess/group/assignmentSchedules?$filter=${encodeURIComponent(
          `groupId eq '${release}'`,
        )}`,
      );
      expect(owners.json.value).toEqual([
        expect.objectContaining({ principalId: bob.id, accessId: 'owner', groupId: release }),
      ]);
      expect(ok(await cli(['apply', '-f', edited], env)).stdout).toContain('Nothing to apply.');

      // The exported file does not declare it: reported and kept, or removed with --prune.
      const end = new Date(owners.json.value[0].scheduleInfo.expiration.endDateTime as string).toISOString();
      expect(changeLines(ok(await cli(['plan', '-f', exported], env), 8))).toEqual([
        `? active ${bob.upn} owner of group "${RELEASE}" (${end}) is live but not declared: kept (--prune removes it)`,
      ]);
      const pruned = ok(await cli(['plan', '-f', exported, '--prune'], env), 8);
      expect(changeLines(pruned)).toEqual([
        expect.stringMatching(new RegExp(`^- active ${bob.upn} owner of group "${RELEASE}" \\(was `)),
      ]);
      expect(
        ok(await cli(['apply', '-f', exported, '--prune', '--plan-hash', hashOf(pruned)], env)).stdout,
      ).toContain('Applied 1 change.');
      ok(await cli(['plan', '-f', exported], env));
    });

    it('an unknown group, or a group assignment without access, fails with file:line:column', async () => {
      const bad = (name: string, lines: string[]) => {
        const path = join(dir, name);
        writeFileSync(path, [...lines, ''].join('\n'));
        return path;
      };
      const unknown = bad('unknown-group.yaml', [
        'version: 1',
        'assignments:',
        '  - type: eligible',
        `    principal: ${alice.upn}`,
        '    group: Tier Zero Operatrs',
        '    access: member',
        '    permanent: true',
      ]);
      cliFailure(
        await cli(['plan', '-f', unknown], env),
        4,
        new RegExp(`^${unknown}:5:12: no group "Tier Zero Operatrs"; did you mean "${TIER0}"\\?`),
      );
      const settings = bad('unknown-settings.yaml', [
        'version: 1',
        'groups:',
        '  Tier Zero Operatrs:',
        '    member:',
        '      activation:',
        '        requireMfa: true',
      ]);
      cliFailure(
        await cli(['plan', '-f', settings], env),
        4,
        new RegExp(`^${settings}:4:5: no group "Tier Zero Operatrs"`),
      );
      const noAccess = bad('no-access.yaml', [
        'version: 1',
        'assignments:',
        '  - type: eligible',
        `    principal: ${alice.upn}`,
        `    group: ${TIER0}`,
        '    permanent: true',
      ]);
      cliFailure(
        await cli(['plan', '-f', noAccess], env),
        2,
        new RegExp(`^${noAccess}:3:5: give role \\(a directory role\\) or group and access`),
      );
      const scoped = bad('group-scope.yaml', [
        'version: 1',
        'assignments:',
        '  - type: eligible',
        `    principal: ${alice.upn}`,
        `    group: ${TIER0}`,
        '    access: member',
        '    scope: /',
        '    permanent: true',
      ]);
      cliFailure(
        await cli(['plan', '-f', scoped], env),
        2,
        new RegExp(`^${scoped}:7:5: a group assignment has no scope`),
      );
    });
  },
);

describe(
  'PIM for Groups in Entra mode: group schedules are listed one group at a time',
  { timeout: 300_000 },
  () => {
    it('falls back to role-assignable and named groups when the unfiltered list is refused, as Entra does', async () => {
      server.clock.set(Date.now()); // tokens are stamped by the real clock (see config-as-code.test.ts)
      const assignable = await graph('POST', '/v1.0/groups', {
        displayName: 'Privileged Helpdesk',
        mailNickname: 'privileged-helpdesk',
        mailEnabled: false,
        securityEnabled: true,
        isAssignableToRole: true,
      });
      expect(assignable.status, JSON.stringify(assignable.json)).toBe(201);
      const eligible = await graph(
        'POST',
        '/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests',
        {
          action: 'adminAssign',
          accessId: 'owner',
          principalId: alice.id,
          groupId: assignable.json.id,
          justification: 'helpdesk lead',
          scheduleInfo: { expiration: { type: 'noExpiration' } },
        },
      );
      expect(eligible.status, JSON.stringify(eligible.json)).toBe(201);
      // Entra: "a group schedule list needs a groupId or principalId filter".
      const refused: string[] = [];
      const host = await graphHost(server.base, (method, url) => {
        const u = new URL(url, 'http://host');
        if (!/\/privilegedAccess\/group\/(eligibility|assignment)Schedules$/.test(u.pathname))
          return undefined;
        if (/(groupId|principalId) eq/.test(u.searchParams.get('$filter') ?? '')) return undefined;
        refused.push(url);
        return {
          status: 400,
          body: { error: { code: 'BadRequest', message: 'Filter on groupId or principalId is required.' } },
        };
      });
      try {
        ok(
          await cli(
            [
              'login',
              '--server',
              host.url,
              '--authority',
              `${server.base}/${server.s.boot.tenantId}/v2.0`,
              '--client-id',
              server.s.boot.app.clientId,
              '--profile',
              'entra',
            ],
            { ...env, ELEVATE_CLIENT_SECRET: server.s.boot.app.clientSecret },
          ),
        );
        const file = join(dir, 'entra-groups.yaml');
        ok(await cli(['export', '--profile', 'entra', '-o', file], env));
        expect(refused.length).toBeGreaterThan(0);
        const value = parseDocument(readFileSync(file, 'utf8')).toJS() as {
          groups: Record<string, unknown>;
          assignments: Record<string, unknown>[];
        };
        // The role-assignable group is found; Tier Zero Operators (not role-assignable, not named) is not.
        expect(Object.keys(value.groups)).toEqual(['Privileged Helpdesk']);
        expect(value.assignments.filter((a) => a.group !== undefined)).toEqual([
          {
            type: 'eligible',
            principal: alice.upn,
            group: 'Privileged Helpdesk',
            access: 'owner',
            permanent: true,
          },
        ]);
        ok(await cli(['plan', '--profile', 'entra', '-f', file], env));
        // A file naming Tier Zero Operators: its schedules are read by group, so the plan is empty too.
        const direct = join(dir, 'direct-groups.yaml');
        ok(await cli(['export', '-o', direct], env));
        ok(await cli(['plan', '--profile', 'entra', '-f', direct], env));
        expect(host.paths).toContainEqual(expect.stringContaining(`groupId%20eq%20%27${tier0}%27`));
      } finally {
        await host.close();
      }
    });
  },
);
