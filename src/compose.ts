import { randomUUID } from 'node:crypto';
import { outboundFetch } from './net/outbound-fetch.js';
import { Server as HttpsServer } from 'node:https';
import { makeAuditLog, type AuditLog } from './app/audit/audit-log.js';
import { makeCheckpointPublisher } from './app/audit/checkpoint-publisher.js';
import { makeAuditForwarder } from './app/audit-export/forwarder.js';
import { makeAuditRetention } from './app/audit-export/retention.js';
import { makeActiveRoleTemplates } from './app/authorization/active-role-templates.js';
import { makeAuthenticationContextDirectory } from './app/authentication-contexts/context-directory.js';
import { makeAuthenticate } from './app/authorization/authenticate.js';
import { APPROVAL_LINK_CALLBACK } from './http/routes/approval-link-pages.js';
import { makeCallerResolver } from './app/authorization/resolve-caller.js';
import { bootstrap, type BootstrapResult } from './app/bootstrap/bootstrap.js';
import { upgradeRoleSettingDefaults } from './app/policies/default-upgrades.js';
import type { ComplianceReporter } from './app/compliance/compliance-report.js';
import { makeFederatedSignIn } from './app/federation/federated-sign-in.js';
import { makeOutboxRelay } from './app/outbox/relay.js';
import {
  DEFAULT_REFUSAL_FLUSH_INTERVAL_MS,
  DEFAULT_REFUSAL_WINDOW_MS,
  scheduleRefusalFlush,
} from './app/events/refusal-flush.js';
import { makeRefusalWindows } from './app/events/refusal-windows.js';
import { makeExpiryRecorder } from './app/pim/expiry.js';
import { makeClientAuthThrottle } from './app/sign-in/client-auth-throttle.js';
import { makeSignIn } from './app/sign-in/sign-in.js';
import { readTlsPair, type TlsPair } from './config/tls.js';
import { newId } from './domain/shared/ids.js';
import { buildApp, type App } from './http/app.js';
import { withTrustedIssuers } from './identity/federation/federated-token-verifier.js';
import { setUpTrustedIssuers } from './identity/federation/trusted-issuer-setup.js';
import { argon2Hasher } from './identity/password-hasher.js';
import { webauthnRelyingParty } from './identity/passkeys/webauthn-relying-party.js';
import { createAuthorizationServer } from './identity/provider/authorization-server.js';
import { ensureActiveSigningKey } from './identity/tokens/signing-keys.js';
import { createTokenVerifier } from './identity/tokens/token-verifier.js';
import { cacheVerifiedTokens } from './identity/tokens/verified-token-cache.js';
import {
  createAuditCheckpointJob,
  DEFAULT_CHECKPOINT_INTERVAL_MS,
  witnessSinks,
  type AuditCheckpointJob,
} from './jobs/audit-checkpoints.js';
import {
  createAuditForwarderJob,
  DEFAULT_AUDIT_FORWARD_INTERVAL_MS,
  forwardTargets,
  type AuditForwarderJob,
} from './jobs/audit-forwarder.js';
import {
  createExpirySweeper,
  DEFAULT_EXPIRY_SWEEP_INTERVAL_MS,
  type ExpirySweeper,
} from './jobs/expiry-sweeper.js';
import {
  createOutboxRelayJob,
  DEFAULT_OUTBOX_RELAY_INTERVAL_MS,
  type OutboxRelayJob,
} from './jobs/outbox-relay.js';
import { createTlsReload, DEFAULT_TLS_RELOAD_INTERVAL_MS } from './jobs/tls-certificate-reload.js';
import { repeatEvery } from './jobs/repeat.js';
import {
  DEFAULT_NOTIFICATION_WORKER_INTERVAL_MS,
  type NotificationWorkerJob,
} from './jobs/notification-worker.js';
import { FEATURE_ROUTES, featureServices } from './modules/index.js';
import { wireNotifications } from './modules/notifications.js';
import { approvalHookConsumerOf } from './modules/decision-hooks.js';
import { makeAlertScanConsumer } from './app/alerts/scan-consumer.js';
import { connectorConsumerOf, connectorsOf } from './modules/connectors.js';
import type { ConnectorReconcilerJob } from './jobs/connector-reconciler.js';
import { DEFAULT_SSF_WORKER_INTERVAL_MS, type SsfDeliveryJob } from './jobs/ssf-delivery.js';
import { ssfConsumerOf, ssfDeliveryOf } from './modules/ssf.js';
import type { ElevateOptions, Kernel } from './modules/kernel.js';
import { createUnitOfWork } from './modules/unit-of-work.js';
import { DEFAULT_GROUP_COMMIT_MAX_MEMBERS } from './store/unit-of-work.js';
import { wireHoldingsIndex } from './modules/holdings.js';
import type { HoldingsIndex } from './app/authzen/holdings-index.js';
import { auditPruneStore, chainReader, exportCursorStore } from './store/audit/audit-export-store.js';
import { auditKeyring } from './store/audit/audit-keyring.js';
import { checkpointPublicationStore } from './store/audit/publication-store.js';
import {
  accountDirectory,
  clientDirectory,
  cookieSigningKeys,
  signingKeyStore,
  tenantDirectory,
} from './store/identity/identity-stores.js';
import { oidcModelAdapters } from './store/identity/oidc-model-store.js';
import { migrate, pendingMigrations } from './store/migrator.js';
import { outboxRelayStore } from './store/outbox/relay-store.js';

