import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Caller } from '../../src/app/authorization/caller.js';
import { bootstrap, type BootstrapResult } from '../../src/app/bootstrap/bootstrap.js';
import { makeGroups } from '../../src/app/directory/groups.js';
import { makeUsers } from '../../src/app/directory/users.js';
import { newId } from '../../src/domain/shared/ids.js';
import { dialectName } from '../helpers/db.js';
import { auditFixture, draft, type AuditFixture } from './support.js';

const hasher = { hash: async (p: string) => `hashed:${p.length}` };

describe(`concurrent audit appends on ${dialectName}`, () => {
  let f: AuditFixture;
  let boot: BootstrapResult;
  let caller: Caller;
  beforeEach(async () => {
    f = await auditFixture({ poolSize: 12 });
    boot = (await bootstrap({ uow: f.uow, clock: f.clock, newId, hasher, adminUpn: 'admin@contoso.test' }))!;
    caller = {
      kind: 'app',
      tenantId: boot.tenantId,
      id: boot.app.servicePrincipalId,
      appId: boot.app.clientId,
      appPermissions: boot.app.permissions,
      amr: [],
      authTimeMs: null,
      ipAddress: '192.0.2.1',
      userAgent: 'concurrency-test',
      correlationId: null,
    };
  });
  afterEach(() => f.close());

  it('20 concurrent use cases produce one unbroken chain, one entry each', async () => {
    const deps = { uow: f.uow, clock: f.clock, newId };
    const users = makeUsers({ ...deps, hasher });
    const groups = makeGroups(deps);
    const before = (await f.uow.run((tx) => tx.audit.head(boot.tenantId)))!.seq;
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? users.create(caller, {
              displayName: `u${i}`,
              userPrincipalName: `u${i}@contoso.test`,
              accountEnabled: true,
            })
          : groups.create(caller, {
              displayName: `g${i}`,
              mailNickname: `g${i}`,
              mailEnabled: false,
              securityEnabled: true,
            }),
      ),
    );

    const result = await f.log.verifyTenant(boot.tenantId);
    expect(result).toMatchObject({ ok: true, count: before + 20 });
    const rows = await f.db.kysely
      .selectFrom('audit_entries')
      .select(['seq', 'prev_hash', 'hash'])
      .where('tenant_id', '=', boot.tenantId)
      .orderBy('seq')
      .execute();
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: before + 20 }, (_, i) => i + 1));
    for (let i = 1; i < rows.length; i += 1) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    const targets = await f.db.kysely
      .selectFrom('audit_targets')
      .select('target_id')
      .where('tenant_id', '=', boot.tenantId)
      .where('seq', '>', before)
      .execute();
    expect(targets.map((t) => t.target_id).sort()).toEqual(created.map((c) => c.id).sort());
  });

  it('a rolled-back transaction leaves no entry and no gap', async () => {
    const before = (await f.uow.run((tx) => tx.audit.head(boot.tenantId)))!;
    const users = makeUsers({ uow: f.uow, clock: f.clock, newId, hasher });
    await expect(
      users.create(caller, {
        displayName: 'dup',
        userPrincipalName: 'admin@contoso.test',
        accountEnabled: true,
      }),
    ).rejects.toThrow();
    await expect(
      f.uow.run(async (tx) => {
        await tx.audit.append(draft(boot.tenantId, 1));
        throw new Error('after the append');
      }),
    ).rejects.toThrow('after the append');
    expect(await f.uow.run((tx) => tx.audit.head(boot.tenantId))).toEqual(before);
    await users.create(caller, {
      displayName: 'ok',
      userPrincipalName: 'ok@contoso.test',
      accountEnabled: true,
    });
    expect(await f.log.verifyTenant(boot.tenantId)).toMatchObject({ ok: true, count: before.seq + 1 });
  });
});
