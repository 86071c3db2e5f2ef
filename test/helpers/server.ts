import { randomBytes } from 'node:crypto';
import { createElevate, type Elevate, type ElevateOptions } from '../../src/compose.js';
import type { TrustedIssuerConfig } from '../../src/config/trusted-issuers.js';
import type { OutboxConsumer } from '../../src/app/outbox/ports.js';
import { provisionTenant, type BootstrapResult } from '../../src/app/bootstrap/bootstrap.js';
import { newId } from '../../src/domain/shared/ids.js';
import { newClientSecret } from '../../src/domain/shared/secrets.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { ManualClock, systemClock, type Clock } from '../../src/domain/time/clock.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { freshDb } from './db.js';

export const PUBLIC_URL = 'http://127.0.0.1:8080';

export interface TestServer extends Elevate {
  boot: BootstrapResult;
  /** The clock the server reads (the system clock unless a test passed its own). */
  clock: Clock;
  db: Awaited<ReturnType<typeof freshDb>>;
  /** An app access token for the given client (defaults to the bootstrap app). */
  appToken(clientId?: string, clientSecret?: string): Promise<string>;
  /** Authorization header of the bootstrap app. */
  admin(): Promise<{ authorization: string }>;
  /** Provisions another tenant in the same database; returns its credentials. */
  otherTenant(): Promise<BootstrapResult>;
  /** Authorization header for an app created with exactly these permissions (none by default). */
  appWith(permissions?: string[]): Promise<{ authorization: string; servicePrincipalId: string }>;
  close(): Promise<void>;
}

/** A whole Elevate over a fresh database, driven with `app.inject()`. */
export async function testServer(
  opts: {
    clock?: Clock;
    trustedIssuers?: readonly TrustedIssuerConfig[];
    outboxConsumers?: readonly OutboxConsumer[];
    outboxRelayIntervalMs?: number;
    trustedProxies?: ElevateOptions['trustedProxies'];
    rateLimits?: ElevateOptions['rateLimits'];
    auditRefusalWindowMs?: number;
    /**
     * Registration of a second factor at sign-in for privileged people: off in tests unless asked
     * for (tests sign the same user in many times at one manual-clock instant, which one-time
     * codes do not allow); `'productDefault'` leaves it to Elevate's default (on).
     */
    requireMfaRegistration?: boolean | 'productDefault';
    /** The server's public URL (issuer, audience); tests that listen on a port pass theirs. */
    publicUrl?: string;
    /** A built portal to serve at `/` (none by default). */
    portalDir?: string;
    /** Options of the holdings index (e.g. a wrapped source that holds its load open). */
    holdingsIndex?: ElevateOptions['holdingsIndex'];
    /** Whether to wait for the holdings index's first load before returning (default true). */
    waitForHoldings?: boolean;
  } = {},
): Promise<TestServer> {
  const db = await freshDb();
  const elevate = await createElevate({
    db,
    box: createSecretBox(randomBytes(32)),
    clock: opts.clock ?? systemClock,
    logger: false,
    publicUrl: opts.publicUrl ?? PUBLIC_URL,
    accessTokenTtlSeconds: 600,
    bootstrapAdminUpn: 'admin@contoso.test',
    ...(opts.trustedIssuers ? { trustedIssuers: opts.trustedIssuers } : {}),
    ...(opts.outboxConsumers ? { outboxConsumers: opts.outboxConsumers } : {}),
    ...(opts.trustedProxies ? { trustedProxies: opts.trustedProxies } : {}),
    ...(opts.rateLimits ? { rateLimits: opts.rateLimits } : {}),
    ...(opts.portalDir ? { portalDir: opts.portalDir } : {}),
    ...(opts.holdingsIndex ? { holdingsIndex: opts.holdingsIndex } : {}),
    ...(opts.auditRefusalWindowMs === undefined ? {} : { auditRefusalWindowMs: opts.auditRefusalWindowMs }),
    ...(opts.requireMfaRegistration === 'productDefault'
      ? {}
      : { requireMfaRegistration: opts.requireMfaRegistration ?? false }),
    // The relay's timer is off unless a test asks for it: its numbering would change the database
    // under tests that compare snapshots; tests drive it with `outbox.runOnce()`.
    outboxRelayIntervalMs: opts.outboxRelayIntervalMs ?? 0,
    // Access reviews start and end when a test runs the scheduler (`accessReviews.runDue()`).
    accessReviewIntervalMs: 0,
  }).catch(async (error: unknown) => {
    await db.drop(); // a configuration refused at start-up leaves no database behind
    throw error;
  });
  // The server does not wait for the holdings index's first load (ADR 0054); tests start from a
  // loaded index, as a server does a moment after start (test/authzen/holdings-start.test.ts
  // covers the moment before).
  if (opts.waitForHoldings !== false) await elevate.holdings.loaded();
  const boot = elevate.bootstrapped;
  if (!boot) throw new Error('a fresh database must bootstrap');
  let adminToken: string | undefined;
  const server: TestServer = {
    ...elevate,
    boot,
    clock: opts.clock ?? systemClock,
    db,
    async appToken(clientId = boot.app.clientId, clientSecret = boot.app.clientSecret) {
      const res = await elevate.app.inject({
        method: 'POST',
        url: `/${boot.tenantId}/oauth2/v2.0/token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
          scope: `${opts.publicUrl ?? PUBLIC_URL}/.default`,
        }).toString(),
      });
      if (res.statusCode !== 200) throw new Error(`token request failed: ${res.statusCode} ${res.body}`);
      return res.json<{ access_token: string }>().access_token;
    },
    async admin() {
      adminToken ??= await server.appToken();
      return { authorization: `Bearer ${adminToken}` };
    },
    async otherTenant() {
      const { secret } = newClientSecret();
      return createUnitOfWork(db).run((tx) =>
        provisionTenant(tx, {
          tenantId: newId(),
          now: (opts.clock ?? systemClock).now(),
          newId,
          adminUpn: 'admin@fabrikam.test',
          passwordHash: 'not-a-real-hash',
          oneTimePassword: 'unused',
          secret,
        }),
      );
    },
    async appWith(permissions = []) {
      const headers = await server.admin();
      const sp = await elevate.app.inject({
        method: 'POST',
        url: '/v1.0/servicePrincipals',
        headers,
        payload: { displayName: `test app ${newId().slice(0, 8)}`, appPermissions: permissions },
      });
      if (sp.statusCode !== 201) throw new Error(`creating app failed: ${sp.statusCode} ${sp.body}`);
      const { id, appId } = sp.json<{ id: string; appId: string }>();
      const pw = await elevate.app.inject({
        method: 'POST',
        url: `/v1.0/servicePrincipals/${id}/addPassword`,
        headers,
        payload: {},
      });
      const secret = pw.json<{ secretText: string }>().secretText;
      return { authorization: `Bearer ${await server.appToken(appId, secret)}`, servicePrincipalId: id };
    },
    async close() {
      await elevate.app.close();
      await db.drop();
    },
  };
  return server;
}

export { ManualClock };
