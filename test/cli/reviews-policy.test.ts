// `elevate reviews`, `elevate review decide` and `elevate policy set` as users run them: the built
// bin against a real Elevate on a random port. A reviewer lists the items waiting for her, decides
// one by principal and accepts the recommendations on the rest; an administrator changes one rule of
// a role's settings with key=value or JSON. --json against the published schemas; bad input is one
// line with the documented exit code.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFINITIONS, definitionBody, userReviewer, USER_ADMINISTRATOR } from '../access-reviews/support.js';
import { cli, ensureBuilt, startCli, userEnv } from './support/cli-process.js';
import { cliOutput, cliFailure } from './support/expect-cli.js';
import {
  addUser,
  bootstrapAppHeaders,
  cliServer,
  completeDeviceSignIn,
  type CliServer,
} from './support/cli-server.js';

let server: CliServer;
let env: Record<string, string>;

beforeAll(async () => {
  await ensureBuilt();
  server = await cliServer();
  env = userEnv();
  const secretFile = join(env.HOME ?? '', 'secret');
  writeFileSync(secretFile, server.s.boot.app.clientSecret, { mode: 0o600 });
  const login = await cli(
    [
      'login',
      '--server',
      server.base,
      '--client-id',
      server.s.boot.app.clientId,
      '--client-secret-file',
      secretFile,
    ],
    env,
  );
  expect(login.code, login.stderr).toBe(0);
}, 240_000);
afterAll(async () => server.close());

async function deviceLogin(profile: string, user: { upn: string }): Promise<void> {
  const login = startCli(['login', '--server', server.base, '--profile', profile], env);
  const prompt = await login.waitForStderr(/open (\S+) in a browser and enter the code (\S+) /);
  await completeDeviceSignIn(server, prompt[1] ?? '', prompt[2] ?? '', user);
  expect((await login.done).code).toBe(0);
}

