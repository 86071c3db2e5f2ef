// kill -9 of Elevate around a connector's grant and revoke (issue 17), with Elevate as a separate
// process on PostgreSQL and the machine's PostgreSQL as the target, reached through a relay the
// test takes down and brings back. The windows are made real, not hoped for: the target is down
// (or refuses the grant) when the activation or the end commits, the test waits until the
// reconciler has tried and failed (its audit entry, or its `granting` record), and kills then.
// After each restart the reconciler finishes the job at start (the drift poll is off); in the end
// the target's pg_auth_members holds no member of the mapped roles: no grant is left behind.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresOnly } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';
import { tcpRelay } from '../connectors/support.js';
import { sharedDatabase, type SharedDatabase } from './support/database.js';
import { bearer, send, type Headers } from './support/http.js';
import {
  deployment,
  killAll,
  startReplica,
  type Deployment,
  type ServerProcess,
} from './support/server-process.js';
import { ASSIGNMENT_REQUESTS, ROLES, selfActivation, Tenant } from './support/tenant.js';

const CONNECTORS = '/v1.0/elevate/connectors';
/** Not privileged: activating it needs no MFA registration. */
const MAPPED_ROLE = ROLES.billingAdministrator;
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const suffix = randomBytes(4).toString('hex');
const ROLE = `el_crash_${suffix}`;
/** Created in the target only after the first kill: its grant is refused until then. */
const LATE_ROLE = `el_crash_late_${suffix}`;
const LOGIN = `el_crash_u_${suffix}`;
/**
 * How long a restarted Elevate may take to finish. The test kills only while no reconcile runs (the
 * lease row is free), so the reconcile at start does it within a second or two; should a retry
 * start in the few milliseconds before the kill lands, its lease expires after a minute (ADR 0030)
 * and the restarted replica finishes then: still bounded.
 */
const AFTER_RESTART_MS = 90_000;

let target: pg.Client;
let database: SharedDatabase | undefined;

const members = async (role: string): Promise<string[]> =>
  (
    await target.query<{ rolname: string }>(
      `select m.rolname from pg_auth_members am join pg_roles g on g.oid = am.roleid
         join pg_roles m on m.oid = am.member where g.rolname = $1 order by 1`,
      [role],
    )
  ).rows.map((r) => r.rolname);

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  if (postgresOnly !== undefined) return;
  target = new pg.Client({ ...PG, database: 'postgres' });
  await target.connect();
  await target.query(`create role ${ROLE} nologin`);
});

