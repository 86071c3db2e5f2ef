import { expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createServer, Socket, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { KyselyPlugin } from 'kysely';
import type { TargetSystemFactory } from '../../src/app/connectors/ports.js';
import { createElevate, type Elevate } from '../../src/compose.js';
import type { BootstrapResult } from '../../src/app/bootstrap/bootstrap.js';
import { newId } from '../../src/domain/shared/ids.js';
import type { Clock } from '../../src/domain/time/clock.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { freshDb } from '../helpers/db.js';
import { PUBLIC_URL, type TestServer } from '../helpers/server.js';
import { adminAt, eligibleForever, useCases, userCaller, type Headers } from '../pim/support.js';

/** A built-in role that asks for no approval by default: what the tests map and activate. */
export const EXCHANGE_ADMINISTRATOR = '29232cdf-9323-42fd-ade2-1d097af3e4de';
export const CONNECTORS = '/v1.0/elevate/connectors';

/**
 * The real time shifted by an offset the test moves: timers wait real milliseconds, and a test
 * jumps close to the end of a 5-minute activation instead of waiting for it. Read from
 * `performance`, not `Date`: minting a token fakes `Date` for a moment (`tokenAt`), and the
 * reconcilers must not see the time jump meanwhile.
 */
export class ShiftedClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Math.round(performance.timeOrigin + performance.now()) + this.offsetMs;
  }
  /** Moves the clock so that `at` is `inMs` real milliseconds away. */
  bringCloser(at: number, inMs: number): void {
    this.offsetMs += at - inMs - this.now();
  }
}

export interface ConnectorServer extends Elevate {
  boot: BootstrapResult;
  clock: ShiftedClock;
  db: Awaited<ReturnType<typeof freshDb>>;
  admin(): Promise<Headers>;
  close(): Promise<void>;
}

/** An Elevate on a shifted real clock, its outbox relay and connector reconcilers running. */
export async function connectorServer(
  o: {
    backoff?: { baseMs: number; maxMs: number };
    driftIntervalMs?: number;
    metricsToken?: string;
    /** Accept http:// connector URLs (the test's receivers); default true. */
    allowHttp?: boolean;
    /** Opens the target systems (default: the real drivers). */
    targets?: TargetSystemFactory;
    /** A plugin on Elevate's database connection (counting what the stores read). */
    plugin?: KyselyPlugin;
  } = {},
): Promise<ConnectorServer> {
  const fresh = await freshDb({ pgPoolSize: 8 });
  const db = o.plugin === undefined ? fresh : { ...fresh, kysely: fresh.kysely.withPlugin(o.plugin) };
  const clock = new ShiftedClock();
  const elevate = await createElevate({
    db,
    box: createSecretBox(randomBytes(32)),
    clock,
    logger: false,
    publicUrl: PUBLIC_URL,
    accessTokenTtlSeconds: 600,
    bootstrapAdminUpn: 'admin@contoso.test',
    outboxRelayIntervalMs: 100,
    expirySweepIntervalMs: 0,
    accessReviewIntervalMs: 0,
    alertScanIntervalMs: 0,
    auditCheckpointIntervalMs: 0,
    notifications: { workerIntervalMs: 0, allowHttpWebhooks: o.allowHttp ?? true },
    // The test's receivers listen on the loopback interface.
    outbound: { allowNetworks: ['127.0.0.0/8'] },
    connectors: {
      driftIntervalMs: o.driftIntervalMs ?? 0,
      backoff: o.backoff ?? { baseMs: 100, maxMs: 800 },
      ...(o.targets === undefined ? {} : { targets: o.targets }),
    },
    ...(o.metricsToken === undefined ? {} : { metricsToken: o.metricsToken }),
  });
  const boot = elevate.bootstrapped;
  if (!boot) throw new Error('a fresh database must bootstrap');
  const server: ConnectorServer = {
    ...elevate,
    boot,
    clock,
    db,
    admin: () => adminAt(server as unknown as TestServer, clock),
    async close() {
      await elevate.app.close();
      await db.drop();
    },
  };
  return server;
}

