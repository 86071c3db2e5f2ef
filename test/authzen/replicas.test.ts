// Two replicas on one PostgreSQL database: a revocation committed on replica A is reflected in
// replica B's AuthZEN answers within 100 ms (issue 16). B learns of it by the NOTIFY the writing
// transaction sent, delivered on commit; the bound is a correctness requirement (a revoked role must
// not keep being allowed elsewhere), so it is asserted with the real clock.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElevate, type Elevate } from '../../src/compose.js';
import { USER_ADMINISTRATOR } from '../../src/domain/roles/built-in-roles.js';
import { systemClock } from '../../src/domain/time/clock.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { freshDb, postgresOnly } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';

const PUBLIC_URL = 'http://127.0.0.1:8080';
const REPLICA_BOUND_MS = 100;

describe('holdings index on two replicas (PostgreSQL)', skipFor(postgresOnly), () => {
  let db: Awaited<ReturnType<typeof freshDb>>;
  let a: Elevate;
  let b: Elevate;

  beforeAll(async () => {
    db = await freshDb({ pgPoolSize: 8 });
    const box = createSecretBox(randomBytes(32));
    const options = {
      db,
      box,
      clock: systemClock,
      logger: false as const,
      publicUrl: PUBLIC_URL,
      accessTokenTtlSeconds: 600,
      bootstrapAdminUpn: 'admin@contoso.test',
      outboxRelayIntervalMs: 0,
      expirySweepIntervalMs: 0,
      accessReviewIntervalMs: 0,
      auditCheckpointIntervalMs: 0,
      // Only notifications keep B current in this test: no periodic full reload.
      holdingsIndex: { fullCheckIntervalMs: 0 },
    };
    a = await createElevate(options);
    b = await createElevate(options);
    await Promise.all([a.holdings.loaded(), b.holdings.loaded()]);
  }, 120_000);
  afterAll(async () => {
    await b?.app.close();
    await a?.app.close();
    await db?.drop();
  });

  async function token(e: Elevate, clientId: string, secret: string): Promise<string> {
    const boot = a.bootstrapped!;
    const res = await e.app.inject({
      method: 'POST',
      url: `/${boot.tenantId}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: secret,
        scope: `${PUBLIC_URL}/.default`,
      }).toString(),
    });
    expect(res.statusCode, res.body).toBe(200);
    return `Bearer ${res.json<{ access_token: string }>().access_token}`;
  }

  it('a role assignment removed on A is denied by B within 100 ms', async () => {
    const boot = a.bootstrapped!;
    const admin = await token(a, boot.app.clientId, boot.app.clientSecret);
    const json = (authorization: string) => ({ authorization, 'content-type': 'application/json' });
    const sp = await a.app.inject({
      method: 'POST',
      url: '/v1.0/servicePrincipals',
      headers: json(admin),
      payload: { displayName: 'pdp', appPermissions: ['Elevate.AccessEvaluation'] },
    });
    expect(sp.statusCode, sp.body).toBe(201);
    const { id: subjectId, appId } = sp.json<{ id: string; appId: string }>();
    const pw = await a.app.inject({
      method: 'POST',
      url: `/v1.0/servicePrincipals/${subjectId}/addPassword`,
      headers: json(admin),
      payload: {},
    });
    const pdp = await token(b, appId, pw.json<{ secretText: string }>().secretText);
    const ask = async () => {
      const res = await b.app.inject({
        method: 'POST',
        url: '/access/v1/evaluation',
        headers: json(pdp),
        payload: {
          subject: { type: 'servicePrincipal', id: subjectId },
          action: { name: 'hold' },
          resource: { type: 'role', id: USER_ADMINISTRATOR, properties: { directoryScopeId: '/' } },
        },
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ decision: boolean }>().decision;
    };
    const until = async (want: boolean) => {
      const started = performance.now();
      while (performance.now() - started < 5_000) {
        if ((await ask()) === want) return performance.now() - started;
      }
      throw new Error(`B never answered ${String(want)}`);
    };

    expect(await ask()).toBe(false);
    const granted = await a.app.inject({
      method: 'POST',
      url: '/v1.0/roleManagement/directory/roleAssignments',
      headers: json(admin),
      payload: { principalId: subjectId, roleDefinitionId: USER_ADMINISTRATOR, directoryScopeId: '/' },
    });
    expect(granted.statusCode, granted.body).toBe(201);
    await until(true);
    // B answered from its index, not from the database.
    expect(b.holdings.stats()).toMatchObject({ ready: true });
    expect(b.holdings.stats().directAssignments).toBeGreaterThan(0);

    const removed = await a.app.inject({
      method: 'DELETE',
      url: `/v1.0/roleManagement/directory/roleAssignments/${granted.json<{ id: string }>().id}`,
      headers: { authorization: admin },
    });
    // A's response is sent after its commit; from then on B has 100 ms.
    expect(removed.statusCode, removed.body).toBe(204);
    const elapsed = await until(false);
    expect(elapsed).toBeLessThan(REPLICA_BOUND_MS);
  });
});
