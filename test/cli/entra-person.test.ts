// Entra mode for people: `elevate login --authority <tenant authority> --public-client <app id>`
// runs the device flow at Entra's endpoint shape (`/{tenant}/oauth2/v2.0/devicecode` and `/token`,
// scope `https://graph.microsoft.com/.default`) while every Graph call goes to another host, as
// login.microsoftonline.com and graph.microsoft.com are apart. Elevate stands in for both: its
// tenant paths are the authority, and a forwarding host of its own is "Graph". The browser step is
// done by the test over HTTP; the built CLI runs as its own process.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimsOfToken } from './support/tokens.js';
import { cli, ensureBuilt, startCli, userEnv } from './support/cli-process.js';
import { cliOutput } from './support/expect-cli.js';
import { addUser, cliServer, completeDeviceSignIn, type CliServer } from './support/cli-server.js';
import { graphHost } from './support/graph-host.js';

const HELPDESK = 'Helpdesk Administrator';

let server: CliServer;
let env: Record<string, string>;

beforeAll(async () => {
  await ensureBuilt();
  server = await cliServer();
  env = userEnv();
  const login = await cli(
    ['login', '--server', server.base, '--client-id', server.s.boot.app.clientId, '--json'],
    { ...env, ELEVATE_CLIENT_SECRET: server.s.boot.app.clientSecret },
  );
  expect(login.code, login.stderr).toBe(0);
}, 240_000);
afterAll(async () => server.close());

const credentialsFile = () => join(env.XDG_CONFIG_HOME ?? '', 'elevate', 'credentials.json');
type Stored = { profiles: Record<string, Record<string, unknown>> };
const stored = () => JSON.parse(readFileSync(credentialsFile(), 'utf8')) as Stored;

describe('Entra mode: a person signs in with the device flow (built CLI)', { timeout: 300_000 }, () => {
  it('signs in at the authority for Graph, lists and activates roles over Graph only, renews with its refresh token', async () => {
    const ada = await addUser(server.s);
    const assigned = await cli(
      ['assign', 'eligible', ada.upn, HELPDESK, '--permanent', '--reason', 'rota'],
      env,
    );
    expect(assigned.code, assigned.stderr).toBe(0);
    // No MFA at activation for this test (step-up has its own, test/cli/activate-mfa.test.ts).
    const policy = await cli(
      ['policy', 'set', HELPDESK, 'Enablement_EndUser_Assignment', '{"enabledRules":["Justification"]}'],
      env,
    );
    expect(policy.code, policy.stderr).toBe(0);
    const graph = await graphHost(server.base);
    try {
      const tenant = server.s.boot.tenantId;
      const authority = `${server.base}/${tenant}/v2.0`;
      const args = ['login', '--server', graph.url, '--authority', authority, '--profile', 'ada'];

      // Entra has no client of Elevate's: the public client must be named.
      const missing = await cli(args, env);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/--authority needs .*--public-client/);

      const login = startCli([...args, '--public-client', 'elevate-portal', '--json'], env);
      const prompt = await login.waitForStderr(/open (\S+) in a browser and enter the code (\S+) /);
      await completeDeviceSignIn(server, prompt[1] ?? '', prompt[2] ?? '', ada);
      const who = cliOutput(await login.done, 'login');
      expect(who).toMatchObject({ profile: 'ada', kind: 'user', server: graph.url, name: ada.upn });
      expect(graph.paths).toEqual([]); // signing in never touched the Graph host

      const profile = stored().profiles.ada ?? {};
      expect(profile).toMatchObject({
        kind: 'user',
        clientId: 'elevate-portal',
        tokenEndpoint: `${server.base}/${tenant}/oauth2/v2.0/token`,
        resource: 'https://graph.microsoft.com',
      });
      // The person's token. (The CLI asked for https://graph.microsoft.com/.default, src/client/auth.test.ts;
      // Elevate standing in issues delegated tokens for its own issuer, which its Graph paths accept.)
      expect(claimsOfToken(String(profile.accessToken)).oid).toBe(ada.id);

      const roles = cliOutput(await cli(['roles', '--profile', 'ada', '--json'], env), 'roles') as {
        eligible: { roleName: string }[];
      };
      expect(roles.eligible.map((r) => r.roleName)).toContain(HELPDESK);
      cliOutput(
        await cli(
          [
            'activate',
            HELPDESK,
            '--for',
            '1h',
            '--reason',
            'INC-1 from Entra mode',
            '--profile',
            'ada',
            '--json',
          ],
          env,
        ),
        'activate',
      );

      // An expired access token is renewed with the refresh token at the same authority.
      const file = stored();
      const before = String(file.profiles.ada?.refreshToken);
      (file.profiles.ada as Record<string, unknown>).expiresAt = 0;
      writeFileSync(credentialsFile(), JSON.stringify(file), { mode: 0o600 });
      const again = cliOutput(await cli(['whoami', '--profile', 'ada', '--json'], env), 'whoami') as {
        activeRoles: { displayName: string | null }[];
      };
      expect(again.activeRoles.map((r) => r.displayName)).toContain(HELPDESK);
      const renewed = stored().profiles.ada ?? {};
      expect(renewed.refreshToken).not.toBe(before);
      expect(claimsOfToken(String(renewed.accessToken)).oid).toBe(ada.id);

      expect(graph.paths.length).toBeGreaterThan(0);
      expect(graph.paths.filter((p) => !/^(GET|POST|PATCH) \/(v1\.0|beta)\//.test(p))).toEqual([]);
    } finally {
      await graph.close();
    }
  });
});
