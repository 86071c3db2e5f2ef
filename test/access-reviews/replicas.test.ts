// Two replicas on one PostgreSQL database run the review scheduler at the same instant, again and
// again: each period's instance is created once, with one set of decision items.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresOnly } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';
import { notifyServer, type NotifyServer } from '../notifications/support.js';
import { parseDateTime } from '../../src/domain/time/datetime.js';
import { eligibleForever, addUser } from '../pim/support.js';
import type { TestServer } from '../helpers/server.js';
import { createDefinition, definitionBody, USER_ADMINISTRATOR, GROUPS_ADMINISTRATOR } from './support.js';

describe('the review scheduler on two replicas (PostgreSQL)', skipFor(postgresOnly), () => {
  let a: NotifyServer;
  let b: NotifyServer;

  beforeAll(async () => {
    a = await notifyServer();
    b = await notifyServer({ replicaOf: a });
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('creates each quarterly instance exactly once', async () => {
    const clock = a.clock;
    const asTest = a as unknown as TestServer;
    for (let i = 0; i < 5; i += 1) {
      const user = await addUser(asTest, [], `Replica ${i}`);
      await eligibleForever(asTest, clock, user, i % 2 === 0 ? USER_ADMINISTRATOR : GROUPS_ADMINISTRATOR);
    }
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1)
      ids.push(await createDefinition(asTest, await a.admin(), definitionBody()));
    for (const when of ['2026-12-01T00:00:00Z', '2027-03-01T00:00:00Z']) {
      clock.set(parseDateTime(when));
      const runs = await Promise.all([a, b, a, b].map((s) => s.accessReviews.runDue()));
      expect(runs.reduce((n, r) => n + r.created, 0)).toBe(ids.length);
    }
    const rows = await a.db.kysely
      .selectFrom('access_review_instances')
      .select(['definition_id', 'period_start'])
      .execute();
    expect(rows).toHaveLength(ids.length * 2);
    const items = await a.db.kysely.selectFrom('access_review_decisions').select('instance_id').execute();
    expect(items).toHaveLength(ids.length * 2 * 5);
  });
});