export type { ElevateOptions } from './modules/kernel.js';

export interface Elevate {
  app: App;
  /** The in-memory holdings index (its stats; tests and the bench reload or inspect it). */
  holdings: HoldingsIndex;
  /** Credentials created by this start's first-run bootstrap, or undefined on later starts. */
  bootstrapped: BootstrapResult | undefined;
  /** Reading, verifying and checkpointing the audit log (the CLI and tests use it directly). */
  audit: AuditLog;
  /** Records PIM expiries (status, audit); runs on an interval, and tests call `runOnce`. */
  sweeper: ExpirySweeper;
  /** Forwards the audit log (entries and signed checkpoints) to the configured SIEM destinations. */
  forwarder: AuditForwarderJob;
  /** Signs audit checkpoints on an interval and at shutdown, and publishes them to the witnesses. */
  checkpoints: AuditCheckpointJob;
  /** The compliance evidence report (the CLI and tests use it directly). */
  compliance: ComplianceReporter;
  /** Delivers outbox messages to the registered consumers; nudged after every commit that wrote some. */
  outbox: OutboxRelayJob;
  /**
   * Writes the summaries of repeated identical refusals whose window ended (`all`: every window);
   * runs on a timer and at close. Returns how many entries it wrote.
   */
  flushRefusals(all?: boolean): Promise<number>;
  /** Sends notification deliveries (email, webhooks); undefined when notifications are off. */
  notifications: NotificationWorkerJob | undefined;
  /**
   * The access review scheduler: creates each period's instance once, completes ended ones
   * (default decisions, auto-apply). Runs on a timer; tests call `runDue` on the manual clock.
   */
  accessReviews: { runDue(): Promise<{ created: number; completed: number }> };
  /**
   * The connector reconcilers (ADR 0030): started unless `connectors.off`; tests nudge and await
   * them.
   */
  connectors: ConnectorReconcilerJob;
  /** The Shared Signals delivery worker (ADR 0040); tests run it. */
  ssf: SsfDeliveryJob;
}

/**
 * Wires one Elevate instance over an open database: migrations, first-run bootstrap, the kernel
 * (unit of work, keys, audit log), every feature module (`src/modules/`), the authorization
 * server, the background jobs and the HTTP app. `main.ts` adds configuration, logging, listening
 * and shutdown; tests call this directly.
 */
/** How often every tenant's alerts are scanned by default. */
export const DEFAULT_ALERT_SCAN_INTERVAL_MS = 3_600_000;
/** How long an outbox consumer's cursor may move in memory before it is written (ADR 0013). */
export const DEFAULT_OUTBOX_CURSOR_PERSIST_MS = 1_000;
/** How often the access review scheduler runs by default. */
export const DEFAULT_ACCESS_REVIEW_INTERVAL_MS = 60_000;

