// End to end: a PIM request made over HTTP reaches an outbox consumer after commit, with the
// facts consumers need, and a commit wakes the relay without waiting for its interval.
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveredMessage, OutboxConsumer } from '../../src/app/outbox/ports.js';
import { GLOBAL_READER } from '../../src/domain/roles/built-in-roles.js';
import { testServer, type TestServer } from '../helpers/server.js';

const collector = () => {
  const seen: DeliveredMessage[] = [];
  const consumer: OutboxConsumer = {
    name: 'test-collector',
    from: 'beginning',
    accepts: (type) => type.startsWith('pim.'),
    async handle(m) {
      seen.push(m);
    },
  };
  return { seen, consumer };
};

async function assignEligibility(
  s: TestServer,
  extra: Record<string, unknown> = {},
  headers?: { authorization: string },
) {
  return s.app.inject({
    method: 'POST',
    url: '/v1.0/roleManagement/directory/roleEligibilityScheduleRequests',
    headers: headers ?? (await s.admin()),
    payload: {
      action: 'adminAssign',
      principalId: s.boot.admin.id,
      roleDefinitionId: GLOBAL_READER,
      directoryScopeId: '/',
      justification: 'on call',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
      ...extra,
    },
  });
}

describe('domain events in the outbox', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('publishes an accepted PIM request with its ids, status and window', async () => {
    const { seen, consumer } = collector();
    s = await testServer({ outboxConsumers: [consumer], outboxRelayIntervalMs: 0 });
    const res = await assignEligibility(s);
    expect(res.statusCode).toBe(201);
    const request = res.json<{ id: string }>();
    await s.outbox.runOnce();
    expect(seen.map((m) => m.type)).toEqual(['pim.requestAccepted']);
    const [m] = seen;
    expect(m?.tenantId).toBe(s.boot.tenantId);
    expect(m?.payload).toMatchObject({
      kind: 'eligibility',
      action: 'adminAssign',
      requestId: request.id,
      principalId: s.boot.admin.id,
      principalType: 'user',
      roleDefinitionId: GLOBAL_READER,
      status: 'Provisioned',
      schedule: { id: request.id, directoryScopeId: '/', status: 'Provisioned' },
    });
  });

  it('publishes nothing for a refused or validation-only request', async () => {
    const { seen, consumer } = collector();
    s = await testServer({ outboxConsumers: [consumer], outboxRelayIntervalMs: 0 });
    expect((await assignEligibility(s, { isValidationOnly: true })).statusCode).toBe(201);
    const { authorization } = await s.appWith([]);
    const refused = await assignEligibility(s, {}, { authorization });
    expect(refused.statusCode).toBe(403);
    await s.outbox.runOnce();
    expect(seen).toEqual([]);
  });

  it('wakes the relay at commit: delivered long before its interval', async () => {
    const { seen, consumer } = collector();
    s = await testServer({ outboxConsumers: [consumer], outboxRelayIntervalMs: 60_000 });
    // The first run sets the consumer's cursor; give the started job a moment to make it.
    await s.outbox.runOnce();
    expect((await assignEligibility(s)).statusCode).toBe(201);
    for (let i = 0; i < 100 && seen.length === 0; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(seen.map((m) => m.type)).toEqual(['pim.requestAccepted']);
  });
});
