import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAuditForwarder, type ForwardTarget } from '../../src/app/audit-export/forwarder.js';
import { makeAuditRetention } from '../../src/app/audit-export/retention.js';
import { newId } from '../../src/domain/shared/ids.js';
import { auditKeyring } from '../../src/store/audit/audit-keyring.js';
import { auditPruneStore, chainReader, exportCursorStore } from '../../src/store/audit/audit-export-store.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { auditFixture, T0, type AuditFixture } from '../audit/support.js';
import { dialectName } from '../helpers/db.js';

const TENANT = '44444444-4444-4444-8444-444444444444';
const DAY = 24 * 3_600_000;

describe(`audit retention (${dialectName})`, () => {
  let f: AuditFixture;
  const received: Record<string, number[]> = {};
  beforeEach(async () => {
    f = await auditFixture();
    received.a = [];
    received.b = [];
  });
  afterEach(() => f.close());

  const sink = (id: string): ForwardTarget => ({
    sink: {
      id,
      send: async (records) => {
        received[id]!.push(...records.map(Number));
      },
    },
    render: (e) => String(e.seq),
  });
  const forwarder = (ids: string[]) =>
    makeAuditForwarder({
      chains: chainReader(f.db.kysely),
      cursors: exportCursorStore(f.db.kysely),
      clock: f.clock,
      targets: ids.map(sink),
      replicaId: 'r',
    });
  const retention = (ids: string[], days = 30) =>
    makeAuditRetention({
      uow: f.uow,
      clock: f.clock,
      audit: f.log,
      keyring: auditKeyring(f.db.kysely, createSecretBox(f.dataKey)),
      cursors: exportCursorStore(f.db.kysely),
      prune: auditPruneStore(f.db.kysely),
      destinationIds: ids,
      retentionDays: days,
    });
  const storedSeqs = async () => (await f.uow.run((tx) => tx.audit.chain(TENANT, 0, 1000))).map((r) => r.seq);

  it('deletes only what is old and exported to every destination, and verify still passes', async () => {
    await f.seed(TENANT, 10); // times T0+1 … T0+10
    await f.log.checkpoint(TENANT);
    f.clock.set(T0 + 40 * DAY);
    await f.seed(TENANT, 5, 11); // times T0+11 … (old too: seed uses T0 + n)
    // Only destination a has forwarded (seqs 1..15); seq 16 is young.
    await forwarder(['a']).runOnce();
    await f.uow.run((tx) =>
      tx.audit.append({ ...youngDraft(), tenantId: TENANT, activityDateTime: f.clock.now() }),
    );
    expect(received.a).toHaveLength(15);

    expect(await retention(['a', 'b']).pruneTenant(TENANT)).toMatchObject({ pruned: 0 });
    expect(await storedSeqs()).toHaveLength(16);

    await forwarder(['b']).runOnce();
    const out = await retention(['a', 'b']).pruneTenant(TENANT);
    // Entries 1..15 are older than 30 days and both destinations have them; 16 is young.
    expect(out).toEqual({ tenantId: TENANT, pruned: 15, throughSeq: 15 });
    expect(await storedSeqs()).toEqual([16, 17]); // 17: the prune itself, audited
    const verified = await f.log.verifyTenant(TENANT);
    expect(verified).toMatchObject({ ok: true, count: 17 });
    // Checkpointing still works on the pruned chain.
    expect(await f.log.checkpoint(TENANT)).toMatchObject({ seq: 17 });
    expect(await f.log.verifyTenant(TENANT)).toMatchObject({ ok: true });
  });

  it('never prunes without a destination, nor the chain head', async () => {
    await f.seed(TENANT, 3);
    f.clock.set(T0 + 400 * DAY);
    expect(await retention([]).pruneTenant(TENANT)).toMatchObject({ pruned: 0 });
    await forwarder(['a']).runOnce();
    expect(await retention(['a']).pruneTenant(TENANT)).toMatchObject({ pruned: 2, throughSeq: 2 });
    expect(await storedSeqs()).toEqual([3, 4]);
  });

  it('deleting a prefix without a prune record is still caught, even up to a signed checkpoint', async () => {
    await f.seed(TENANT, 6);
    await f.log.checkpoint(TENANT); // at seq 6
    await f.seed(TENANT, 2, 7);
    await sql`delete from audit_targets where seq <= 6`.execute(f.db.kysely);
    await sql`delete from audit_entries where seq <= 6`.execute(f.db.kysely);
    expect(await f.log.verifyTenant(TENANT)).toMatchObject({ ok: false, firstBadSeq: 1, reason: 'removed' });
  });

  it('a forged or altered prune record does not anchor verification', async () => {
    await f.seed(TENANT, 5);
    f.clock.set(T0 + 40 * DAY);
    await forwarder(['a']).runOnce();
    await retention(['a']).pruneTenant(TENANT);
    await sql`update audit_prunes set head_hash = ${'f'.repeat(64)}`.execute(f.db.kysely);
    expect(await f.log.verifyTenant(TENANT)).toMatchObject({ ok: false });
  });
});

function youngDraft() {
  return {
    id: newId(),
    tenantId: TENANT,
    activityDateTime: 0,
    code: 'user.update',
    activityDisplayName: 'Update user',
    category: 'UserManagement',
    operationType: 'Update' as const,
    loggedByService: 'Core Directory' as const,
    result: 'success' as const,
    resultReason: '',
    initiatedBy: { user: null, app: null },
    userAgent: null,
    amr: [],
    targetResources: [],
    correlationId: null,
    justification: null,
    ticket: null,
    additionalDetails: [],
  };
}
