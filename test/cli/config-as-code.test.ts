// Role settings and assignments as code: `elevate export`, `plan` and `apply`, the built CLI as its
// own process against a real Elevate on a random port, signed in as the bootstrap application.
// Round trip (export → plan is empty), a one-field edit is a one-line plan and exactly one audited
// rule change, validation errors carry file:line:column, a stale plan hash is refused, --prune
// removes what the file does not declare, and the exit code tells CI about drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { CONFIG_SCHEMA } from '../../src/client/as-code/schema.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { cli, ensureBuilt, userEnv, type CliRun } from './support/cli-process.js';
import { cliFailure } from './support/expect-cli.js';
import { addUser, cliServer, type CliServer } from './support/cli-server.js';
import { graphHost } from './support/graph-host.js';

const HELPDESK = 'Helpdesk Administrator';

const outputs = new Ajv({ allErrors: true, strict: true });
outputs.addSchema(
  JSON.parse(readFileSync(new URL('../../docs/cli/output.schema.json', import.meta.url), 'utf8')) as object,
  'cli',
);

/** `--json` output checked against its definition in docs/cli/output.schema.json. */
function documented<T>(run: CliRun, definition: string): T {
  const value = JSON.parse(run.stdout) as T;
  const valid = outputs.validate({ $ref: `cli#/definitions/${definition}` }, value);
  expect(valid, `${definition}: ${outputs.errorsText()}\n${run.stdout}`).toBe(true);
  return value;
}

let server: CliServer;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  await ensureBuilt();
  server = await cliServer();
  env = userEnv();
  dir = env.HOME ?? '';
  const login = await cli(
    ['login', '--server', server.base, '--client-id', server.s.boot.app.clientId, '--json'],
    { ...env, ELEVATE_CLIENT_SECRET: server.s.boot.app.clientSecret },
  );
  expect(login.code, login.stderr).toBe(0);
}, 240_000);
afterAll(async () => server.close());

const ok = (run: CliRun, code = 0): CliRun => {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(code);
  return run;
};

/** The plan's change lines (without the summary and the hash). */
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

