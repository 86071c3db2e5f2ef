// MFA step-up in `elevate activate`: a role whose settings require MFA is refused to a password-only
// sign-in; the CLI prints the device-code prompt, the person signs in again with password and an
// authenticator app code (done by the test over HTTP), and the activation is sent again and granted.
// `--no-step-up` fails with the refusal instead (exit 5).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode, totpStepAt } from '../../src/domain/authn/totp.js';
import { base32Decode } from '../identity/support/totp.js';
import { cli, ensureBuilt, startCli, userEnv } from './support/cli-process.js';
import { addUser, cliServer, completeDeviceSignIn, type CliServer } from './support/cli-server.js';

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

function accessTokenOf(profile: string): string {
  const file = join(env.XDG_CONFIG_HOME ?? '', 'elevate', 'credentials.json');
  const stored = JSON.parse(readFileSync(file, 'utf8')) as {
    profiles: Record<string, { accessToken: string }>;
  };
  return stored.profiles[profile]?.accessToken ?? '';
}

describe('elevate activate: MFA step-up (built CLI)', { timeout: 300_000 }, () => {
  it('asks for a sign-in with the second factor, then activates', async () => {
    const carol = await addUser(server.s);
    const login = startCli(['login', '--server', server.base, '--profile', 'carol'], env);
    const first = await login.waitForStderr(/open (\S+) in a browser and enter the code (\S+) /);
    await completeDeviceSignIn(server, first[1] ?? '', first[2] ?? '', carol);
    expect((await login.done).code).toBe(0);

    // Carol enrols an authenticator app over the API.
    const bearer = { authorization: `Bearer ${accessTokenOf('carol')}`, 'content-type': 'application/json' };
    const begin = await fetch(`${server.base}/v1.0/me/authentication/totpEnrolment`, {
      method: 'POST',
      headers: bearer,
      body: '{}',
    });
    expect(begin.status, await begin.clone().text()).toBe(200);
    const { otpauthUri } = (await begin.json()) as { otpauthUri: string };
    const seed = base32Decode(new URL(otpauthUri).searchParams.get('secret') ?? '');
    let step = totpStepAt(server.clock.now());
    const confirm = await fetch(`${server.base}/v1.0/me/authentication/totpEnrolment/confirm`, {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({ code: totpCode(seed, step) }),
    });
    expect(confirm.status, await confirm.clone().text()).toBe(204);

    // The administrator makes her eligible; the role needs MFA at activation, no approval.
    for (const args of [
      ['assign', 'eligible', carol.upn, 'Helpdesk Administrator', '--permanent'],
      [
        'policy',
        'set',
        'Helpdesk Administrator',
        'Enablement_EndUser_Assignment',
        'enabledRules=["MultiFactorAuthentication"]',
      ],
      [
        'policy',
        'set',
        'Helpdesk Administrator',
        'Approval_EndUser_Assignment',
        'setting.isApprovalRequired=false',
      ],
    ]) {
      const run = await cli(args, env);
      expect(run.code, run.stderr).toBe(0);
    }

    // Without step-up: the refusal, exit 5.
    const refused = await cli(
      ['activate', 'Helpdesk Administrator', '--no-step-up', '--profile', 'carol'],
      env,
    );
    expect(refused.code, refused.stderr).toBe(5);
    expect(refused.stderr).toMatch(/RoleAssignmentRequestPolicyValidationFailed: .*MfaRule/);

    const activation = startCli(['activate', 'Helpdesk Administrator', '--profile', 'carol', '--json'], env);
    await activation.waitForStderr(/Activating Helpdesk Administrator needs a recent multi-factor sign-in\./);
    const prompt = await activation.waitForStderr(
      /To sign in with your second factor, open (\S+) in a browser and enter the code (\S+) /,
    );
    step += 1;
    await completeDeviceSignIn(server, prompt[1] ?? '', prompt[2] ?? '', carol, () =>
      totpCode(seed, Math.max(step, totpStepAt(server.clock.now()))),
    );
    const done = await activation.done;
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({
      action: 'selfActivate',
      status: 'Provisioned',
      roleName: 'Helpdesk Administrator',
    });
    expect(done.stderr).not.toMatch(/\n\s+at /);
  });
});
