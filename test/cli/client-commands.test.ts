// The `elevate` client commands as a user runs them: the built bin as its own process, against a
// real Elevate listening on a random port, with its own config folder. Sign-in with client
// credentials and with the device flow (the browser step done by the test over HTTP), activation
// with approval decided by another person through the CLI, --json against the published schemas,
// and the documented exit codes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireApproval } from '../pim/approval-support.js';
import { GLOBAL_ADMINISTRATOR, GROUPS_ADMINISTRATOR } from '../pim/support.js';
import { freePort } from '../helpers/tls-elevate.js';
import { cli, ensureBuilt, startCli, userEnv, type CliRun } from './support/cli-process.js';
import { cliOutput, cliFailure } from './support/expect-cli.js';
import { addUser, cliServer, completeDeviceSignIn, type CliServer } from './support/cli-server.js';

const HELPDESK_ADMINISTRATOR = '729827e3-9c14-49f7-bb1b-9608f156bbb8';

async function waitUntil(check: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let server: CliServer;
/** The bootstrap app's terminal (profile `default`) and the people's (profiles `alice`, `bob`). */
let env: Record<string, string>;

beforeAll(async () => {
  await ensureBuilt();
  server = await cliServer();
  env = userEnv();
}, 240_000);
afterAll(async () => server.close());

async function deviceLogin(profile: string, user: { upn: string }): Promise<CliRun> {
  const login = startCli(['login', '--server', server.base, '--profile', profile, '--json'], env);
  const prompt = await login.waitForStderr(/open (\S+) in a browser and enter the code (\S+) /);
  await completeDeviceSignIn(server, prompt[1] ?? '', prompt[2] ?? '', user);
  return login.done;
}

// Generous timeouts: each command is a new Node process, seconds each on a machine shared by several runs.
describe('elevate client commands (built CLI, separate process)', { timeout: 300_000 }, () => {
  it('signs in with client credentials into a 0600 file, and lists who it is, users and groups', async () => {
    const secretFile = join(env.HOME ?? '', 'secret');
    writeFileSync(secretFile, `${server.s.boot.app.clientSecret}\n`, { mode: 0o600 });
    const login = cliOutput(
      await cli(
        [
          'login',
          '--server',
          server.base,
          '--client-id',
          server.s.boot.app.clientId,
          '--client-secret-file',
          secretFile,
          '--json',
        ],
        env,
      ),
      'login',
    );
    expect(login).toMatchObject({
      profile: 'default',
      kind: 'app',
      server: server.base,
      tenantId: server.s.boot.tenantId,
    });

    const dir = join(env.XDG_CONFIG_HOME ?? '', 'elevate');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'credentials.json')).mode & 0o777).toBe(0o600);
    // The secret stays in its own file: the profile names the file.
    expect(readFileSync(join(dir, 'credentials.json'), 'utf8')).not.toContain(server.s.boot.app.clientSecret);

    const who = cliOutput(await cli(['whoami', '--json'], env), 'whoami') as { principalId: string };
    expect(who.principalId).toBe(server.s.boot.app.servicePrincipalId);
    const users = cliOutput(
      await cli(['users', '--json', '--filter', "userPrincipalName eq 'admin@contoso.test'"], env),
      'users',
    );
    expect(users).toEqual([expect.objectContaining({ userPrincipalName: 'admin@contoso.test' })]);
    cliOutput(await cli(['groups', '--json'], env), 'groups');
    const human = await cli(['users'], env);
    expect(human.stdout).toMatch(/^ID\s+USER PRINCIPAL NAME\s+NAME\n/);
    expect(human.stdout).not.toContain('\u001b['); // no colours when stdout is not a terminal

    const policy = cliOutput(
      await cli(['policy', 'show', 'helpdesk administrator', '--json'], env),
      'policy-show',
    ) as {
      rules: unknown[];
    };
    expect(policy.rules).toHaveLength(17);
  });

  it('a person signs in with the device flow, activates a role needing approval with --wait, another approves', async () => {
    const alice = await addUser(server.s);
    const bob = await addUser(server.s, [GLOBAL_ADMINISTRATOR]);
    cliOutput(await deviceLogin('alice', alice), 'login');
    cliOutput(await deviceLogin('bob', bob), 'login');

    // An access token that ran out is renewed with the refresh token (which rotates), and saved.
    const file = join(env.XDG_CONFIG_HOME ?? '', 'elevate', 'credentials.json');
    const stored = JSON.parse(readFileSync(file, 'utf8')) as {
      profiles: Record<string, Record<string, unknown>>;
    };
    const before = stored.profiles.bob as { refreshToken: string; accessToken: string };
    expect(before.refreshToken).toEqual(expect.any(String));
    stored.profiles.bob = { ...before, expiresAt: 0 };
    writeFileSync(file, JSON.stringify(stored));
    cliOutput(await cli(['approvals', '--profile', 'bob', '--json'], env), 'approvals');
    const renewed = (JSON.parse(readFileSync(file, 'utf8')) as typeof stored).profiles
      .bob as typeof before & {
      expiresAt: number;
    };
    expect(renewed.refreshToken).not.toBe(before.refreshToken);
    expect(renewed.accessToken).not.toBe(before.accessToken);
    expect(renewed.expiresAt).toBeGreaterThan(Date.now());
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // The administrator (the app's profile) makes alice eligible; the role needs approval.
    const assigned = cliOutput(
      await cli(
        [
          'assign',
          'eligible',
          alice.upn,
          'Helpdesk Administrator',
          '--permanent',
          '--reason',
          'on call',
          '--json',
        ],
        env,
      ),
      'assign',
    );
    expect(assigned).toMatchObject({ action: 'adminAssign', status: 'Provisioned', principalId: alice.id });
    await requireApproval(server.s, HELPDESK_ADMINISTRATOR);

    const roles = cliOutput(await cli(['roles', '--profile', 'alice', '--json'], env), 'roles');
    expect(roles).toMatchObject({
      eligible: [{ roleName: 'Helpdesk Administrator', directoryScopeId: '/' }],
      active: [],
    });

    const activation = startCli(
      [
        'activate',
        'helpdesk administrator',
        '--for',
        '2h',
        '--reason',
        'INC-1 password resets',
        '--wait',
        '--poll-interval',
        '1s',
        '--json',
        '--profile',
        'alice',
      ],
      env,
    );
    await activation.waitForStderr(/Helpdesk Administrator: PendingApproval/);
    const inbox = cliOutput(await cli(['approvals', '--profile', 'bob', '--json'], env), 'approvals') as {
      id: string;
      principalId: string;
    }[];
    const mine = inbox.find((a) => a.principalId === alice.id);
    expect(mine).toMatchObject({
      roleName: 'Helpdesk Administrator',
      justification: 'INC-1 password resets',
      duration: 'PT2H',
    });
    // alice cannot approve her own request.
    cliFailure(
      await cli(['approve', mine?.id ?? '', '--reason', 'me', '--profile', 'alice'], env),
      5,
      /no stage waiting for your decision|Authorization|approve/,
    );
    cliOutput(
      await cli(['approve', mine?.id ?? '', '--reason', 'ticket checked', '--profile', 'bob', '--json'], env),
      'approve',
    );

    const done = await activation.done;
    const activated = cliOutput(done, 'activate');
    expect(activated).toMatchObject({
      status: 'Provisioned',
      roleName: 'Helpdesk Administrator',
      duration: 'PT2H',
    });
    expect(done.stderr).toContain('Helpdesk Administrator: Provisioned');
    const after = cliOutput(await cli(['roles', '--profile', 'alice', '--json'], env), 'roles') as {
      active: unknown[];
    };
    expect(after.active).toEqual([
      expect.objectContaining({ roleName: 'Helpdesk Administrator', assignmentType: 'Activated' }),
    ]);
    cliOutput(await cli(['requests', '--profile', 'alice', '--json'], env), 'requests');

    // Denied: exit 6.
    await cli(['assign', 'eligible', alice.id, GROUPS_ADMINISTRATOR, '--permanent', '--json'], env);
    await requireApproval(server.s, GROUPS_ADMINISTRATOR);
    const second = startCli(
      [
        'activate',
        'Groups Administrator',
        '--reason',
        'INC-2',
        '--wait',
        '--poll-interval',
        '1s',
        '--profile',
        'alice',
      ],
      env,
    );
    await second.waitForStderr(/Groups Administrator: PendingApproval/);
    const pending = cliOutput(await cli(['approvals', '--profile', 'bob', '--json'], env), 'approvals') as {
      id: string;
      roleName: string;
    }[];
    const groupsRequest = pending.find((a) => a.roleName === 'Groups Administrator');
    cliOutput(
      await cli(
        ['deny', groupsRequest?.id ?? '', '--reason', 'no ticket', '--profile', 'bob', '--json'],
        env,
      ),
      'deny',
    );
    const denied = await second.done;
    expect(denied.code, denied.stderr).toBe(6);
    expect(denied.stderr).toContain('ended without a grant: Denied');
    expect(denied.stderr).not.toMatch(/\n\s+at /);

    // --timeout gives up waiting (exit 1) and leaves the request open; alice cancels it.
    const waiting = await cli(
      [
        'activate',
        'Groups Administrator',
        '--reason',
        'INC-3',
        '--wait',
        '--timeout',
        '2s',
        '--poll-interval',
        '1s',
        '--json',
        '--profile',
        'alice',
      ],
      env,
    );
    expect(waiting.code, waiting.stderr).toBe(1);
    const open = JSON.parse(waiting.stdout) as { id: string; status: string };
    expect(open.status).toBe('PendingApproval');
    expect(waiting.stderr).toContain(`the request stays open (elevate cancel ${open.id})`);
    const canceled = cliOutput(await cli(['cancel', open.id, '--profile', 'alice', '--json'], env), 'cancel');
    expect(canceled).toMatchObject({ id: open.id, status: 'Canceled' });

    // Policy refusal (longer than the role allows): 5; an unknown role: 4 with a suggestion.
    cliFailure(
      await cli(
        ['activate', 'Groups Administrator', '--for', '48h', '--reason', 'x', '--profile', 'alice'],
        env,
      ),
      5,
      /RoleAssignmentRequestPolicyValidationFailed/,
    );
    cliFailure(
      await cli(['activate', 'Helpdesk Admnistrator', '--profile', 'alice'], env),
      4,
      /did you mean "Helpdesk Administrator"\?/,
    );
    cliFailure(
      await cli(['cancel', '00000000-0000-4000-8000-000000000000', '--profile', 'alice'], env),
      4,
      /cancel request/,
    );

    // Deactivation is allowed after five minutes.
    server.clock.advance(6 * 60_000);
    const deactivated = cliOutput(
      await cli(['deactivate', 'HELPDESK ADMINISTRATOR', '--profile', 'alice', '--json'], env),
      'deactivate',
    );
    expect(deactivated).toMatchObject({ action: 'selfDeactivate', status: 'Revoked' });
    cliOutput(await cli(['whoami', '--profile', 'alice', '--json'], env), 'whoami');
    // bob's token names his standing role in `wids`; whoami shows it by name.
    const bobWho = cliOutput(await cli(['whoami', '--profile', 'bob', '--json'], env), 'whoami');
    expect(bobWho).toMatchObject({
      kind: 'user',
      principalId: bob.id,
      name: bob.upn,
      activeRoles: [{ id: GLOBAL_ADMINISTRATOR, displayName: 'Global Administrator' }],
    });

    // An active assignment ending within 14 days: alice asks for an extension, an admin decides.
    cliOutput(
      await cli(
        [
          'assign',
          'active',
          alice.upn,
          'Attribute Definition Administrator',
          '--for',
          '7d',
          '--reason',
          'project X',
          '--json',
        ],
        env,
      ),
      'assign',
    );
    const extension = cliOutput(
      await cli(
        [
          'extend',
          'attribute definition administrator',
          '--for',
          '30d',
          '--reason',
          'project runs on',
          '--profile',
          'alice',
          '--json',
        ],
        env,
      ),
      'extend',
    );
    expect(extension).toMatchObject({
      action: 'selfExtend',
      status: 'PendingAdminDecision',
      duration: 'P30D',
    });

    cliOutput(await cli(['logout', '--profile', 'alice', '--json'], env), 'logout');
    cliFailure(
      await cli(['roles', '--profile', 'alice'], env),
      3,
      /not signed in \(profile "alice"\); run `elevate login`/,
    );
  });

  it('bad input: one line and the documented exit code', async () => {
    cliFailure(await cli(['roles', '--bogus'], env), 2, /unknown option '--bogus'/);
    cliFailure(
      await cli(
        ['login', '--server', server.base, '--client-id', 'x', '--client-secret-file', '/nonexistent/secret'],
        env,
      ),
      2,
      /cannot read the secret file \/nonexistent\/secret \(ENOENT\)/,
    );
    cliFailure(await cli(['activate', 'x', '--for', 'two hours'], env), 2, /invalid duration "two hours"/);
    cliFailure(
      await cli(
        [
          'login',
          '--server',
          server.base,
          '--client-id',
          server.s.boot.app.clientId,
          '--client-secret',
          'wrong',
          '--profile',
          'wrong',
        ],
        env,
      ),
      3,
      /AADSTS7000215/,
    );
    const closed = await freePort();
    cliFailure(
      await cli(
        ['login', '--server', `http://127.0.0.1:${closed}`, '--client-id', 'x', '--client-secret', 'y'],
        env,
      ),
      7,
      /cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused/,
    );

    // An expired login whose refresh token the server no longer honours.
    const expired = userEnv();
    const dir = join(expired.XDG_CONFIG_HOME ?? '', 'elevate');
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(
      join(dir, 'credentials.json'),
      JSON.stringify({
        profiles: {
          default: {
            kind: 'user',
            server: server.base,
            issuer: server.base,
            tokenEndpoint: `${server.base}/oauth2/v2.0/token`,
            clientId: 'elevate-portal',
            accessToken: 'x.e30.x',
            refreshToken: 'revoked-long-ago',
            expiresAt: 0,
          },
        },
      }),
      { mode: 0o600 },
    );
    cliFailure(await cli(['roles'], expired), 3, /the sign-in expired .*run `elevate login`/);
  });

  it('`elevate serve` starts the server; the client commands use it; SIGTERM stops it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'elevate-serve-'));
    const port = await freePort();
    const serve = startCli(
      ['serve'],
      {
        PATH: process.env.PATH ?? '',
        ELEVATE_PORT: String(port),
        ELEVATE_DATA_DIR: dir,
        DATABASE_URL: `sqlite:${join(dir, 'elevate.db')}`,
      },
      120_000,
    );
    try {
      await waitUntil(() => /Elevate is listening/.test(serve.stdout() + serve.stderr()), 90_000);
      const creds = JSON.parse(readFileSync(join(dir, 'bootstrap-credentials.json'), 'utf8')) as {
        publicUrl: string;
        application: { clientId: string; clientSecret: string };
      };
      const own = userEnv();
      const secretFile = join(own.HOME ?? '', 'secret');
      writeFileSync(secretFile, creds.application.clientSecret, { mode: 0o600 });
      cliOutput(
        await cli(
          [
            'login',
            '--server',
            creds.publicUrl,
            '--client-id',
            creds.application.clientId,
            '--client-secret-file',
            secretFile,
            '--json',
          ],
          own,
        ),
        'login',
      );
      const roles = cliOutput(await cli(['roles', '--json'], own), 'roles');
      expect(roles).toEqual({ eligible: [], active: [] });
    } finally {
      serve.child.kill('SIGTERM');
    }
    expect((await serve.done).code).toBe(0);
  });

  it('prints completion scripts that the shells accept', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const run = await cli(['completion', shell], env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('activate');
      expect(run.stdout).toContain('approvals');
      if (shell === 'bash') {
        writeFileSync(join(env.HOME ?? '', 'completion.bash'), run.stdout);
        execFileSync('bash', ['-n', join(env.HOME ?? '', 'completion.bash')]);
      }
    }
    cliFailure(await cli(['completion', 'tcsh'], env), 2, /unknown shell "tcsh"/);
  });
});
