// Migration 0014: every tenant that exists when it runs gets the built-in phishing-resistant
// authentication context c1, exactly as a tenant provisioned afterwards gets it.
import type { Kysely } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { BUILT_IN_PHISHING_RESISTANT } from '../../src/domain/authn/authentication-context.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { migrations } from '../../src/store/migrations/index.js';
import { freshDb } from '../helpers/db.js';

let db: Awaited<ReturnType<typeof freshDb>> | undefined;
afterEach(async () => db?.drop());

it('0014 gives every existing tenant the built-in c1, as the domain defines it', async () => {
  db = await freshDb();
  const raw = db.kysely as unknown as Kysely<unknown>;
  const index = migrations.findIndex((m) => m.name === '0014_authentication_contexts');
  expect(index).toBeGreaterThan(0);
  for (const m of migrations.slice(0, index)) await m.up(raw);
  const tenants = ['0f0e0d0c-0000-4000-8000-000000000001', '0f0e0d0c-0000-4000-8000-000000000002'];
  for (const [i, id] of tenants.entries()) {
    await db.kysely
      .insertInto('tenants')
      .values({ id, display_name: `T${i}`, created_at: 1_000 + i })
      .execute();
  }
  await migrations[index]!.up(raw);
  for (const [i, tenantId] of tenants.entries()) {
    const contexts = await createUnitOfWork(db).run((tx) => tx.authenticationContexts.list(tenantId));
    expect(contexts).toEqual([
      {
        ...BUILT_IN_PHISHING_RESISTANT,
        requirement: { ...BUILT_IN_PHISHING_RESISTANT.requirement, externalAcrValues: [] },
        tenantId,
        createdAt: 1_000 + i,
        modifiedAt: 1_000 + i,
        version: 1,
      },
    ]);
  }
});