afterAll(async () => {
  await killAll();
  await database?.drop();
  if (target !== undefined) {
    await target.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = $1`, [LOGIN]);
    await target.query(`drop role if exists ${LOGIN}`);
    await target.query(`drop role if exists ${LATE_ROLE}`);
    await target.query(`drop role if exists ${ROLE}`);
    await target.end();
  }
});

describe('kill -9 around connector grants and revokes (PostgreSQL)', skipFor(postgresOnly), () => {
  it('a grant pending at the kill is made after restart, a revoke pending at the kill is made after restart, and nothing is left behind', async () => {
    database = await sharedDatabase();
    const d: Deployment = await deployment(database, 1, {
      // Only the reconcile at start (and events) may finish the work: no poll to hide behind.
      ELEVATE_CONNECTOR_DRIFT_SECONDS: '0',
      ELEVATE_REQUIRE_MFA_REGISTRATION: 'false',
    });
    let server: ServerProcess = await startReplica(d, 0);
    const tenant = new Tenant(d, server.base);
    const relay = await tcpRelay(PG.port);
    const timings: string[] = [];
    let restartedAt = 0;
    const restart = async () => {
      await server.kill();
      server = await startReplica(d, 0);
      tenant.via = server.base;
      restartedAt = Date.now();
    };
    const finished = (what: string) => timings.push(`${what} ${Date.now() - restartedAt} ms after ready`);
    try {
      await tenant.activationNeedsJustificationOnly(MAPPED_ROLE);
      const c = await tenant.expect(201, 'POST', CONNECTORS, {
        displayName: 'Crash target',
        type: 'postgresql',
        settings: {
          host: PG.host,
          port: relay.port,
          database: 'postgres',
          username: 'postgres',
          createLogins: true,
        },
      });
      const connectorId = (c.json as { id: string }).id;
      await tenant.expect(201, 'POST', `${CONNECTORS}/${connectorId}/mappings`, {
        source: 'directoryRole',
        sourceId: MAPPED_ROLE,
        targetGrant: ROLE,
      });
      const user = await tenant.createUser(LOGIN);
      await tenant.makeEligible(user.id, MAPPED_ROLE);
      const asUser: Headers = bearer(await tenant.signIn(user));

      const failures = async () => {
        const filter = encodeURIComponent("activityDisplayName eq 'Target system unreachable'");
        const r = await tenant.expect(200, 'GET', `/v1.0/auditLogs/directoryAudits?$filter=${filter}`);
        return (r.json as { value: unknown[] }).value.filter((e) => JSON.stringify(e).includes(connectorId))
          .length;
      };
      // No reconcile in flight (its lease given back): a kill now leaves no lease to wait out, and
      // the next attempt is a back-off (a second or more) away.
      const idle = async () => {
        const row = await database!.db.kysely
          .selectFrom('connector_leases')
          .select('lease_holder')
          .where('connector_id', '=', connectorId)
          .executeTakeFirst();
        return row === undefined || row.lease_holder === null;
      };
      const grants = async () => {
        const r = await tenant.expect(200, 'GET', `${CONNECTORS}/${connectorId}/grants`);
        return (r.json as { value: { target: string; state: string; login: string }[] }).value;
      };

      // 1. Between the activation's commit and its grant: the target is down when it commits.
      await relay.down();
      const activated = await send(server.base, 'POST', ASSIGNMENT_REQUESTS, {
        headers: asUser,
        json: selfActivation(user.id, MAPPED_ROLE),
      });
      expect(activated.status, activated.text).toBe(201);
      expect((activated.json as { status: string }).status).toBe('Provisioned');
      await until(
        'the reconciler tried the grant and failed',
        async () => (await failures()) === 1 && (await idle()),
        30_000,
      );
      expect(await members(ROLE)).toEqual([]);
      await restart();
      await relay.up();
      await until(
        'granted after the restart',
        async () => (await members(ROLE)).includes(LOGIN),
        AFTER_RESTART_MS,
      );
      finished('grant');
      await until(
        'recorded granted',
        async () => (await grants()).some((g) => g.state === 'granted'),
        10_000,
      );

      // 2. A crash between the `granting` record (committed) and the target's grant: the target
      // refuses the grant (the role is not there yet), the record stays `granting`, kill.
      await tenant.expect(201, 'POST', `${CONNECTORS}/${connectorId}/mappings`, {
        source: 'directoryRole',
        sourceId: MAPPED_ROLE,
        targetGrant: LATE_ROLE,
      });
      await until(
        'a granting record for the refused grant',
        async () =>
          (await grants()).some((g) => g.target === LATE_ROLE && g.state === 'granting') && (await idle()),
        30_000,
      );
      await restart();
      await target.query(`create role ${LATE_ROLE} nologin`);
      await until(
        'granted after the restart',
        async () => (await members(LATE_ROLE)).includes(LOGIN),
        AFTER_RESTART_MS,
      );
      finished('granting record');
      await until(
        'recorded granted',
        async () => (await grants()).filter((g) => g.state === 'granted').length === 2,
        10_000,
      );

      // 3. Between the end and its revoke: the target is down when the end commits.
      const unreachableBefore = await failures();
      await relay.down();
      // An administrator ends the activation (a self-deactivation needs five minutes of activity).
      await tenant.expect(201, 'POST', ASSIGNMENT_REQUESTS, {
        action: 'adminRemove',
        principalId: user.id,
        roleDefinitionId: MAPPED_ROLE,
        directoryScopeId: '/',
        justification: 'Incident closed',
      });
      await until(
        'the reconciler tried the revoke and failed',
        async () => (await failures()) > unreachableBefore && (await idle()),
        30_000,
      );
      // The window is real: Elevate has ended it, the target still has it.
      expect(await members(ROLE)).toEqual([LOGIN]);
      expect(await members(LATE_ROLE)).toEqual([LOGIN]);
      await restart();
      await relay.up();
      await until(
        'revoked after the restart',
        async () => (await members(ROLE)).length === 0 && (await members(LATE_ROLE)).length === 0,
        AFTER_RESTART_MS,
      );

      finished('revoke');
      console.info(`connector kill -9: ${timings.join('; ')}`);
      // Nothing left behind: no member of either mapped role in the target, every record revoked.
      await until(
        'recorded revoked',
        async () => (await grants()).every((g) => g.state === 'revoked'),
        10_000,
      );
      expect(await members(ROLE)).toEqual([]);
      expect(await members(LATE_ROLE)).toEqual([]);
      expect((await grants()).map((g) => [g.target, g.state]).sort()).toEqual(
        [
          [LATE_ROLE, 'revoked'],
          [ROLE, 'revoked'],
        ].sort(),
      );
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\n--- server log ---\n${server.log()}`);
    } finally {
      await relay.down().catch(() => undefined);
    }
  }, 600_000);
});