export async function call(
  s: Pick<Elevate, 'app'>,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  headers: Headers,
  payload?: unknown,
) {
  if (payload === undefined) return s.app.inject({ method, url, headers });
  return s.app.inject({
    method,
    url,
    headers: { ...headers, 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  });
}

/** A user whose login in targets is `login` (the local part of its userPrincipalName). */
export async function addLoginUser(s: ConnectorServer, login: string): Promise<string> {
  const id = newId();
  await createUnitOfWork(s.db).run((tx) =>
    tx.users.insert({
      id,
      tenantId: s.boot.tenantId,
      displayName: login,
      userPrincipalName: `${login}@contoso.test`,
      mail: null,
      givenName: null,
      surname: null,
      jobTitle: null,
      accountEnabled: true,
      passwordHash: null,
      passwordMustChange: false,
      createdAt: 0,
      modifiedAt: 0,
      version: 1,
    }),
  );
  return id;
}

/** Makes the user eligible for the role and activates it for `duration` now; returns the window end. */
export async function activate(
  s: ConnectorServer,
  userId: string,
  roleId = EXCHANGE_ADMINISTRATOR,
  minutes = 5,
): Promise<{ end: number; start: number }> {
  const t = s as unknown as TestServer;
  await eligibleForever(t, s.clock, userId, roleId);
  const r = await useCases(t, s.clock).requests.create(
    userCaller(t, userId, { amr: ['pwd', 'mfa'], authTimeMs: s.clock.now() }),
    {
      kind: 'assignment',
      action: 'selfActivate',
      principalId: userId,
      roleDefinitionId: roleId,
      directoryScopeId: '/',
      justification: 'Rotate the database credentials',
      ticketInfo: { ticketNumber: 'INC-1', ticketSystem: 'ServiceNow' },
      scheduleInfo: {
        startDateTime: null,
        expiration: { type: 'afterDuration', endDateTime: null, duration: `PT${minutes}M` },
      },
      isValidationOnly: false,
      customData: null,
    },
  );
  if (r.status !== 'Provisioned') throw new Error(`activation: ${r.status}`);
  const start = r.scheduleInfo!.startDateTime;
  return { start, end: start + minutes * 60_000 };
}

/** Creates a connector and its mapping through the API; returns their ids. */
export async function addConnector(
  s: ConnectorServer,
  body: Record<string, unknown>,
  targetGrant: string,
  roleId = EXCHANGE_ADMINISTRATOR,
): Promise<{ id: string; mappingId: string }> {
  const h = await s.admin();
  const c = await call(s, 'POST', CONNECTORS, h, body);
  if (c.statusCode !== 201) throw new Error(`connector: ${c.statusCode} ${c.body}`);
  const id = c.json<{ id: string }>().id;
  const m = await call(s, 'POST', `${CONNECTORS}/${id}/mappings`, h, {
    source: 'directoryRole',
    sourceId: roleId,
    targetGrant,
  });
  if (m.statusCode !== 201) throw new Error(`mapping: ${m.statusCode} ${m.body}`);
  return { id, mappingId: m.json<{ id: string }>().id };
}

/** Waits until `check` holds (polling every 25 ms), or fails after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The connector's grant records as the API shows them. */
export async function grantsOf(s: ConnectorServer, connectorId: string) {
  const r = await call(s, 'GET', `${CONNECTORS}/${connectorId}/grants`, await s.admin());
  if (r.statusCode !== 200) throw new Error(`grants: ${r.statusCode} ${r.body}`);
  return r.json<{ value: Record<string, unknown>[] }>().value;
}

/** The connector's `status` as `GET …/connectors/{id}` shows it, and as the list shows it. */
export async function statusOf(s: ConnectorServer, connectorId: string) {
  const h = await s.admin();
  const one = await call(s, 'GET', `${CONNECTORS}/${connectorId}`, h);
  if (one.statusCode !== 200) throw new Error(`connector: ${one.statusCode} ${one.body}`);
  const listed = await call(s, 'GET', CONNECTORS, h);
  const inList = listed
    .json<{ value: { id: string; status: unknown }[] }>()
    .value.find((c) => c.id === connectorId)?.status;
  const status = one.json<{ status: Record<string, unknown> | null }>().status;
  expect(inList).toEqual(status);
  return status;
}

/** Audit entries of an activity, newest first. */
export async function audited(s: ConnectorServer, activityDisplayName: string) {
  const r = await call(
    s,
    'GET',
    `/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName eq '${activityDisplayName}'`,
    await s.admin(),
  );
  return r.json<{ value: Record<string, unknown>[] }>().value;
}

/** AuthZEN: does the user hold the role now? */
export async function holds(s: ConnectorServer, userId: string, roleId = EXCHANGE_ADMINISTRATOR) {
  const r = await call(s, 'POST', '/access/v1/evaluation', await s.admin(), {
    subject: { type: 'user', id: userId },
    action: { name: 'hold' },
    resource: { type: 'role', id: roleId, properties: { directoryScopeId: '/' } },
  });
  if (r.statusCode !== 200) throw new Error(`evaluation: ${r.statusCode} ${r.body}`);
  return r.json<{ decision: boolean }>().decision;
}

/**
 * A TCP relay to a target that the test can take down and bring back on the same port: "the
 * target is down" without stopping the machine's shared server.
 */
export async function tcpRelay(targetPort: number, host = '127.0.0.1') {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((inbound) => {
        const outbound = new Socket();
        sockets.add(inbound).add(outbound);
        outbound.connect(targetPort, host);
        inbound.pipe(outbound).pipe(inbound);
        const drop = () => {
          inbound.destroy();
          outbound.destroy();
          sockets.delete(inbound);
          sockets.delete(outbound);
        };
        inbound.on('error', drop).on('close', drop);
        outbound.on('error', drop).on('close', drop);
      });
      server.listen(port, host, () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    get port() {
      return port;
    },
    async down() {
      for (const s of sockets) s.destroy();
      sockets.clear();
      await new Promise<void>((r) => server!.close(() => r()));
    },
    up: listen,
  };
}

/** The connector's newest grant record once it is `revoked` (recorded just after the target confirmed). */
export async function revokedGrant(s: ConnectorServer, connectorId: string) {
  let newest: Record<string, unknown> | undefined;
  await until('the revoke is recorded', async () => {
    [newest] = await grantsOf(s, connectorId);
    return newest?.state === 'revoked';
  });
  return newest!;
}
