// `elevate mcp` and resource roles: the agent (its own service principal), driven by the SDK's own
// Client over stdio against a real Elevate, lists the resource roles it is eligible for at their
// scopes, asks to activate one at a scope below its eligibility stating its task, a person approves
// over the ARM API, the agent's wait sees the grant, and it deactivates the role; the audit names
// the MCP origin and the task, and not for the person's decision. Its own server: the deactivation
// needs the server's clock moved on (five minutes' minimum).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCP_TOOLS } from '../../src/client/mcp-server.js';
import { READER, requireResourceApproval, send } from '../resources/support.js';
import { BIN, ensureBuilt, startCli, userEnv } from './support/cli-process.js';
import {
  bootstrapAppHeaders,
  addUser,
  cliServer,
  completeDeviceSignIn,
  type CliServer,
} from './support/cli-server.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const AUTH = 'providers/Microsoft.Authorization';
const V = 'api-version=2020-10-01';
const PREVIEW = 'api-version=2021-01-01-preview';

let server: CliServer;
let env: Record<string, string>;
let admin: Record<string, string>;
let approver: { id: string; upn: string };
let agent: { appId: string; servicePrincipalId: string; secretFile: string };

async function call(
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

/** The access token the CLI stored for a profile (a person signed in on their own terminal). */
function bearerOf(profile: string): Record<string, string> {
  const file = join(env.XDG_CONFIG_HOME ?? '', 'elevate', 'credentials.json');
  const stored = JSON.parse(readFileSync(file, 'utf8')) as {
    profiles: Record<string, { accessToken: string }>;
  };
  return { authorization: `Bearer ${stored.profiles[profile]?.accessToken ?? ''}` };
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
  admin = await bootstrapAppHeaders(server);
  const sp = await call(admin, 'POST', '/v1.0/servicePrincipals', {
    displayName: 'db agent',
    appPermissions: [],
  });
  expect(sp.status, JSON.stringify(sp.json)).toBe(201);
  const pw = await call(admin, 'POST', `/v1.0/servicePrincipals/${sp.json.id}/addPassword`, {});
  expect(pw.status, JSON.stringify(pw.json)).toBe(200);
  const secretFile = join(env.HOME ?? '', 'agent-secret');
  writeFileSync(secretFile, `${pw.json.secretText}\n`, { mode: 0o600 });
  agent = { appId: sp.json.appId, servicePrincipalId: sp.json.id, secretFile };
  for (const id of ['/prod', '/prod/db']) {
    const scope = await call(admin, 'POST', '/v1.0/elevate/resourceScopes', {
      id,
      displayName: id,
      type: 'test',
    });
    expect(scope.status, JSON.stringify(scope.json)).toBe(201);
  }
  const eligible = await call(
    admin,
    'PUT',
    `/arm/prod/${AUTH}/roleEligibilityScheduleRequests/${randomUUID()}?${V}`,
    {
      properties: {
        principalId: agent.servicePrincipalId,
        requestType: 'AdminAssign',
        roleDefinitionId: `/prod/${AUTH}/roleDefinitions/${READER}`,
        justification: 'the agent may read production',
        scheduleInfo: { expiration: { type: 'NoExpiration' } },
      },
    },
  );
  expect(eligible.status, JSON.stringify(eligible.json)).toBe(201);
  approver = await addUser(server.s);
  await requireResourceApproval(server.s, admin, '/prod', READER, approver.id);
}, 240_000);
afterAll(async () => server.close());