describe('elevate reviews, review decide, policy set (built CLI)', { timeout: 300_000 }, () => {
  it('a reviewer lists her items, decides one by principal, accepts the recommendations on the rest', async () => {
    const rita = await addUser(server.s);
    const alice = await addUser(server.s);
    const bob = await addUser(server.s);
    await deviceLogin('rita', rita);
    await deviceLogin('alice', alice);
    for (const who of [alice, bob]) {
      const assigned = await cli(['assign', 'eligible', who.upn, USER_ADMINISTRATOR, '--permanent'], env);
      expect(assigned.code, assigned.stderr).toBe(0);
    }
    const today = new Date(server.clock.now()).toISOString().slice(0, 10);
    const body = definitionBody({ roles: [USER_ADMINISTRATOR], reviewers: [userReviewer(rita.id)] });
    const settings = body.settings as { recurrence: { range: { startDate: string } } };
    settings.recurrence.range.startDate = today;
    const created = await fetch(`${server.base}${DEFINITIONS}`, {
      method: 'POST',
      headers: { ...(await bootstrapAppHeaders(server)), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    expect(await server.s.accessReviews.runDue()).toMatchObject({ created: 1 });

    type Item = {
      instanceId: string;
      id: string;
      principalId: string;
      decision: string;
      recommendation: string;
    };
    const items = cliOutput(await cli(['reviews', '--profile', 'rita', '--json'], env), 'reviews') as Item[];
    expect(items.map((i) => i.principalId).sort()).toEqual([alice.id, bob.id].sort());
    expect(items.every((i) => i.decision === 'NotReviewed')).toBe(true);
    const instance = items[0]!.instanceId;
    const human = await cli(['reviews', '--profile', 'rita'], env);
    expect(human.stdout).toMatch(/^INSTANCE\s+DECISION ID\s+PRINCIPAL\s+ROLE/);
    expect(human.stdout).toContain(alice.upn);
    // Alice is reviewed, not a reviewer.
    expect(cliOutput(await cli(['reviews', '--profile', 'alice', '--json'], env), 'reviews')).toEqual([]);

    const decided = cliOutput(
      await cli(
        [
          'review',
          'decide',
          instance,
          alice.upn,
          '--decision',
          'approve',
          '--reason',
          'uses it',
          '--profile',
          'rita',
          '--json',
        ],
        env,
      ),
      'review-decide',
    );
    expect(decided).toMatchObject({ principalId: alice.id, decision: 'Approve', justification: 'uses it' });
    const open = cliOutput(await cli(['reviews', '--profile', 'rita', '--json'], env), 'reviews') as Item[];
    expect(open.map((i) => i.principalId)).toEqual([bob.id]);

    // Bad input: one line, documented code.
    cliFailure(
      await cli(['review', 'decide', instance, bob.upn, '--decision', 'Maybe', '--profile', 'rita'], env),
      2,
      /--decision must be Approve, Deny, DontKnow, got "Maybe"/,
    );
    cliFailure(
      await cli(['review', 'decide', instance, bob.upn, '--profile', 'rita'], env),
      2,
      /--decision is required/,
    );
    cliFailure(
      await cli(
        [
          'review',
          'decide',
          '00000000-0000-4000-8000-000000000000',
          bob.upn,
          '--decision',
          'Deny',
          '--profile',
          'rita',
        ],
        env,
      ),
      4,
      /no access review instance 00000000-0000-4000-8000-000000000000 where you are a reviewer/,
    );
    cliFailure(
      await cli(
        ['review', 'decide', instance, 'nobody@contoso.test', '--decision', 'Deny', '--profile', 'rita'],
        env,
      ),
      4,
      /no item "nobody@contoso.test" to review/,
    );
    // Alice may not decide in Rita's review (she is not a reviewer of it).
    cliFailure(
      await cli(['review', 'decide', instance, bob.upn, '--decision', 'Deny', '--profile', 'alice'], env),
      4,
      /no access review instance/,
    );

    const all = cliOutput(
      await cli(
        ['review', 'decide', instance, '--accept-recommendations', '--profile', 'rita', '--json'],
        env,
      ),
      'review-decide',
    ) as Item[];
    const bobItem = all.find((i) => i.principalId === bob.id);
    expect(bobItem?.decision).toBe(bobItem?.recommendation);
    expect(all.find((i) => i.principalId === alice.id)?.decision).toBe('Approve');
    expect(cliOutput(await cli(['reviews', '--profile', 'rita', '--json'], env), 'reviews')).toEqual([]);
    expect(
      (cliOutput(await cli(['reviews', '--all', '--profile', 'rita', '--json'], env), 'reviews') as Item[])
        .length,
    ).toBe(2);
  });

  it('an administrator changes one rule with key=value or JSON; clear errors', async () => {
    type Out = { rule: Record<string, unknown> };
    const before = cliOutput(
      await cli(['policy', 'show', 'user administrator', '--json'], env),
      'policy-show',
    ) as { rules: Record<string, unknown>[] };
    const set = cliOutput(
      await cli(
        [
          'policy',
          'set',
          'user administrator',
          'Expiration_EndUser_Assignment',
          'maximumDuration=PT4H',
          '--json',
        ],
        env,
      ),
      'policy-set',
    ) as Out;
    expect(set.rule).toMatchObject({ id: 'Expiration_EndUser_Assignment', maximumDuration: 'PT4H' });
    const json = cliOutput(
      await cli(
        [
          'policy',
          'set',
          'User Administrator',
          'Enablement_EndUser_Assignment',
          '{"enabledRules":["Justification","Ticketing"]}',
          '--json',
        ],
        env,
      ),
      'policy-set',
    ) as Out;
    expect(json.rule.enabledRules).toEqual(['Justification', 'Ticketing']);
    const human = await cli(
      [
        'policy',
        'set',
        'User Administrator',
        'Approval_EndUser_Assignment',
        'setting.isApprovalRequired=false',
      ],
      env,
    );
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toBe('User Administrator: Approval_EndUser_Assignment updated (setting).\n');

    // Exactly those rules changed.
    const after = cliOutput(
      await cli(['policy', 'show', 'user administrator', '--json'], env),
      'policy-show',
    ) as {
      rules: Record<string, unknown>[];
    };
    const changed = after.rules
      .filter((r) => JSON.stringify(r) !== JSON.stringify(before.rules.find((b) => b.id === r.id)))
      .map((r) => r.id);
    expect(changed.sort()).toEqual(['Expiration_EndUser_Assignment', 'Enablement_EndUser_Assignment'].sort());

    cliFailure(
      await cli(
        ['policy', 'set', 'User Administrator', 'Expiration_EndUser_Asignment', 'maximumDuration=PT4H'],
        env,
      ),
      4,
      /no rule "Expiration_EndUser_Asignment" in the settings of User Administrator; did you mean "Expiration_EndUser_Assignment"/,
    );
    cliFailure(
      await cli(
        ['policy', 'set', 'User Administrator', 'Expiration_EndUser_Assignment', '{"maximumDuration":'],
        env,
      ),
      2,
      /the change is not valid JSON/,
    );
    cliFailure(
      await cli(
        ['policy', 'set', 'User Administrator', 'Expiration_EndUser_Assignment', 'maximumDuration'],
        env,
      ),
      2,
      /expected key=value or a JSON object, got "maximumDuration"/,
    );
    cliFailure(
      await cli(
        ['policy', 'set', 'User Administrator', 'Expiration_EndUser_Assignment', 'maximumDuration=forever'],
        env,
      ),
      1,
      /set Expiration_EndUser_Assignment of User Administrator: \w+: /,
    );
    cliFailure(
      await cli(
        ['policy', 'set', 'Userr Administrator', 'Expiration_EndUser_Assignment', 'maximumDuration=PT4H'],
        env,
      ),
      4,
      /no role "Userr Administrator"; did you mean "User Administrator"/,
    );
  });
});