export async function createElevate(o: ElevateOptions): Promise<Elevate> {
  // Read first: a missing or mismatched certificate stops start-up before anything is written.
  const tls = o.tls === undefined ? undefined : readTlsPair(o.tls);
  await migrate(o.db, { clock: o.clock });
  const replicaId = randomUUID();
  const consumers = o.outboxConsumers ?? [];
  const relay = makeOutboxRelay({
    store: outboxRelayStore(o.db.kysely),
    clock: o.clock,
    replicaId,
    consumers,
    options: { cursorPersistMs: o.outboxCursorPersistMs ?? DEFAULT_OUTBOX_CURSOR_PERSIST_MS },
  });
  await relay.markEnd();
  const outbox = createOutboxRelayJob({
    relay,
    clock: o.clock,
    intervalMs: o.outboxRelayIntervalMs ?? DEFAULT_OUTBOX_RELAY_INTERVAL_MS,
    onError: (err, consumer) => {
      if (o.logger) o.logger.error({ err, consumer }, 'outbox delivery failed');
    },
  });
  // A commit that wrote messages wakes the relay: there is always a consumer (the decision hooks of
  // approval stages, and the notifications fan-out unless notifications are off).
  const refusalWindowMs = o.auditRefusalWindowMs ?? DEFAULT_REFUSAL_WINDOW_MS;
  const refusals =
    refusalWindowMs > 0
      ? makeRefusalWindows({ windowMs: refusalWindowMs, clock: o.clock, newId })
      : undefined;
  const holdings = wireHoldingsIndex({
    db: o.db,
    clock: o.clock,
    logger: o.logger,
    ...(o.holdingsIndex === undefined ? {} : { options: o.holdingsIndex }),
  });
  const holdingsOn = o.holdingsIndex?.enabled !== false;
  const uow = createUnitOfWork(o.db, {
    messagesCommitted: () => outbox.nudge(),
    ...(refusals === undefined ? {} : { refusals }),
    ...(holdingsOn ? { holdings: holdings.hook } : {}),
    groupCommit: { maxMembers: DEFAULT_GROUP_COMMIT_MAX_MEMBERS, ...o.sqliteGroupCommit },
  });
  const hasher = argon2Hasher();
  const bootstrapped = await bootstrap({ uow, clock: o.clock, newId, hasher, adminUpn: o.bootstrapAdminUpn });
  const upgraded = await upgradeRoleSettingDefaults({ uow, clock: o.clock });
  if (upgraded.length > 0 && o.logger) {
    o.logger.info(
      { policies: upgraded },
      'role settings: permanent active assignment of Global Administrator and Privileged Role Administrator is now forbidden (unchanged settings upgraded to the current defaults)',
    );
  }
  const kernel: Kernel = {
    options: o,
    db: o.db,
    uow,
    clock: o.clock,
    newId,
    box: o.box,
    hasher,
    relyingParty: webauthnRelyingParty(o.publicUrl),
    audit: makeAuditLog({
      uow,
      clock: o.clock,
      keyring: auditKeyring(o.db.kysely, o.box),
      publication: checkpointPublicationStore(o.db.kysely),
    }),
    cursors: exportCursorStore(o.db.kysely),
    holdings: holdingsOn ? holdings.index : undefined,
    outbound: outboundFetch(
      o.outbound?.allowNetworks === undefined ? {} : { allowNetworks: o.outbound.allowNetworks },
    ),
  };

  const identity = await wireIdentity(kernel);
  const services = featureServices(kernel, {
    authenticate: identity.authenticate,
    async ready() {
      try {
        const pending = await pendingMigrations(o.db);
        return pending.length === 0 ? { ready: true } : { ready: false, reason: 'migrations pending' };
      } catch {
        return { ready: false, reason: 'database unreachable' };
      }
    },
  });
  const app = await buildApp({
    clock: o.clock,
    logger: o.logger,
    publicUrl: o.publicUrl,
    services,
    routes: FEATURE_ROUTES,
    registerAuthorizationServer: (a) => identity.registerAuthorizationRoutes(a),
    ...(o.trustedProxies === undefined ? {} : { trustedProxies: o.trustedProxies }),
    ...(o.rateLimits === undefined ? {} : { rateLimits: o.rateLimits }),
    ...(o.portalDir === undefined ? {} : { portalDir: o.portalDir }),
    ...(tls ? { https: { cert: tls.cert, key: tls.key } } : {}),
  });
  if (tls) watchTlsFiles(o, app, tls);

  // Loads in the background (ADR 0054): the server listens (and /readyz answers ready) while the
  // index reads its pages; until it is loaded (and whenever it cannot answer) AuthZEN and caller
  // resolution read the database, so the order only matters for speed.
  await holdings.start();
  app.addHook('onClose', async () => holdings.stop());
  const jobs = startJobs(kernel, app);
  // PIM security alerts are scanned on a timer too, so that state changes nobody refreshed for
  // (and the compliance report's "scanned within a day") are covered. Scans are idempotent.
  const alertScanMs = o.alertScanIntervalMs ?? DEFAULT_ALERT_SCAN_INTERVAL_MS;
  if (alertScanMs > 0) {
    const alertScans = repeatEvery(
      alertScanMs,
      () => services.roleManagementAlerts.scanAll(),
      (err) => {
        if (o.logger) o.logger.error({ err }, 'PIM alert scan failed');
      },
    );
    alertScans.start();
    app.addHook('onClose', async () => alertScans.stop());
  }
  // Access reviews: instances start and end on their dates; the scheduler is idempotent and safe
  // on several replicas (one instance per definition and period, by a unique key).
  const reviewMs = o.accessReviewIntervalMs ?? DEFAULT_ACCESS_REVIEW_INTERVAL_MS;
  if (reviewMs > 0) {
    const reviews = repeatEvery(
      reviewMs,
      () => services.accessReviewInstances.runDue(),
      (err) => {
        if (o.logger) o.logger.error({ err }, 'access review scheduler failed');
      },
    );
    reviews.start();
    app.addHook('onClose', async () => reviews.stop());
  }
  const refusalFlush =
    refusals === undefined
      ? undefined
      : scheduleRefusalFlush(
          uow,
          refusals,
          o.auditRefusalFlushIntervalMs ?? DEFAULT_REFUSAL_FLUSH_INTERVAL_MS,
          (err) => {
            if (o.logger) o.logger.error({ err }, 'writing refused-attempt summaries failed');
          },
        );
  // After the server stopped taking requests: every open window's count is written out.
  if (refusalFlush) app.addHook('onClose', async () => refusalFlush.stop());
  // Decision hooks of approval stages are asked after commit, like any consumer (ADR 0025).
  relay.register(approvalHookConsumerOf(kernel));
  // PIM alerts are scanned again right after the changes they look at (docs/alerts.md).
  relay.register(makeAlertScanConsumer(services.roleManagementAlerts, o.alertScanSpacingMs));
  // Notifications: the fan-out consumes the outbox like any consumer; the worker sends what it wrote.
  const notifications = wireNotifications(kernel);
  if (notifications) {
    relay.register(notifications.fanOut);
    // New alert incidents and review reminders, mailed as the outbox delivers them (ADR 0033).
    relay.register(notifications.governanceMail);
    if ((o.notifications?.workerIntervalMs ?? DEFAULT_NOTIFICATION_WORKER_INTERVAL_MS) > 0)
      notifications.worker.start();
    app.addHook('onClose', async () => notifications.worker.stop());
  }
  // Connectors: reconciled at start, on PIM events, at the exact start/end times, and for drift.
  const connectors = connectorsOf(kernel).job;
  if (o.connectors?.off !== true) {
    relay.register(connectorConsumerOf(kernel));
    connectors.start();
    app.addHook('onClose', async () => connectors.stop());
  }
  // Shared Signals: ends of holdings and accounts become SETs pushed to the receivers' streams.
  const ssf = ssfDeliveryOf(kernel);
  if (o.ssf?.off !== true) {
    relay.register(ssfConsumerOf(kernel));
    if ((o.ssf?.workerIntervalMs ?? DEFAULT_SSF_WORKER_INTERVAL_MS) > 0) ssf.start();
    app.addHook('onClose', async () => ssf.stop());
  }
  if ((o.outboxRelayIntervalMs ?? DEFAULT_OUTBOX_RELAY_INTERVAL_MS) > 0) {
    outbox.start();
    app.addHook('onClose', async () => outbox.stop());
  }
  return {
    app,
    bootstrapped,
    holdings: holdings.index,
    audit: kernel.audit,
    compliance: services.compliance,
    outbox,
    flushRefusals: (all) => refusalFlush?.flush(all) ?? Promise.resolve(0),
    notifications: notifications?.worker,
    accessReviews: { runDue: () => services.accessReviewInstances.runDue() },
    connectors,
    ssf,
    ...jobs,
  };
}