describe('elevate export / plan / apply (built CLI, separate process)', { timeout: 300_000 }, () => {
  let exported: string;
  let alice: { id: string; upn: string };

  it('export writes the live state; plan of it is empty (exit 0) and apply does nothing', async () => {
    alice = await addUser(server.s);
    ok(await cli(['assign', 'eligible', alice.upn, HELPDESK, '--permanent', '--reason', 'rota'], env));
    exported = join(dir, 'elevate.yaml');
    ok(await cli(['export', '-o', exported], env));
    const text = readFileSync(exported, 'utf8');
    expect(text).toMatch(/^# yaml-language-server: \$schema=/);
    const value = parseDocument(text).toJS() as { roles: Record<string, unknown>; assignments: unknown[] };
    const ajv = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true });
    expect(ajv.validate(CONFIG_SCHEMA, value), ajv.errorsText()).toBe(true);
    expect(value.roles[HELPDESK]).toMatchObject({ activation: { maximumDuration: 'PT8H' } });
    expect(value.assignments).toContainEqual({
      type: 'eligible',
      principal: alice.upn,
      role: HELPDESK,
      scope: '/',
      permanent: true,
    });

    const plan = ok(await cli(['plan', '-f', exported], env));
    expect(plan.stdout).toContain('No changes');
    expect(changeLines(plan)).toEqual([]);
    const before = (await settingAudits()).length;
    const apply = ok(await cli(['apply', '-f', exported], env));
    expect(apply.stdout).toContain('Nothing to apply.');
    expect((await settingAudits()).length).toBe(before);
  });

  it('one edited rule is a one-line plan (exit 8), and apply changes exactly that rule, audited', async () => {
    const edited = edit(exported, 'edited.yaml', (doc) =>
      doc.setIn(['roles', HELPDESK, 'activation', 'maximumDuration'], 'PT4H'),
    );
    const plan = ok(await cli(['plan', '-f', edited], env), 8);
    expect(changeLines(plan)).toEqual([`~ role "${HELPDESK}" activation.maximumDuration: PT8H -> PT4H`]);
    const json = ok(await cli(['plan', '-f', edited, '--json'], env), 8);
    const planned = documented<{ planHash: string; changes: Record<string, unknown>[] }>(json, 'plan');
    expect(planned.planHash).toBe(hashOf(plan));
    expect(planned.changes).toEqual([
      expect.objectContaining({
        kind: 'setting',
        action: 'change',
        ruleId: 'Expiration_EndUser_Assignment',
        from: 'PT8H',
        to: 'PT4H',
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
    ok(await cli(['plan', '-f', edited], env));
    // The original file is now one change away the other way.
    expect(changeLines(ok(await cli(['plan', '-f', exported], env), 8))).toEqual([
      `~ role "${HELPDESK}" activation.maximumDuration: PT4H -> PT8H`,
    ]);
    ok(await cli(['apply', '-f', exported], env));
  });

  it('refuses a plan hash when the server changed since the plan, and changes nothing', async () => {
    const edited = edit(exported, 'ticket.yaml', (doc) =>
      doc.setIn(['roles', HELPDESK, 'activation', 'requireTicket'], true),
    );
    const plan = ok(await cli(['plan', '-f', edited], env), 8);
    expect(changeLines(plan)).toHaveLength(1);
    const bob = await addUser(server.s);
    ok(await cli(['assign', 'eligible', bob.upn, HELPDESK, '--permanent', '--reason', 'rota'], env));
    const before = (await settingAudits()).length;
    cliFailure(await cli(['apply', '-f', edited, '--plan-hash', hashOf(plan)], env), 9, /plan changed since/);
    expect((await settingAudits()).length).toBe(before);
    // The new eligibility is live but undeclared: reported and kept.
    const now = ok(await cli(['plan', '-f', edited], env), 8);
    expect(changeLines(now)).toContain(
      `? eligible ${bob.upn} "${HELPDESK}" at / (permanent) is live but not declared: kept (--prune removes it)`,
    );
  });

  it('--prune removes live assignments the file does not declare; without it they are kept', async () => {
    const kept = ok(await cli(['apply', '-f', exported], env));
    expect(kept.stdout).toMatch(/undeclared kept/);
    const undeclared = documented<{ changes: Record<string, unknown>[] }>(
      ok(await cli(['plan', '-f', exported, '--json'], env), 8),
      'plan',
    );
    expect(undeclared.changes).toEqual([
      expect.objectContaining({ kind: 'eligible', action: 'undeclared', to: null }),
    ]);
    const pruned = ok(await cli(['plan', '-f', exported, '--prune'], env), 8);
    const removals = changeLines(pruned);
    expect(removals).toHaveLength(1);
    expect(removals[0]).toMatch(/^- eligible \S+ "Helpdesk Administrator" at \/ \(was permanent\)$/);
    ok(await cli(['apply', '-f', exported, '--prune'], env));
    ok(await cli(['plan', '-f', exported], env));
  });

  it('creates a declared assignment once, and never recreates it', async () => {
    const carol = await addUser(server.s);
    const edited = edit(exported, 'more.yaml', (doc) =>
      doc.addIn(['assignments'], {
        type: 'active',
        principal: carol.upn,
        role: 'user administrator',
        duration: '30d',
      }),
    );
    const plan = ok(await cli(['plan', '-f', edited], env), 8);
    expect(changeLines(plan)).toEqual([`+ active ${carol.upn} "User Administrator" at / (after 30d)`]);
    const applied = documented<{ applied: number }>(
      ok(await cli(['apply', '-f', edited, '--plan-hash', hashOf(plan), '--json'], env)),
      'apply',
    );
    expect(applied.applied).toBe(1);
    const again = ok(await cli(['apply', '-f', edited], env));
    expect(again.stdout).toContain('Nothing to apply.');
    ok(await cli(['plan', '-f', edited], env));
    // Back to the exported state: the file no longer declares it.
    const removed = ok(await cli(['apply', '-f', exported, '--prune'], env));
    expect(removed.stdout).toContain('Applied 1 change.');
  });

  it('approval and approvers named by user principal name: plan per field, apply, then an empty plan', async () => {
    const approver = await addUser(server.s);
    const edited = edit(exported, 'approval.yaml', (doc) => {
      doc.setIn(['roles', 'User Administrator', 'activation', 'approval', 'required'], true);
      doc.setIn(
        ['roles', 'User Administrator', 'activation', 'approval', 'stages', 0, 'approvers'],
        doc.createNode([{ user: approver.upn }]),
      );
      doc.setIn(
        ['roles', 'User Administrator', 'notifications', 'activation', 'admin', 'recipients'],
        ['soc@contoso.test'],
      );
    });
    const plan = ok(await cli(['plan', '-f', edited], env), 8);
    expect(changeLines(plan)).toEqual([
      '~ role "User Administrator" activation.approval.required: false -> true',
      `~ role "User Administrator" activation.approval.stages[0].approvers: [] -> [{"user":"${approver.id}"}]`,
      '~ role "User Administrator" notifications.activation.admin.recipients: [] -> ["soc@contoso.test"]',
    ]);
    const apply = ok(await cli(['apply', '-f', edited, '--plan-hash', hashOf(plan)], env));
    expect(apply.stdout).toContain('Applied 3 changes.');
    ok(await cli(['plan', '-f', edited], env));
    const again = join(dir, 'again.yaml');
    ok(await cli(['export', '-o', again], env));
    const value = parseDocument(readFileSync(again, 'utf8')).toJS() as {
      roles: Record<string, { activation: { approval: { stages: { approvers: unknown[] }[] } } }>;
    };
    expect(value.roles['User Administrator']?.activation.approval.stages[0]?.approvers).toEqual([
      { user: approver.upn },
    ]);
    ok(await cli(['apply', '-f', exported], env));
  });

  it('an invalid duration, an unknown role or user, or a schema violation fails with file:line:column', async () => {
    const bad = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const duration = bad(
      'duration.yaml',
      [
        'version: 1',
        'roles:',
        `  ${HELPDESK}:`,
        '    activation:',
        '      maximumDuration: 8 hours',
        '',
      ].join('\n'),
    );
    cliFailure(
      await cli(['plan', '-f', duration], env),
      2,
      new RegExp(
        `^${duration}:5:24: invalid duration "8 hours" at "roles.${HELPDESK}.activation.maximumDuration"`,
      ),
    );
    const role = bad(
      'role.yaml',
      [
        'version: 1',
        'roles:',
        '  Helpdesk Admnistrator:',
        '    activation:',
        '      requireMfa: true',
        '',
      ].join('\n'),
    );
    cliFailure(
      await cli(['plan', '-f', role], env),
      4,
      new RegExp(`^${role}:4:5: no role "Helpdesk Admnistrator"; did you mean "Helpdesk Administrator"`),
    );
    const user = bad(
      'user.yaml',
      [
        'version: 1',
        'assignments:',
        '  - type: eligible',
        '    principal: nobody@contoso.test',
        `    role: ${HELPDESK}`,
        '    permanent: true',
        '',
      ].join('\n'),
    );
    cliFailure(
      await cli(['plan', '-f', user], env),
      4,
      new RegExp(`^${user}:4:16: no user "nobody@contoso.test"`),
    );
    const field = bad(
      'field.yaml',
      ['version: 1', 'roles:', `  ${HELPDESK}:`, '    activation:', '      maxDuration: PT1H', ''].join('\n'),
    );
    cliFailure(
      await cli(['plan', '-f', field], env),
      2,
      new RegExp(`^${field}:5:7: unknown field "maxDuration"`),
    );
    const both = bad(
      'both.yaml',
      [
        'version: 1',
        'assignments:',
        '  - type: eligible',
        '    principal: admin@contoso.test',
        `    role: ${HELPDESK}`,
        '    permanent: true',
        '    duration: 1d',
        '',
      ].join('\n'),
    );
    cliFailure(
      await cli(['plan', '-f', both], env),
      2,
      new RegExp(`^${both}:3:5: give exactly one of permanent`),
    );
    cliFailure(
      await cli(['plan', '-f', join(dir, 'missing.yaml')], env),
      2,
      /cannot read .*missing\.yaml: ENOENT/,
    );
    cliFailure(
      await cli(['plan', '-f', bad('syntax.yaml', 'version: 1\nroles: [\n')], env),
      2,
      /syntax\.yaml:\d+:\d+: /,
    );
  });
});

describe(
  'Entra mode: Graph at one base URL, the token from an authority elsewhere',
  { timeout: 300_000 },
  () => {
    it('signs in at the authority (Entra token endpoint shape) and runs export / plan / apply over Graph only', async () => {
      // Tokens are stamped by the real clock and checked against the server's manual one (60 s of
      // tolerance), which stood still while the tests above ran: bring it to now before signing in.
      server.clock.set(Date.now());
      const graph = await graphHost(server.base);
      try {
        // The shape of https://login.microsoftonline.com/{tenant}/v2.0 and https://graph.microsoft.com.
        const authority = `${server.base}/${server.s.boot.tenantId}/v2.0`;
        const login = ok(
          await cli(
            [
              'login',
              '--server',
              graph.url,
              '--authority',
              authority,
              '--client-id',
              server.s.boot.app.clientId,
              '--profile',
              'entra',
              '--json',
            ],
            { ...env, ELEVATE_CLIENT_SECRET: server.s.boot.app.clientSecret },
          ),
        );
        expect(JSON.parse(login.stdout)).toMatchObject({ profile: 'entra', server: graph.url, kind: 'app' });
        const stored = JSON.parse(
          readFileSync(join(env.XDG_CONFIG_HOME ?? '', 'elevate', 'credentials.json'), 'utf8'),
        ) as {
          profiles: Record<string, { tokenEndpoint: string; resource: string }>;
        };
        expect(stored.profiles.entra).toMatchObject({
          tokenEndpoint: `${server.base}/${server.s.boot.tenantId}/oauth2/v2.0/token`,
          resource: 'https://graph.microsoft.com',
        });
        expect(graph.paths).toEqual([]); // signing in never touched the Graph host

        const file = join(dir, 'entra.yaml');
        ok(await cli(['export', '--profile', 'entra', '-o', file], env));
        const mine = join(dir, 'mine.yaml');
        ok(await cli(['export', '-o', mine], env));
        const body = (path: string) =>
          parseDocument(readFileSync(path, 'utf8')).toJS() as Record<string, unknown>;
        // The same, but for resource roles: Elevate's own (ARM), never asked for in Entra mode.
        const { resources, ...direct } = body(mine);
        expect(resources).toEqual({});
        expect(body(file)).toEqual(direct);
        ok(await cli(['plan', '--profile', 'entra', '-f', file], env));
        const edited = edit(file, 'entra-edited.yaml', (doc) =>
          doc.setIn(['roles', HELPDESK, 'activation', 'requireTicket'], true),
        );
        const plan = ok(await cli(['plan', '--profile', 'entra', '-f', edited], env), 8);
        expect(changeLines(plan)).toEqual([`~ role "${HELPDESK}" activation.requireTicket: false -> true`]);
        ok(await cli(['apply', '--profile', 'entra', '-f', edited, '--plan-hash', hashOf(plan)], env));
        // The other profile (Elevate directly) sees the change.
        ok(await cli(['plan', '-f', edited], env));
        expect(graph.paths.length).toBeGreaterThan(0);
        expect(graph.paths.filter((p) => !/^(GET|PATCH|POST) \/v1\.0\//.test(p))).toEqual([]);
        expect(graph.paths).toContainEqual(
          expect.stringMatching(/^PATCH \/v1\.0\/policies\/roleManagementPolicies\//),
        );
      } finally {
        await graph.close();
      }
    });
  },
);
