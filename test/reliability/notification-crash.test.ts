// A crash between commit and delivery: a change that notifies is committed (201), the webhook
// receiver refuses the first attempt so the message cannot have been delivered, the server is
// killed with SIGKILL, and a new process on the same database delivers the message once, under
// the same idempotency key (`webhook-id`). Runs on the dialect of the run (SQLite under `npm test`,
// PostgreSQL under `npm run test:pg`).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, expect, it } from 'vitest';
import { dialectName } from '../helpers/db.js';
import { sharedDatabase, type SharedDatabase } from './support/database.js';
import { deployment, killAll, startReplica } from './support/server-process.js';
import { ROLES, Tenant } from './support/tenant.js';

const SECRET = `whsec_${Buffer.from('crash-test-secret-0123456789abcd').toString('base64')}`;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

let database: SharedDatabase | undefined;
let receiver: Server | undefined;
afterAll(async () => {
  await killAll();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  await database?.drop();
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const until = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it(`a webhook committed before a kill -9 is delivered once after restart (${dialectName})`, async () => {
  database = await sharedDatabase();
  // Retries after 1 s (instead of 30 s), so the delivery after restart comes within the test's time.
  const d = await deployment(database, 1, {
    ELEVATE_NOTIFICATIONS_ALLOW_HTTP: 'true',
    // The receiver listens on the loopback interface, which outbound calls may not reach unless listed.
    ELEVATE_OUTBOUND_ALLOW_NETWORKS: '127.0.0.0/8',
    ELEVATE_NOTIFICATIONS_RETRY_SECONDS: '1',
  });

  // The receiver answers 503 until told otherwise: nothing can be delivered before the kill.
  const calls: Received[] = [];
  let accepting = false;
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = accepting ? 204 : 503;
      calls.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/elevate`;

  const first = await startReplica(d, 0);
  const tenant = new Tenant(d, first.base);
  const endpoint = await tenant.expect(201, 'POST', '/v1.0/elevate/notifications/webhooks', {
    url,
    secret: SECRET,
    eventTypes: ['eligibility.granted'],
  });
  const endpointId = (endpoint.json as { id: string }).id;
  const ada = await tenant.createUser('ada-crash');
  const requestId = await tenant.makeEligible(ada.id, ROLES.reportsReader);

  // Committed and attempted once (refused): the delivery is recorded as failed, not sent.
  const failed = await waitFor('the first, refused attempt', async () => {
    const row = await database!.db.kysely
      .selectFrom('notification_deliveries')
      .selectAll()
      .where('recipient', '=', endpointId)
      .executeTakeFirst();
    return row?.status === 'failed' ? row : undefined;
  });
  expect(calls.map((c) => c.status)).toEqual([503]);
  await first.kill();
  expect(await first.exited).toBeNull(); // killed by the signal, no shutdown hook ran

  accepting = true;
  const second = await startReplica(d, 0);
  await waitFor('the delivery after restart', () => (calls.some((c) => c.status === 204) ? true : undefined));
  // Give a duplicate the chance to show: another worker run after the delivery sends nothing more.
  await new Promise((r) => setTimeout(r, 1_500));

  const accepted = calls.filter((c) => c.status === 204);
  expect(accepted).toHaveLength(1);
  expect(new Set(calls.map((c) => c.headers['webhook-id']))).toEqual(new Set([failed.id]));
  const body = new Webhook(SECRET).verify(accepted[0]!.body, {
    'webhook-id': String(accepted[0]!.headers['webhook-id']),
    'webhook-timestamp': String(accepted[0]!.headers['webhook-timestamp']),
    'webhook-signature': String(accepted[0]!.headers['webhook-signature']),
  });
  expect(body).toMatchObject({
    type: 'eligibility.granted',
    data: { principal: { id: ada.id }, request: { id: requestId } },
  });

  const log = await tenant.expect(
    200,
    'GET',
    `/v1.0/elevate/notifications/deliveries?$filter=${encodeURIComponent("channel eq 'webhook'")}`,
  );
  const rows = (log.json as { value: { id: string; status: string; attempts: number }[] }).value;
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ id: failed.id, status: 'sent' });
  expect(rows[0]!.attempts).toBeGreaterThanOrEqual(2);
  await second.stop();
}, 60_000);
