// Two replicas on one PostgreSQL database deliver 1,000 webhook messages together: each message is
// sent once (the receiver sees 1,000 distinct `webhook-id`s and no second call of any), none is lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresOnly } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';
import { ELIGIBILITY_REQUESTS, call as pimCall, USER_ADMINISTRATOR } from '../pim/support.js';
import { addUser, addWebhook, notifyServer, receiver, type NotifyServer } from './support.js';

const EVENTS = 100;
const ENDPOINTS = 10;

describe('notification delivery by two replicas (PostgreSQL)', skipFor(postgresOnly), () => {
  let a: NotifyServer;
  let b: NotifyServer;
  let hooks: Awaited<ReturnType<typeof receiver>>;

  beforeAll(async () => {
    a = await notifyServer({ notifications: { worker: { batchSize: 25 } } });
    b = await notifyServer({ replicaOf: a, notifications: { worker: { batchSize: 25 } } });
    hooks = await receiver();
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await hooks?.close();
  });

  it('sends 1,000 deliveries exactly once between them', async () => {
    for (let i = 0; i < ENDPOINTS; i += 1) {
      await addWebhook(a, `${hooks.url}/${i}`, { eventTypes: ['eligibility.granted'] });
    }
    const admin = await a.admin();
    for (let i = 0; i < EVENTS; i += 1) {
      const user = await addUser(a, `Replica User ${i}`);
      const made = await pimCall(a, 'POST', ELIGIBILITY_REQUESTS, admin, {
        action: 'adminAssign',
        justification: 'replica test',
        roleDefinitionId: USER_ADMINISTRATOR,
        directoryScopeId: '/',
        principalId: user.id,
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
      });
      expect(made.statusCode, made.body).toBe(201);
    }
    // The fan-out writes one delivery per endpoint and event; both replicas then send at once.
    await a.outbox.runOnce();
    const pending = await a.db.kysely
      .selectFrom('notification_deliveries')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('channel', '=', 'webhook')
      .executeTakeFirstOrThrow();
    expect(Number(pending.n)).toBe(EVENTS * ENDPOINTS);

    const drain = async (s: NotifyServer) => {
      let sent = 0;
      for (let round = 0; round < 200; round += 1) {
        const r = await s.notifications!.runOnce();
        sent += r.sent;
        if (r.claimed === 0) break;
      }
      return sent;
    };
    const [sentA, sentB] = await Promise.all([drain(a), drain(b)]);

    const ids = hooks.calls.map((c) => String(c.headers['webhook-id']));
    expect(ids).toHaveLength(EVENTS * ENDPOINTS);
    expect(new Set(ids).size).toBe(EVENTS * ENDPOINTS);
    expect(sentA + sentB).toBe(EVENTS * ENDPOINTS);
    // Both worked: the claims interleaved rather than one replica taking everything.
    expect(sentA).toBeGreaterThan(0);
    expect(sentB).toBeGreaterThan(0);
    const left = await a.db.kysely
      .selectFrom('notification_deliveries')
      .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy('status')
      .execute();
    expect(left.map((r) => [r.status, Number(r.n)])).toEqual([['sent', EVENTS * ENDPOINTS]]);
  }, 300_000);
});