/**
 * The embedded authorization server (signing keys, sign-in steps, trusted external issuers) and
 * the bearer-token check the API uses.
 */
async function wireIdentity(k: Kernel) {
  const o = k.options;
  const keys = signingKeyStore(o.db.kysely, o.box);
  await ensureActiveSigningKey(keys, o.clock);
  const tenants = await k.uow.run(async (tx) => {
    const first = (await tx.tenants.first())?.id;
    const known = new Set(first === undefined ? [] : [first]);
    for (const { tenantId } of o.trustedIssuers ?? []) {
      if (tenantId !== undefined && (await tx.tenants.get(tenantId)) !== undefined) known.add(tenantId);
    }
    return { first, known };
  });
  const trusted = setUpTrustedIssuers(o.trustedIssuers ?? [], {
    defaultTenantId: tenants.first,
    ownIssuer: o.publicUrl,
    tenantExists: (id) => tenants.known.has(id),
    clock: o.clock,
  });
  const federation = makeFederatedSignIn(k);
  const authServer = createAuthorizationServer({
    issuer: o.publicUrl,
    clients: clientDirectory(o.db.kysely),
    tenants: tenantDirectory(o.db.kysely),
    activeRoles: makeActiveRoleTemplates(k),
    keys,
    clock: o.clock,
    accessTokenTtlSeconds: o.accessTokenTtlSeconds,
    clientThrottle: makeClientAuthThrottle(k),
    signIn: {
      accounts: accountDirectory(o.db.kysely),
      contexts: makeAuthenticationContextDirectory(k),
      steps: makeSignIn({
        ...k,
        sealer: o.box,
        ...(o.requireMfaRegistration === undefined
          ? {}
          : { requireMfaRegistration: o.requireMfaRegistration }),
      }),
      artifacts: oidcModelAdapters(o.db.kysely, o.clock, o.box),
      cookieKeys: await cookieSigningKeys(o.db.kysely, o.box, o.clock.now()),
      // The approval link pages sign approvers in as Elevate's own client (docs/notifications.md).
      redirectUris: [
        ...(o.portalRedirectUris ?? [`${o.publicUrl}/portal/callback`]),
        `${o.publicUrl.replace(/\/+$/, '')}${APPROVAL_LINK_CALLBACK}`,
      ],
      federation: { issuers: trusted.portalIssuers, signIn: federation, sealer: o.box },
    },
  });
  const verifier = cacheVerifiedTokens(
    withTrustedIssuers(
      createTokenVerifier({ issuer: o.publicUrl, audience: o.publicUrl, keys, clock: o.clock }),
      trusted.tokenIssuers,
      o.clock,
    ),
    o.clock,
  );
  const authenticate = makeAuthenticate({
    verify: (authorization) => verifier.verify(authorization),
    trustedIssuers: trusted.policies,
    linkedUser: (issuer, claims, origin) =>
      federation.apiUser(issuer, claims, { ip: origin.ip ?? '', userAgent: origin.userAgent }),
    resolveCaller: makeCallerResolver(k),
  });
  return {
    authenticate,
    registerAuthorizationRoutes: (app: App) => authServer.registerAuthorizationRoutes(app),
  };
}

