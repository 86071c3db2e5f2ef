// `elevate mcp` and PIM for Groups: the agent (its own service principal), driven by the SDK's own
// Client over stdio against a real Elevate, lists the group memberships it is eligible for,
// activates one stating its task (audited as MCP), is a member while it holds, and deactivates it.
// Its own server: the deactivation needs the server's clock moved on (five minutes' minimum), and
// tokens stamped by the real clock allow only so much of that per server.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ensureBuilt, userEnv } from './support/cli-process.js';
import { cliServer, type CliServer } from './support/cli-server.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let server: CliServer;
let env: Record<string, string>;
let admin: Record<string, string>;
let agent: { appId: string; servicePrincipalId: string; secretFile: string };

async function token(clientId: string, secret: string): Promise<string> {
  const res = await fetch(`${server.base}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
      scope: `${server.base}/.default`,
    }).toString(),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function graph(
  headers: Record<string, string>,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

function answer(r: Awaited<ReturnType<Client['callTool']>>): Json {
  expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
  return r.structuredContent as Json;
}
function toolError(r: Awaited<ReturnType<Client['callTool']>>): string {
  expect(r.isError).toBe(true);
  return (r.content as { type: string; text: string }[]).map((c) => c.text).join('\n');
}

beforeAll(async () => {
  await ensureBuilt();
  server = await cliServer();
  env = userEnv();
  admin = {
    authorization: `Bearer ${await token(server.s.boot.app.clientId, server.s.boot.app.clientSecret)}`,
  };
  const sp = await graph(admin, 'POST', '/v1.0/servicePrincipals', {
    displayName: 'deploy agent',
    appPermissions: [],
  });
  expect(sp.status, JSON.stringify(sp.json)).toBe(201);
  const pw = await graph(admin, 'POST', `/v1.0/servicePrincipals/${sp.json.id}/addPassword`, {});
  expect(pw.status, JSON.stringify(pw.json)).toBe(200);
  const secretFile = join(env.HOME ?? '', 'agent-secret');
  writeFileSync(secretFile, `${pw.json.secretText}\n`, { mode: 0o600 });
  agent = { appId: sp.json.appId, servicePrincipalId: sp.json.id, secretFile };
}, 240_000);
afterAll(async () => server.close());

const mcpArgs = () => [
  'mcp',
  '--server',
  server.base,
  '--client-id',
  agent.appId,
  '--client-secret-file',
  agent.secretFile,
  '--poll-interval',
  '1s',
];

describe('elevate mcp: PIM for Groups (built CLI, SDK client)', { timeout: 300_000 }, () => {
  it('PIM for Groups: the agent lists, activates with its task and deactivates a group membership; audited as MCP', async () => {
    const created = await graph(admin, 'POST', '/v1.0/groups', {
      displayName: 'Build Deployers',
      mailNickname: 'build-deployers',
      mailEnabled: false,
      securityEnabled: true,
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const groupId = created.json.id as string;
    const eligible = await graph(
      admin,
      'POST',
      '/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests',
      {
        action: 'adminAssign',
        accessId: 'member',
        principalId: agent.servicePrincipalId,
        groupId,
        justification: 'the build agent may deploy',
        scheduleInfo: { expiration: { type: 'noExpiration' } },
      },
    );
    expect(eligible.status, JSON.stringify(eligible.json)).toBe(201);
    // The group's member settings ask for MFA at activation by default: an agent has none to give.
    const assignments = await graph(
      admin,
      'GET',
      `/v1.0/policies/roleManagementPolicyAssignments?$filter=${encodeURIComponent(
        `scopeId eq '${groupId}' and scopeType eq 'Group' and roleDefinitionId eq 'member'`,
      )}`,
    );
    expect(assignments.status, JSON.stringify(assignments.json)).toBe(200);
    const policyId = assignments.json.value[0].policyId as string;
    const rulePath = `/v1.0/policies/roleManagementPolicies/${policyId}/rules/Enablement_EndUser_Assignment`;
    const rule = await graph(admin, 'GET', rulePath);
    const { target: _target, '@odata.context': _context, ...body } = rule.json;
    const patched = await graph(admin, 'PATCH', rulePath, { ...body, enabledRules: ['Justification'] });
    expect(patched.status, JSON.stringify(patched.json)).toBeLessThan(300);
    const members = async () => {
      const res = await graph(admin, 'GET', `/v1.0/groups/${groupId}/members`);
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      return (res.json.value as { id: string }[]).map((m) => m.id);
    };

    const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, ...mcpArgs()], env });
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['list_groups', 'request_group_activation', 'deactivate_group']),
    );
    try {
      const listed = answer(await client.callTool({ name: 'list_groups', arguments: {} }));
      expect(listed).toEqual({
        eligible: [expect.objectContaining({ groupId, groupName: 'Build Deployers', accessId: 'member' })],
        active: [],
      });
      expect(
        toolError(
          await client.callTool({
            name: 'request_group_activation',
            arguments: { group: 'build deployer', task: 'deploy release 4.2 to staging' },
          }),
        ),
      ).toMatch(/no eligible group membership "build deployer"; did you mean "Build Deployers"\?/);
      // Only what it is eligible for: no ownership of that group.
      expect(
        toolError(
          await client.callTool({
            name: 'request_group_activation',
            arguments: { group: groupId, access: 'owner', task: 'deploy release 4.2 to staging' },
          }),
        ),
      ).toMatch(/no eligible group ownership/);
      expect(await members()).not.toContain(agent.servicePrincipalId);

      const task = 'Deploy release 4.2 to staging for change CHG-88';
      const requested = answer(
        await client.callTool({
          name: 'request_group_activation',
          arguments: { group: 'build deployers', task, duration: '1h' },
        }),
      );
      expect(requested).toMatchObject({
        kind: 'group',
        action: 'selfActivate',
        groupId,
        accessId: 'member',
        principalId: agent.servicePrincipalId,
        justification: task,
        duration: 'PT1H',
      });
      const decided = answer(
        await client.callTool({
          name: 'wait_for_decision',
          arguments: { requestId: requested.id, timeoutSeconds: 20 },
        }),
      );
      expect(decided).toMatchObject({ id: requested.id, kind: 'group', effective: true, ended: false });
      expect(
        answer(await client.callTool({ name: 'get_request_status', arguments: { requestId: requested.id } })),
      ).toMatchObject({ kind: 'group', status: decided.status });
      // The agent is a member now: the group's members list it while the activation holds.
      expect(await members()).toContain(agent.servicePrincipalId);
      expect(answer(await client.callTool({ name: 'list_groups', arguments: {} })).active).toEqual([
        expect.objectContaining({ groupId, accessId: 'member', assignmentType: 'activated' }),
      ]);

      const audit = await graph(admin, 'GET', '/v1.0/auditLogs/directoryAudits?$top=999');
      expect(audit.status).toBe(200);
      const entry = (
        audit.json.value as {
          targetResources: { id: string }[];
          additionalDetails: { key: string; value: string }[];
        }[]
      ).find(
        (e) =>
          e.targetResources.some((t) => t.id === requested.id) &&
          e.additionalDetails.some((d) => d.key === 'ClientOrigin'),
      );
      expect(entry?.additionalDetails).toEqual(
        expect.arrayContaining([
          { key: 'ClientOrigin', value: 'mcp' },
          { key: 'Justification', value: task },
        ]),
      );

      server.clock.advance(6 * 60_000);
      expect(
        answer(await client.callTool({ name: 'deactivate_group', arguments: { group: 'Build Deployers' } })),
      ).toMatchObject({ kind: 'group', action: 'selfDeactivate', groupId, status: 'Revoked' });
      expect(await members()).not.toContain(agent.servicePrincipalId);
    } finally {
      await client.close();
    }
  });
});
