// `elevate mcp` as an AI agent's MCP client runs it: the built bin spawned by the SDK's own Client
// and StdioClientTransport, signed in as the agent's own service principal, against a real Elevate
// listening on a random port. The agent asks for a role that needs approval and states its task, a
// person approves over the API, the agent's wait sees the grant and the agent can then act; the
// audit names the MCP origin and the task. The tool list is closed: nothing else can be called,
// and the server refuses the agent an approval anyway. Also the Streamable HTTP transport.
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCP_TOOLS } from '../../src/client/mcp-server.js';
import { requireApproval } from '../pim/approval-support.js';
import { GLOBAL_ADMINISTRATOR, GROUPS_ADMINISTRATOR } from '../pim/support.js';
import { BIN, cli, ensureBuilt, startCli, userEnv } from './support/cli-process.js';
import { cliFailure } from './support/expect-cli.js';
import { addUser, cliServer, completeDeviceSignIn, type CliServer } from './support/cli-server.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let server: CliServer;
let env: Record<string, string>;
let admin: Record<string, string>;
/** The agent's application: its ids and a file holding its secret. */
let agent: { appId: string; servicePrincipalId: string; secret: string; secretFile: string };
/** A policy decision point's application (`Elevate.AccessEvaluation`): what a target system asks. */
let pdp: Record<string, string>;

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

const agentHeaders = async () => ({
  authorization: `Bearer ${await token(agent.appId, agent.secret)}`,
});

/** Does the agent hold Groups Administrator now? Asked by a target system over AuthZEN. */
async function agentHoldsRole(): Promise<boolean> {
  const res = await graph(pdp, 'POST', '/access/v1/evaluation', {
    subject: { type: 'servicePrincipal', id: agent.servicePrincipalId },
    action: { name: 'hold' },
    resource: { type: 'role', id: GROUPS_ADMINISTRATOR, properties: { directoryScopeId: '/' } },
  });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json.decision as boolean;
}

/** A new application with these permissions and a secret. */
async function newApp(name: string, appPermissions: string[]) {
  const sp = await graph(admin, 'POST', '/v1.0/servicePrincipals', { displayName: name, appPermissions });
  expect(sp.status, JSON.stringify(sp.json)).toBe(201);
  const pw = await graph(admin, 'POST', `/v1.0/servicePrincipals/${sp.json.id}/addPassword`, {});
  expect(pw.status, JSON.stringify(pw.json)).toBe(200);
  return {
    appId: sp.json.appId as string,
    servicePrincipalId: sp.json.id as string,
    secret: pw.json.secretText as string,
  };
}

/** A tool's answer: its JSON (structuredContent), or its error text. */
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
  const app = await newApp('build agent', []);
  const secretFile = join(env.HOME ?? '', 'agent-secret');
  writeFileSync(secretFile, `${app.secret}\n`, { mode: 0o600 });
  agent = { ...app, secretFile };
  const checker = await newApp('target system', ['Elevate.AccessEvaluation']);
  pdp = { authorization: `Bearer ${await token(checker.appId, checker.secret)}` };
  const eligible = await graph(
    admin,
    'POST',
    '/v1.0/roleManagement/directory/roleEligibilityScheduleRequests',
    {
      action: 'adminAssign',
      justification: 'the build agent may manage groups',
      roleDefinitionId: GROUPS_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: agent.servicePrincipalId,
      scheduleInfo: { expiration: { type: 'noExpiration' } },
    },
  );
  expect(eligible.status, JSON.stringify(eligible.json)).toBe(201);
  await requireApproval(server.s, GROUPS_ADMINISTRATOR);
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