/**
 * The background jobs every replica runs: audit checkpoints and their publication, PIM expiry, SIEM
 * forwarding. They stop together at shutdown, in an order that leaves nothing unsigned: the sweeper
 * (its last expiries are audited), then a last checkpoint of every chain that moved, published to
 * the witnesses and, by one more forwarding run, to the SIEM destinations.
 */
function startJobs(k: Kernel, app: App) {
  const o = k.options;
  const logError =
    (msg: string) =>
    (err: Error, details: Record<string, string | undefined> = {}) => {
      if (o.logger) o.logger.error({ err, ...details }, msg);
    };
  const publication = checkpointPublicationStore(o.db.kysely);
  const keyring = auditKeyring(o.db.kysely, o.box);
  const checkpointMs = o.auditCheckpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
  const checkpointError = logError('audit checkpoint or its publication failed');
  const checkpoints = createAuditCheckpointJob({
    log: k.audit,
    publisher: makeCheckpointPublisher({
      store: publication,
      leases: k.cursors,
      keyring,
      clock: o.clock,
      witnesses: witnessSinks({ file: o.auditWitnessFile, url: o.auditWitnessUrl }),
      replicaId: randomUUID(),
    }),
    intervalMs: checkpointMs,
    onError: (err, tenantId, publisherId) => checkpointError(err, { tenantId, publisherId }),
  });
  if (checkpointMs > 0) checkpoints.start();

  const sweepMs = o.expirySweepIntervalMs ?? DEFAULT_EXPIRY_SWEEP_INTERVAL_MS;
  const sweepError = logError('PIM expiry sweep failed');
  const sweeper = createExpirySweeper({
    recorder: makeExpiryRecorder({
      uow: k.uow,
      ...(o.endingSoon === undefined ? {} : { endingSoon: o.endingSoon }),
    }),
    clock: o.clock,
    intervalMs: sweepMs,
    onError: (err) => sweepError(err instanceof Error ? err : new Error(String(err))),
  });
  if (sweepMs > 0) sweeper.start();

  const retentionDays = o.auditRetentionDays ?? 0;
  const retention =
    retentionDays > 0
      ? makeAuditRetention({
          uow: k.uow,
          clock: o.clock,
          audit: k.audit,
          keyring,
          cursors: k.cursors,
          prune: auditPruneStore(o.db.kysely),
          destinationIds: (o.auditForward ?? []).map((d) => d.id),
          retentionDays,
        })
      : undefined;
  const forwardMs = o.auditForwardIntervalMs ?? DEFAULT_AUDIT_FORWARD_INTERVAL_MS;
  const forwardError = logError('audit forwarding failed');
  const forwarder = createAuditForwarderJob({
    forwarder: makeAuditForwarder({
      chains: chainReader(o.db.kysely),
      cursors: k.cursors,
      clock: o.clock,
      targets: forwardTargets(o.auditForward ?? []),
      replicaId: randomUUID(),
      checkpoints: { store: publication, keyring },
    }),
    intervalMs: forwardMs,
    ...(retention ? { retention } : {}),
    onError: (err, destinationId, tenantId) => forwardError(err, { destinationId, tenantId }),
  });
  const forwarding = (o.auditForward ?? []).length > 0 && forwardMs > 0;
  if (forwarding) forwarder.start();

  app.addHook('onClose', async () => {
    if (sweepMs > 0) await sweeper.stop();
    if (checkpointMs > 0) await checkpoints.stop();
    await forwarder.stop({ flush: forwarding });
  });
  return { sweeper, forwarder, checkpoints };
}

/** Installs a renewed certificate without restart (see `jobs/tls-certificate-reload.ts`). */
function watchTlsFiles(o: ElevateOptions, app: App, current: TlsPair): void {
  const files = o.tls;
  const server: unknown = app.server;
  if (files === undefined) return;
  if (!(server instanceof HttpsServer)) throw new Error('TLS is configured but the server is not HTTPS');
  const intervalMs = files.reloadIntervalMs ?? DEFAULT_TLS_RELOAD_INTERVAL_MS;
  if (intervalMs <= 0) return;
  const reload = createTlsReload({
    files,
    current,
    server,
    intervalMs,
    onReloaded: (certificate) => {
      if (o.logger) o.logger.info({ certificate }, 'TLS certificate reloaded');
    },
    onRefused: (problem) => {
      if (o.logger)
        o.logger.error(
          { variable: problem.variable, reason: problem.reason },
          'TLS certificate files changed but cannot serve; keeping the previous certificate',
        );
    },
  });
  reload.start();
  app.addHook('onClose', async () => reload.stop());
}