describe('elevate mcp: resource roles over ARM (built CLI, SDK client)', { timeout: 300_000 }, () => {
  it('the agent asks at a scope with its task, a person approves over ARM, the agent sees the grant and deactivates; audited as MCP', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        BIN,
        'mcp',
        '--server',
        server.base,
        '--client-id',
        agent.appId,
        '--client-secret-file',
        agent.secretFile,
        '--poll-interval',
        '1s',
      ],
      env,
    });
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    await client.connect(transport);
    try {
      // The closed list: the role and group tools, and these three; nothing approves or changes policy.
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([...MCP_TOOLS].sort());
      expect(MCP_TOOLS).toEqual(
        expect.arrayContaining([
          'list_resource_roles',
          'request_resource_activation',
          'deactivate_resource_role',
        ]),
      );

      // The agent may not read role definitions: Azure's built-in names are still shown.
      expect(answer(await client.callTool({ name: 'list_resource_roles', arguments: {} }))).toEqual({
        eligible: [
          expect.objectContaining({
            roleDefinitionId: READER,
            roleName: 'Reader',
            scope: '/prod',
            memberType: 'Direct',
          }),
        ],
        active: [],
      });
      const task = 'Read the orders table to find the cause of incident INC-7';
      expect(
        toolError(
          await client.callTool({
            name: 'request_resource_activation',
            arguments: { role: 'Readr', scope: '/prod/db', task },
          }),
        ),
      ).toMatch(/no eligible resource role "Readr"; did you mean "Reader"\?/);
      // Not at a scope its eligibility does not cover.
      expect(
        toolError(
          await client.callTool({
            name: 'request_resource_activation',
            arguments: { role: 'Reader', scope: '/staging', task },
          }),
        ),
      ).toMatch(/"Reader" is not held at scope \/staging/);

      const requested = answer(
        await client.callTool({
          name: 'request_resource_activation',
          arguments: { role: 'reader', scope: '/prod/db', task, duration: '1h' },
        }),
      );
      expect(requested).toMatchObject({
        kind: 'resourceRole',
        action: 'selfActivate',
        status: 'PendingApproval',
        roleDefinitionId: READER,
        roleName: 'Reader',
        scope: '/prod/db',
        principalId: agent.servicePrincipalId,
        justification: task,
        duration: 'PT1H',
        effective: false,
        ended: false,
      });
      const open = answer(
        await client.callTool({
          name: 'wait_for_decision',
          arguments: { requestId: requested.id, timeoutSeconds: 2 },
        }),
      );
      expect(open).toMatchObject({ id: requested.id, status: 'PendingApproval', effective: false });

      // A person, signed in on their own terminal, approves over the ARM API (Azure's roleAssignmentApprovals).
      const login = startCli(['login', '--server', server.base, '--profile', 'approver', '--json'], env);
      const prompt = await login.waitForStderr(/open (\S+) in a browser and enter the code (\S+) /);
      await completeDeviceSignIn(server, prompt[1] ?? '', prompt[2] ?? '', approver);
      expect((await login.done).code).toBe(0);
      const approval = await call(
        bearerOf('approver'),
        'GET',
        `/${AUTH}/roleAssignmentApprovals/${requested.approvalId}?${PREVIEW}`,
      );
      expect(approval.status, JSON.stringify(approval.json)).toBe(200);
      const stage = approval.json.properties.stages[0].name as string;
      const decided = await call(
        bearerOf('approver'),
        'PUT',
        `/${AUTH}/roleAssignmentApprovals/${requested.approvalId}/stages/${stage}?${PREVIEW}`,
        { properties: { reviewResult: 'Approve', justification: 'INC-7 needs it' } },
      );
      expect(decided.status, JSON.stringify(decided.json)).toBe(200);

      const granted = answer(
        await client.callTool({
          name: 'wait_for_decision',
          arguments: { requestId: requested.id, timeoutSeconds: 20 },
        }),
      );
      expect(granted).toMatchObject({
        id: requested.id,
        kind: 'resourceRole',
        effective: true,
        ended: false,
      });
      expect(
        answer(await client.callTool({ name: 'get_request_status', arguments: { requestId: requested.id } })),
      ).toMatchObject({ kind: 'resourceRole', status: granted.status, scope: '/prod/db' });
      expect(answer(await client.callTool({ name: 'list_resource_roles', arguments: {} })).active).toEqual([
        expect.objectContaining({ roleName: 'Reader', scope: '/prod/db', assignmentType: 'Activated' }),
      ]);

      // The audit: the request's entries name the MCP origin and the task; the person's decision does not.
      const audit = await call(admin, 'GET', '/v1.0/auditLogs/directoryAudits?$top=999');
      expect(audit.status).toBe(200);
      type Entry = {
        targetResources: { id: string }[];
        additionalDetails: { key: string; value: string }[];
        initiatedBy: { user?: { id: string } | null };
      };
      const entries = (audit.json.value as Entry[]).filter((e) =>
        e.targetResources.some((t) => t.id === requested.id),
      );
      const asked = entries.find((e) => e.additionalDetails.some((d) => d.key === 'ClientOrigin'));
      expect(asked?.additionalDetails).toEqual(
        expect.arrayContaining([
          { key: 'ClientOrigin', value: 'mcp' },
          { key: 'Justification', value: task },
        ]),
      );
      const byPerson = entries.filter((e) => e.initiatedBy.user?.id === approver.id);
      expect(byPerson.length).toBeGreaterThan(0);
      for (const e of byPerson) expect(e.additionalDetails.map((d) => d.key)).not.toContain('ClientOrigin');

      server.clock.advance(6 * 60_000);
      expect(
        answer(await client.callTool({ name: 'deactivate_resource_role', arguments: { role: 'Reader' } })),
      ).toMatchObject({ kind: 'resourceRole', action: 'selfDeactivate', scope: '/prod/db' });
      expect(answer(await client.callTool({ name: 'list_resource_roles', arguments: {} })).active).toEqual(
        [],
      );
      const still = await send(server.s, 'GET', `/arm/prod/db/${AUTH}/roleAssignments?${V}`, admin);
      expect(still.json().value).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
