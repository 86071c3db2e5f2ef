// `elevate compliance` in Entra mode: the checklist computed by the CLI from Graph reads only, with
// a token from an authority on another host (Entra's token endpoint shape) and Graph behind a
// forwarding host of its own, as login.microsoftonline.com and graph.microsoft.com are apart.
// Elevate stands in for both; the built CLI runs as its own process.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GLOBAL_ADMINISTRATOR } from '../../src/domain/roles/built-in-role-ids.js';
import { cli, ensureBuilt, userEnv, type CliRun } from './support/cli-process.js';
import { addUser, cliServer, type CliServer } from './support/cli-server.js';
import { graphHost } from './support/graph-host.js';

const HELPDESK = 'Helpdesk Administrator';
const HELPDESK_ID = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
ajv.addSchema(
  JSON.parse(readFileSync(new URL('../../docs/cli/output.schema.json', import.meta.url), 'utf8')) as object,
  'cli',
);

interface Check {
  id: string;
  status: 'pass' | 'fail' | 'notEvaluated';
  reason: string | null;
  evidence: Record<string, unknown>;
}
interface Report {
  summary: { passed: number; failed: number; notEvaluated: number; total: number };
  privilegedRolesFrom: string;
  items: Check[];
}

/** The report of a run, validated against the documented schema. */
function report(run: CliRun, exitCode: number): Report {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(exitCode);
  const value: unknown = JSON.parse(run.stdout);
  expect(ajv.validate({ $ref: 'cli#/definitions/compliance' }, value), ajv.errorsText()).toBe(true);
  return value as Report;
}
const check = (r: Report, id: string): Check => {
  const found = r.items.find((i) => i.id === id);
  expect(found, id).toBeDefined();
  return found as Check;
};

let server: CliServer;
let env: Record<string, string>;
let graph: Awaited<ReturnType<typeof graphHost>>;

beforeAll(async () => {
  await ensureBuilt();
  server = await cliServer();
  env = userEnv();
  const secret = { ...env, ELEVATE_CLIENT_SECRET: server.s.boot.app.clientSecret };
  // The administrator's own sign-in, to change the tenant between reports.
  const admin = await cli(
    ['login', '--server', server.base, '--client-id', server.s.boot.app.clientId],
    secret,
  );
  expect(admin.code, admin.stderr).toBe(0);
  graph = await graphHost(server.base);
  const entra = await cli(
    [
      'login',
      '--server',
      graph.url,
      '--authority',
      `${server.base}/${server.s.boot.tenantId}/v2.0`,
      '--client-id',
      server.s.boot.app.clientId,
      '--profile',
      'entra',
    ],
    secret,
  );
  expect(entra.code, entra.stderr).toBe(0);
}, 240_000);
afterAll(async () => {
  await graph?.close();
  await server?.close();
});

const NOT_EVALUATED = [
  'breakGlassAccountsMonitored',
  'notificationsConfigured',
  'accessReviewsQuarterly',
  'accessReviewsAutoApply',
  'alertsEnabled',
  'auditForwardedToSiem',
];

