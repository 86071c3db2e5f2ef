// The `x-elevate-origin` header (what a client says it is, e.g. `elevate mcp`): recorded as a claim
// in the audit entries of what that request changed, as `ClientOrigin` in `additionalDetails`
// (ADR 0036). A malformed value is not recorded; without the header nothing is added.
import { afterEach, describe, expect, it } from 'vitest';
import { requireApproval } from '../pim/approval-support.js';
import {
  adminAt,
  appAt,
  ASSIGNMENT_REQUESTS,
  call,
  ELIGIBILITY_REQUESTS,
  GROUPS_ADMINISTRATOR,
  pimServer,
  type Headers,
} from '../pim/support.js';
import type { TestServer } from '../helpers/server.js';

let s: TestServer | undefined;
afterEach(async () => s?.close());

interface AuditJson {
  activityDisplayName: string;
  additionalDetails: { key: string; value: string }[];
}

async function entriesFor(server: TestServer, headers: Headers, requestId: string): Promise<AuditJson[]> {
  const res = await call(server, 'GET', '/v1.0/auditLogs/directoryAudits?$top=999', headers);
  expect(res.statusCode, res.body).toBe(200);
  return res
    .json<{ value: (AuditJson & { targetResources: { id: string }[] })[] }>()
    .value.filter((e) => e.targetResources.some((t) => t.id === requestId));
}

const detail = (e: AuditJson, key: string) => e.additionalDetails.find((d) => d.key === key)?.value;

describe('x-elevate-origin in the audit log', () => {
  it('records the claimed origin and the stated task of a request; ignores malformed values', async () => {
    const started = await pimServer();
    s = started.s;
    const { clock } = started;
    const admin = await adminAt(s, clock);
    const agent = await appAt(s, clock);
    await requireApproval(s, GROUPS_ADMINISTRATOR);
    const eligible = await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, {
      action: 'adminAssign',
      justification: 'agent on call',
      roleDefinitionId: GROUPS_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: agent.servicePrincipalId,
      scheduleInfo: { expiration: { type: 'noExpiration' } },
    });
    expect(eligible.statusCode, eligible.body).toBe(201);

    const body = (task: string) => ({
      action: 'selfActivate',
      principalId: agent.servicePrincipalId,
      roleDefinitionId: GROUPS_ADMINISTRATOR,
      directoryScopeId: '/',
      justification: task,
      scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'PT1H' } },
    });
    const viaMcp = await call(
      s,
      'POST',
      ASSIGNMENT_REQUESTS,
      { ...(await agent.headers()), 'x-elevate-origin': 'mcp' },
      body('Task: rotate the build group'),
    );
    expect(viaMcp.statusCode, viaMcp.body).toBe(201);
    const mcpEntries = await entriesFor(s, admin, viaMcp.json<{ id: string }>().id);
    expect(mcpEntries.length).toBeGreaterThan(0);
    for (const e of mcpEntries) {
      expect(detail(e, 'ClientOrigin'), e.activityDisplayName).toBe('mcp');
      expect(detail(e, 'Justification')).toBe('Task: rotate the build group');
    }

    // Cancel it so the next request is not a duplicate of a pending one.
    const id = viaMcp.json<{ id: string }>().id;
    const cancel = await call(s, 'POST', `${ASSIGNMENT_REQUESTS}/${id}/cancel`, await agent.headers());
    expect(cancel.statusCode, cancel.body).toBe(204);

    const malformed = await call(
      s,
      'POST',
      ASSIGNMENT_REQUESTS,
      { ...(await agent.headers()), 'x-elevate-origin': 'MCP; drop table' },
      body('second'),
    );
    expect(malformed.statusCode, malformed.body).toBe(201);
    const plain = await entriesFor(s, admin, malformed.json<{ id: string }>().id);
    expect(plain.length).toBeGreaterThan(0);
    for (const e of plain) expect(detail(e, 'ClientOrigin')).toBeUndefined();
  });
});