describe('elevate mcp (built CLI, SDK client)', { timeout: 300_000 }, () => {
  it('the agent asks with its task, a person approves, the agent sees the grant and acts; audited as MCP', async () => {
    // The approver: a person signed in on their own terminal.
    const bob = await addUser(server.s, [GLOBAL_ADMINISTRATOR]);
    const login = startCli(['login', '--server', server.base, '--profile', 'bob', '--json'], env);
    const prompt = await login.waitForStderr(/open (\S+) in a browser and enter the code (\S+) /);
    await completeDeviceSignIn(server, prompt[1] ?? '', prompt[2] ?? '', bob);
    expect((await login.done).code).toBe(0);

    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, ...mcpArgs()],
      env,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    await client.connect(transport);
    try {
      // The closed tool list: exactly these, nothing that approves, changes policy or reads secrets.
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([...MCP_TOOLS].sort());
      const activation = tools.find((t) => t.name === 'request_activation');
      expect(activation?.inputSchema.required).toEqual(expect.arrayContaining(['role', 'task']));

      const roles = answer(await client.callTool({ name: 'list_roles', arguments: {} }));
      expect(roles).toMatchObject({
        eligible: [{ roleName: 'Groups Administrator', directoryScopeId: '/' }],
        active: [],
      });

      // The task is required, and must say something.
      expect(
        toolError(
          await client.callTool({ name: 'request_activation', arguments: { role: 'groups administrator' } }),
        ),
      ).toMatch(/task/);
      expect(
        toolError(
          await client.callTool({
            name: 'request_activation',
            arguments: { role: 'groups admnistrator', task: 'clean up the stale build groups' },
          }),
        ),
      ).toMatch(/no eligible role "groups admnistrator"; did you mean "Groups Administrator"\?/);

      // Before the grant the agent does not hold the role.
      expect(await agentHoldsRole()).toBe(false);

      const task = 'Delete the stale build-* groups left by pipeline run 4711';
      const requested = answer(
        await client.callTool({
          name: 'request_activation',
          arguments: { role: 'groups administrator', task, duration: '30m' },
        }),
      );
      expect(requested).toMatchObject({
        action: 'selfActivate',
        status: 'PendingApproval',
        principalId: agent.servicePrincipalId,
        roleName: 'Groups Administrator',
        justification: task,
        duration: 'PT30M',
        effective: false,
        ended: false,
      });

      // Nothing else is callable: an unknown tool is refused by the SDK ...
      expect(
        toolError(
          await client.callTool({
            name: 'approve',
            arguments: { approvalId: requested.approvalId, reason: 'me' },
          }),
        ),
      ).toMatch(/Tool approve not found/);
      // ... and the server refuses the agent an approval even with its own token over the API.
      const approvalPath = `/beta/roleManagement/directory/roleAssignmentApprovals/${requested.approvalId}`;
      const own = await graph(await agentHeaders(), 'GET', approvalPath);
      const stepId: string = own.json?.steps?.[0]?.id ?? 'none';
      const selfApproval = await graph(await agentHeaders(), 'PATCH', `${approvalPath}/steps/${stepId}`, {
        reviewResult: 'Approve',
        justification: 'me',
      });
      expect([403, 404]).toContain(selfApproval.status);

      // A short wait returns the open request; a longer one sees the person's approval.
      const open = answer(
        await client.callTool({
          name: 'wait_for_decision',
          arguments: { requestId: requested.id, timeoutSeconds: 1 },
        }),
      );
      expect(open).toMatchObject({ id: requested.id, status: 'PendingApproval', effective: false });
      const waiting = client.callTool({
        name: 'wait_for_decision',
        arguments: { requestId: requested.id, timeoutSeconds: 50 },
      });
      const inbox = await cli(['approvals', '--profile', 'bob', '--json'], env);
      expect(inbox.code, inbox.stderr).toBe(0);
      const item = (
        JSON.parse(inbox.stdout) as { id: string; justification: string; principalId: string }[]
      ).find((a) => a.principalId === agent.servicePrincipalId);
      expect(item?.justification).toBe(task);
      const approved = await cli(
        ['approve', item?.id ?? '', '--reason', 'task checked', '--profile', 'bob'],
        env,
      );
      expect(approved.code, approved.stderr).toBe(0);
      const granted = answer(await waiting);
      expect(granted).toMatchObject({
        id: requested.id,
        status: 'Provisioned',
        effective: true,
        ended: false,
      });

      // The agent holds the role now: a target system asking Elevate (AuthZEN) lets it act.
      expect(await agentHoldsRole()).toBe(true);
      expect(answer(await client.callTool({ name: 'list_roles', arguments: {} }))).toMatchObject({
        active: [{ roleName: 'Groups Administrator', assignmentType: 'Activated' }],
      });
      expect(
        answer(await client.callTool({ name: 'get_request_status', arguments: { requestId: requested.id } })),
      ).toMatchObject({ status: 'Provisioned' });
      expect(
        toolError(
          await client.callTool({
            name: 'get_request_status',
            arguments: { requestId: '00000000-0000-4000-8000-000000000000' },
          }),
        ),
      ).toMatch(/read request 00000000-0000-4000-8000-000000000000: .*not/i);

      // The audit: the request's entries name the MCP origin (a claim) and the stated task.
      const audit = await graph(admin, 'GET', '/v1.0/auditLogs/directoryAudits?$top=999');
      expect(audit.status).toBe(200);
      const entries = (
        audit.json.value as {
          activityDisplayName: string;
          initiatedBy: { user: { id: string } | null };
          targetResources: { id: string }[];
          additionalDetails: { key: string; value: string }[];
        }[]
      ).filter((e) => e.targetResources.some((t) => t.id === requested.id));
      const requestedEntry = entries.find((e) => e.additionalDetails.some((d) => d.key === 'ClientOrigin'));
      expect(requestedEntry, JSON.stringify(entries)).toBeDefined();
      expect(requestedEntry?.additionalDetails).toEqual(
        expect.arrayContaining([
          { key: 'ClientOrigin', value: 'mcp' },
          { key: 'Justification', value: task },
          { key: 'User-Agent', value: expect.stringMatching(/^elevate-mcp\//) },
        ]),
      );
      // The person's approval came through the CLI, not MCP.
      const approvalEntries = entries.filter((e) => e.initiatedBy.user?.id === bob.id);
      expect(approvalEntries.length).toBeGreaterThan(0);
      for (const e of approvalEntries)
        expect(e.additionalDetails.map((d) => d.key)).not.toContain('ClientOrigin');

      // Done with the task: the agent gives the role back (allowed after five minutes).
      server.clock.advance(6 * 60_000);
      expect(
        answer(
          await client.callTool({ name: 'deactivate_role', arguments: { role: 'Groups Administrator' } }),
        ),
      ).toMatchObject({ action: 'selfDeactivate', status: 'Revoked' });
      expect(await agentHoldsRole()).toBe(false);
    } finally {
      await client.close();
    }
    expect(stderr).toMatch(new RegExp(`elevate mcp: ${MCP_TOOLS.length} tools on stdio as `));
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('serves the same tools over Streamable HTTP', async () => {
    const serve = startCli([...mcpArgs(), '--http', '--port', '0'], env);
    try {
      const [, url] = await serve.waitForStderr(/tools on (http:\/\/\S+\/mcp) as /);
      const client = new Client({ name: 'test-agent', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url ?? '')));
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual([...MCP_TOOLS].sort());
      expect(answer(await client.callTool({ name: 'list_roles', arguments: {} }))).toMatchObject({
        eligible: [{ roleName: 'Groups Administrator' }],
      });
      expect(toolError(await client.callTool({ name: 'approve', arguments: {} }))).toMatch(/not found/);
      await client.close();
      // Another Host header (DNS rebinding) is refused.
      const rebound = await new Promise<number>((resolve, reject) => {
        const req = request(
          url ?? '',
          {
            method: 'POST',
            headers: {
              host: 'evil.example',
              'content-type': 'application/json',
              accept: 'application/json, text/event-stream',
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
      });
      expect(rebound).toBe(403);
    } finally {
      serve.child.kill('SIGTERM');
    }
    expect((await serve.done).code).toBe(0);
  });

  it('refuses to start without an application sign-in: one line and the documented exit code', async () => {
    const fresh = userEnv();
    cliFailure(await cli(['mcp'], fresh), 3, /not signed in \(profile "default"\); run `elevate login`/);
    cliFailure(
      await cli(['mcp', '--server', server.base, '--client-id', agent.appId], fresh),
      2,
      /--client-id needs --client-secret-file or \$ELEVATE_CLIENT_SECRET/,
    );
    cliFailure(
      await cli(
        ['mcp', '--server', server.base, '--client-id', agent.appId, '--client-secret-file', '/nonexistent'],
        fresh,
      ),
      2,
      /cannot read the secret file \/nonexistent \(ENOENT\)/,
    );
    const wrong = join(fresh.HOME ?? '', 'wrong');
    writeFileSync(wrong, 'not-the-secret', { mode: 0o600 });
    cliFailure(
      await cli(
        ['mcp', '--server', server.base, '--client-id', agent.appId, '--client-secret-file', wrong],
        fresh,
      ),
      3,
      /sign-in refused: AADSTS7000215/,
    );
    // Serving on stdio ends, with code 0, when the client closes standard input.
    const stdio = startCli(mcpArgs(), fresh);
    await stdio.waitForStderr(new RegExp(`${MCP_TOOLS.length} tools on stdio as `));
    stdio.child.stdin.end();
    const ended = await stdio.done;
    expect(ended.code, ended.stderr).toBe(0);
    expect(ended.stdout).toBe('');
    // A person's sign-in is not an agent's identity.
    cliFailure(await cli(['mcp', '--profile', 'bob'], env), 2, /elevate mcp runs as an application/);
  });
});