describe('elevate compliance in Entra mode (built CLI, Graph reads only)', { timeout: 300_000 }, () => {
  it('evaluates what Graph supplies, marks the rest not evaluated, and exits 10 with the evidence when a privileged role needs no MFA', async () => {
    const ada = await addUser(server.s);
    graph.paths.length = 0;
    const before = report(await cli(['compliance', '--profile', 'entra', '--json'], env), 10);
    // Every call went to the Graph host, and only read.
    expect(graph.paths.length).toBeGreaterThan(0);
    expect(graph.paths.filter((p) => !/^GET \/v1\.0\//.test(p))).toEqual([]);
    expect(before.privilegedRolesFrom).toBe('isPrivileged');
    for (const id of NOT_EVALUATED) {
      const c = check(before, id);
      expect(c.status, id).toBe('notEvaluated');
      expect(c.reason, id).toMatch(/\w+/);
    }
    expect(before.summary).toEqual({
      passed: before.items.filter((i) => i.status === 'pass').length,
      failed: before.items.filter((i) => i.status === 'fail').length,
      notEvaluated: NOT_EVALUATED.length,
      total: before.items.length,
    });
    const mfa = check(before, 'mfaOnActivation');
    expect(mfa.status).toBe('pass');
    const admins = check(before, 'globalAdministratorCount').evidence as {
      count: number;
      principals: { principalId: string }[];
    };
    expect(admins.principals.map((p) => p.principalId)).not.toContain(ada.id);

    // A privileged role without MFA, and one more Global Administrator (eligible, no end).
    const policy = await cli(
      ['policy', 'set', HELPDESK, 'Enablement_EndUser_Assignment', '{"enabledRules":["Justification"]}'],
      env,
    );
    expect(policy.code, policy.stderr).toBe(0);
    const assigned = await cli(
      ['assign', 'eligible', ada.upn, 'Global Administrator', '--permanent', '--reason', 'rota'],
      env,
    );
    expect(assigned.code, assigned.stderr).toBe(0);

    const after = report(await cli(['compliance', '--profile', 'entra', '--json'], env), 10);
    const noMfa = check(after, 'mfaOnActivation');
    expect(noMfa.status).toBe('fail');
    expect((noMfa.evidence.rolesWithoutMfa as { id: string }[]).map((r) => r.id)).toEqual([HELPDESK_ID]);
    const adminsAfter = check(after, 'globalAdministratorCount').evidence as typeof admins;
    expect(adminsAfter.count).toBe(admins.count + 1);
    expect(adminsAfter.principals).toContainEqual({
      principalId: ada.id,
      principalType: 'user',
      active: false,
    });
    const long = check(after, 'eligibilityExpiresWithinSixMonths');
    expect(long.status).toBe('fail');
    expect(long.evidence.longEligibleAssignments).toContainEqual(
      expect.objectContaining({
        principalId: ada.id,
        roleDefinitionId: GLOBAL_ADMINISTRATOR,
        endDateTime: null,
      }),
    );

    // Where the client evaluates, it agrees with the server's own report on the same tenant.
    const credentials = JSON.parse(
      readFileSync(join(env.XDG_CONFIG_HOME ?? '', 'elevate', 'credentials.json'), 'utf8'),
    ) as { profiles: Record<string, { accessToken: string }> };
    const serverReport = await fetch(`${server.base}/v1.0/elevate/complianceReport`, {
      headers: { authorization: `Bearer ${credentials.profiles.default?.accessToken ?? ''}` },
    });
    expect(serverReport.status).toBe(200);
    const serverItems = ((await serverReport.json()) as { items: { id: string; status: string }[] }).items;
    const evaluated = after.items.filter(
      (i) => i.status !== 'notEvaluated' && i.id !== 'globalAdministratorCount',
    );
    expect(evaluated.length).toBe(7);
    for (const item of evaluated) {
      expect(serverItems.find((i) => i.id === item.id)?.status, item.id).toBe(item.status);
    }

    // The permanent Global Administrator of the bootstrap, named as a break-glass account, is exempt.
    const permanent = check(after, 'noPermanentPrivilegedAssignments');
    expect(permanent.status).toBe('fail');
    const holders = (permanent.evidence.offending as { principalId: string }[]).map((o) => o.principalId);
    const exempt = report(
      await cli(['compliance', '--profile', 'entra', '--json', '--break-glass', ...holders], env),
      10,
    );
    const passed = check(exempt, 'noPermanentPrivilegedAssignments');
    expect(passed.status).toBe('pass');
    expect((passed.evidence.breakGlassExempt as unknown[]).length).toBe(holders.length);

    // For people: a table, or Markdown for a ticket; the same exit code.
    const md = await cli(['compliance', '--profile', 'entra', '--format', 'md'], env);
    expect(md.code).toBe(10);
    expect(md.stdout).toMatch(
      /^\| FAIL \| MFA required to activate every privileged role \(`mfaOnActivation`\) \|/m,
    );
    expect(md.stdout).toMatch(/^\| not evaluated \| .*`auditForwardedToSiem`/m);
    const table = await cli(['compliance', '--profile', 'entra'], env);
    expect(table.code).toBe(10);
    expect(table.stdout).toMatch(
      /^FAIL +mfaOnActivation +1 privileged role\(s\) can be activated without MFA\./m,
    );
    expect(table.stdout).toMatch(/^not evaluated +auditForwardedToSiem +Not evaluated: /m);
  });

  it('bad input: one line on stderr and the documented exit code', async () => {
    const format = await cli(['compliance', '--profile', 'entra', '--format', 'xml'], env);
    expect(format.code).toBe(2);
    expect(format.stderr.trim()).toMatch(/^[^\n]*--format must be text or md/);
    const id = await cli(['compliance', '--profile', 'entra', '--break-glass', 'alice'], env);
    expect(id.code).toBe(2);
    expect(id.stderr).toMatch(/--break-glass takes object ids/);
    const nobody = await cli(['compliance', '--profile', 'nobody', '--json'], env);
    expect(nobody.code).toBe(3);
    expect(nobody.stdout).toBe('');
    const help = await cli(['compliance', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/10 at least one check fails/);
  });
});
