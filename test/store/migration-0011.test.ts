// Migration 0011: artefact rows written with plain bearer ids are deleted (they cannot be found
// under the hashed keys, and they would leave usable tokens in the database).
import type { Kysely } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { migrations } from '../../src/store/migrations/index.js';
import { freshDb } from '../helpers/db.js';

let db: Awaited<ReturnType<typeof freshDb>> | undefined;
afterEach(async () => db?.drop());

it('0011 deletes the artefact rows stored with plain ids', async () => {
  db = await freshDb();
  const raw = db.kysely as unknown as Kysely<unknown>;
  const index = migrations.findIndex((m) => m.name === '0011_oidc_artefacts_hashed');
  expect(index).toBeGreaterThan(0);
  for (const m of migrations.slice(0, index)) await m.up(raw);
  await db.kysely
    .insertInto('oidc_models')
    .values({
      model: 'RefreshToken',
      id: 'plain-refresh-token',
      payload: '{"jti":"plain-refresh-token"}',
      grant_id: 'g',
      user_code: null,
      uid: null,
      expires_at: null,
      consumed_at: null,
    })
    .execute();
  await migrations[index]!.up(raw);
  expect(await db.kysely.selectFrom('oidc_models').selectAll().execute()).toEqual([]);
});
