import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAuditLog } from '../../src/app/audit/audit-log.js';
import { canonicalJson } from '../../src/domain/audit/canonical-json.js';
import { chainHash, GENESIS_HASH } from '../../src/domain/audit/hash.js';
import { ManualClock } from '../../src/domain/time/clock.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { auditKeyring } from '../../src/store/audit/audit-keyring.js';
import { migrate } from '../../src/store/migrator.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { dialectName, freshDb } from '../helpers/db.js';
import { draft, T0 } from './support.js';

const TENANT = '11111111-1111-4111-8111-111111111111';

/**
 * Entries written before migration 0012 were hashed over their payload alone (chain format 1). They
 * are never rewritten: they keep verifying as written, the chain continues after them in format 2,
 * and their query columns are still checked, against their payload.
 */
describe(`a chain begun before the query columns were hashed, on ${dialectName}`, () => {
  let db: Awaited<ReturnType<typeof freshDb>>;
  let log: ReturnType<typeof makeAuditLog>;
  let uow: ReturnType<typeof createUnitOfWork>;

  beforeEach(async () => {
    db = await freshDb();
    const clock = new ManualClock(T0);
    await migrate(db, { clock, to: '0011_oidc_artefacts_hashed' });
    // Three entries as the store wrote them before: payload = canonical JSON with seq, hash over it.
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= 3; seq += 1) {
      const d = draft(TENANT, seq);
      const payload = canonicalJson({ ...d, seq });
      const hash = chainHash(prev, payload);
      const target = d.targetResources[0]!;
      await db.kysely
        .insertInto('audit_entries')
        .values({
          tenant_id: TENANT,
          seq,
          id: d.id,
          activity_at: d.activityDateTime,
          code: d.code,
          category: d.category,
          activity_display_name: d.activityDisplayName,
          operation_type: d.operationType,
          logged_by_service: d.loggedByService,
          result: d.result,
          initiated_by_user_id: null,
          initiated_by_upn: null,
          initiated_by_app_id: null,
          correlation_id: null,
          payload,
          prev_hash: prev,
          hash,
        } as never)
        .execute();
      await db.kysely
        .insertInto('audit_targets')
        .values({
          tenant_id: TENANT,
          seq,
          target_id: target.id!,
          target_type: target.type,
          display_name: target.displayName,
        })
        .execute();
      prev = hash;
    }
    await db.kysely.insertInto('audit_head').values({ tenant_id: TENANT, seq: 3, hash: prev }).execute();
    // 0012 alone is what turns the old chain into a format-1 prefix; the later migrations follow.
    expect(await migrate(db, { clock, to: '0012_audit_integrity' })).toEqual(['0012_audit_integrity']);
    expect(await migrate(db, { clock })).not.toContain('0012_audit_integrity');
    uow = createUnitOfWork(db);
    log = makeAuditLog({ uow, clock, keyring: auditKeyring(db.kysely, createSecretBox(randomBytes(32))) });
  });
  afterEach(() => db.drop());

  it('verifies the old entries as written, and the new ones after them in format 2', async () => {
    expect(await log.verifyTenant(TENANT)).toMatchObject({ ok: true, count: 3 });
    for (let n = 4; n <= 5; n += 1) await uow.run((tx) => tx.audit.append(draft(TENANT, n)));
    expect(await log.verifyTenant(TENANT)).toMatchObject({ ok: true, count: 5 });
    const records = await uow.run((tx) => tx.audit.chain(TENANT, 0, 10));
    expect(records.map((r) => r.format)).toEqual([1, 1, 1, 2, 2]);
    expect(await log.checkpoint(TENANT)).toMatchObject({ seq: 5 });
  });

  it("checks an old entry's query columns against its payload", async () => {
    await db.kysely
      .updateTable('audit_entries')
      .set({ activity_display_name: 'Delete user' })
      .where('seq', '=', 2)
      .execute();
    const result = await log.verifyTenant(TENANT);
    expect(result).toMatchObject({ ok: false, reason: 'altered', firstBadSeq: 2 });
    expect(result.ok ? '' : result.message).toContain('activity_display_name');
  });

  it("checks an old entry's target rows against its payload", async () => {
    await db.kysely.deleteFrom('audit_targets').where('seq', '=', 3).execute();
    expect(await log.verifyTenant(TENANT)).toMatchObject({ ok: false, reason: 'altered', firstBadSeq: 3 });
  });

  it('still catches an old entry whose payload was edited', async () => {
    const row = await db.kysely
      .selectFrom('audit_entries')
      .selectAll()
      .where('seq', '=', 1)
      .executeTakeFirstOrThrow();
    await db.kysely
      .updateTable('audit_entries')
      .set({ payload: row.payload.replace('user 1', 'user X') })
      .where('seq', '=', 1)
      .execute();
    expect(await log.verifyTenant(TENANT)).toMatchObject({ ok: false, reason: 'altered', firstBadSeq: 1 });
  });
});
