import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { makeAuditLog, type AuditLog } from './app/audit/audit-log.js';
import { DEFAULT_CHECKPOINT_INTERVAL_MS, scheduleCheckpoints } from './app/audit/checkpoint-schedule.js';
import { makeActiveRoleTemplates } from './app/authorization/active-role-templates.js';
import { makeCallerResolver } from './app/authorization/resolve-caller.js';
import { makeAuthenticationMethods } from './app/sign-in/authentication-methods.js';
import { makeFactors } from './app/sign-in/factors.js';
import { makeSignIn } from './app/sign-in/sign-in.js';
import { bootstrap, type BootstrapResult } from './app/bootstrap/bootstrap.js';
import { makeGroups } from './app/directory/groups.js';
import { makeServicePrincipals } from './app/directory/service-principals.js';
import { makeUsers } from './app/directory/users.js';
import { makeRoleAssignments } from './app/roles/role-assignments.js';
import { makeRolePolicies } from './app/policies/role-policies.js';
import { makeAccessEvaluation } from './app/authzen/evaluate.js';
import { makeExpiryRecorder } from './app/pim/expiry.js';
import { makeApprovals } from './app/pim/approvals.js';
import { makeScheduleRequests } from './app/pim/schedule-requests.js';
import { makePimSchedules } from './app/pim/schedules.js';
import { makeRoleDefinitions } from './app/roles/role-definitions.js';
import { newId } from './domain/shared/ids.js';
import type { Clock } from './domain/time/clock.js';
import { buildApp, type App } from './http/app.js';
import type { Services } from './http/services.js';
import { createAuthorizationServer } from './identity/provider/authorization-server.js';
import { argon2Hasher } from './identity/password-hasher.js';
import { ensureActiveSigningKey } from './identity/tokens/signing-keys.js';
import { createTokenVerifier } from './identity/tokens/token-verifier.js';
import { cacheVerifiedTokens } from './identity/tokens/verified-token-cache.js';
import { webauthnRelyingParty } from './identity/passkeys/webauthn-relying-party.js';
import { auditKeyring } from './store/audit/audit-keyring.js';
import type { Db } from './store/db.js';
import {
  accountDirectory,
  clientDirectory,
  cookieSigningKeys,
  signingKeyStore,
} from './store/identity/identity-stores.js';
import { oidcModelAdapters } from './store/identity/oidc-model-store.js';
import { migrate, pendingMigrations } from './store/migrator.js';
import type { SecretBox } from './store/secret-box.js';
import { createUnitOfWork } from './store/unit-of-work.js';
import { randomUUID } from 'node:crypto';
import { makeAuditForwarder } from './app/audit-export/forwarder.js';
import { makeRangeExport } from './app/audit-export/range-export.js';
import { makeAuditRetention } from './app/audit-export/retention.js';
import { makeComplianceReport, type ComplianceReporter } from './app/compliance/compliance-report.js';
import type { AuditDestination } from './config/audit-forward.js';
import type { TrustedIssuerConfig } from './config/trusted-issuers.js';
import { makeFederatedSignIn } from './app/federation/federated-sign-in.js';
import { UnauthenticatedError } from './domain/shared/errors.js';
import { withTrustedIssuers } from './identity/federation/federated-token-verifier.js';
import { setUpTrustedIssuers } from './identity/federation/trusted-issuer-setup.js';
import {
  createAuditForwarderJob,
  DEFAULT_AUDIT_FORWARD_INTERVAL_MS,
  forwardTargets,
  type AuditForwarderJob,
} from './jobs/audit-forwarder.js';
import { auditPruneStore, chainReader, exportCursorStore } from './store/audit/audit-export-store.js';
import {
  createExpirySweeper,
  DEFAULT_EXPIRY_SWEEP_INTERVAL_MS,
  type ExpirySweeper,
} from './jobs/expiry-sweeper.js';

export interface ElevateOptions {
  db: Db;
  box: SecretBox;
  clock: Clock;
  logger: Logger | false;
  publicUrl: string;
  accessTokenTtlSeconds: number;
  bootstrapAdminUpn: string;
  /** How often to sign audit checkpoints in the background; 0 turns it off. Default 15 minutes. */
  auditCheckpointIntervalMs?: number;
  /** How often the PIM expiry sweeper runs; 0 turns it off. Default 1 second. */
  expirySweepIntervalMs?: number;
  /** SIEM destinations the audit log is forwarded to (none by default). */
  auditForward?: readonly AuditDestination[];
  /** Pause between forwarding runs; 0 turns the timer off (tests call `runOnce`). Default 5 s. */
  auditForwardIntervalMs?: number;
  /** A role-assignable group whose members are break-glass accounts (the compliance report). */
  breakGlassGroupId?: string | null;
  /** Audit retention in days; 0 (default) keeps everything. Runs after forwarding, hourly at most. */
  auditRetentionDays?: number;
  /** Redirect URIs of Elevate's own public client; default `<publicUrl>/portal/callback`. */
  portalRedirectUris?: string[];
  /** External OpenID Connect issuers whose users sign in and whose access tokens are accepted. */
  trustedIssuers?: readonly TrustedIssuerConfig[];
}

export interface Elevate {
  app: App;
  /** Credentials created by this start's first-run bootstrap, or undefined on later starts. */
  bootstrapped: BootstrapResult | undefined;
  /** Reading, verifying and checkpointing the audit log (the CLI and tests use it directly). */
  audit: AuditLog;
  /** Records PIM expiries (status, audit); runs on an interval, and tests call `runOnce`. */
  sweeper: ExpirySweeper;
  /** Forwards the audit log to the configured SIEM destinations. */
  forwarder: AuditForwarderJob;
  /** The compliance evidence report (the CLI and tests use it directly). */
  compliance: ComplianceReporter;
}

/**
 * Wires one Elevate instance over an open database: migrations, first-run bootstrap, signing keys,
 * use cases, the authorization server and the HTTP app. `main.ts` adds configuration, logging,
 * listening and shutdown; tests call this directly.
 */
export async function createElevate(o: ElevateOptions): Promise<Elevate> {
  await migrate(o.db, { clock: o.clock });
  const uow = createUnitOfWork(o.db);
  const hasher = argon2Hasher();
  const bootstrapped = await bootstrap({ uow, clock: o.clock, newId, hasher, adminUpn: o.bootstrapAdminUpn });

  const relyingParty = webauthnRelyingParty(o.publicUrl);
  const keys = signingKeyStore(o.db.kysely, o.box);
  await ensureActiveSigningKey(keys, o.clock);
  const tenants = await uow.run(async (tx) => {
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
  const federation = makeFederatedSignIn({ uow, clock: o.clock, newId });
  const authServer = createAuthorizationServer({
    issuer: o.publicUrl,
    clients: clientDirectory(o.db.kysely),
    activeRoles: makeActiveRoleTemplates({ uow }),
    keys,
    clock: o.clock,
    accessTokenTtlSeconds: o.accessTokenTtlSeconds,
    signIn: {
      accounts: accountDirectory(o.db.kysely),
      steps: makeSignIn({ uow, clock: o.clock, hasher, sealer: o.box, relyingParty }),
      artifacts: oidcModelAdapters(o.db.kysely, o.clock),
      cookieKeys: await cookieSigningKeys(o.db.kysely, o.box, o.clock.now()),
      redirectUris: o.portalRedirectUris ?? [`${o.publicUrl}/portal/callback`],
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
  const resolveCaller = makeCallerResolver({ uow });
  const deps = { uow, clock: o.clock, newId };
  const audit = makeAuditLog({ uow, clock: o.clock, keyring: auditKeyring(o.db.kysely, o.box) });

  const cursors = exportCursorStore(o.db.kysely);
  const compliance = makeComplianceReport({
    uow,
    clock: o.clock,
    audit,
    cursors,
    destinations: (o.auditForward ?? []).map((d) => ({
      id: d.id,
      type: d.type === 'file' ? 'file' : `syslog-${d.transport}`,
    })),
    breakGlassGroupId: o.breakGlassGroupId ?? null,
  });

  const services: Services = {
    async authenticate(authorization, ctx) {
      const claims = await verifier.verify(authorization);
      let objectId = claims.objectId;
      const issuer = claims.external && trusted.policies.get(claims.external.issuerId);
      if (issuer) {
        // A trusted issuer's token: the linked directory user (linked now on first sight).
        const userId = await federation.apiUser(issuer, claims.raw, {
          ip: ctx.ip ?? '',
          userAgent: ctx.userAgent,
        });
        if (userId === undefined)
          throw new UnauthenticatedError('The principal of this token is disabled or no longer exists.');
        objectId = userId;
      }
      return resolveCaller(
        {
          kind: claims.kind,
          tenantId: claims.tenantId,
          objectId,
          appId: claims.appId ?? null,
          roles: claims.roles,
          amr: claims.amr ?? [],
          authTime: claims.authTime ?? null,
        },
        ctx,
      );
    },
    async ready() {
      try {
        const pending = await pendingMigrations(o.db);
        return pending.length === 0 ? { ready: true } : { ready: false, reason: 'migrations pending' };
      } catch {
        return { ready: false, reason: 'database unreachable' };
      }
    },
    users: makeUsers({ ...deps, hasher }),
    groups: makeGroups(deps),
    servicePrincipals: makeServicePrincipals(deps),
    roleDefinitions: makeRoleDefinitions(deps),
    roleAssignments: makeRoleAssignments(deps),
    audit,
    rolePolicies: makeRolePolicies(deps),
    scheduleRequests: makeScheduleRequests(deps),
    approvals: makeApprovals(deps),
    pimSchedules: makePimSchedules(deps),
    accessEvaluation: makeAccessEvaluation(deps),
    compliance,
    auditExport: makeRangeExport({ uow, clock: o.clock, chains: chainReader(o.db.kysely) }),
    factors: makeFactors({ ...deps, sealer: o.box, issuerName: 'Elevate' }),
    authenticationMethods: makeAuthenticationMethods({ ...deps, relyingParty }),
  };

  const app = await buildApp({
    clock: o.clock,
    logger: o.logger,
    publicUrl: o.publicUrl,
    services,
    registerAuthorizationServer: (a) => authServer.registerAuthorizationRoutes(a),
  });
  const interval = o.auditCheckpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
  if (interval > 0) {
    const schedule = scheduleCheckpoints(audit, interval, (err, tenantId) => {
      if (o.logger) o.logger.error({ err, tenantId }, 'audit checkpoint failed');
    });
    app.addHook('onClose', async () => schedule.stop());
  }
  const sweeper = createExpirySweeper({
    recorder: makeExpiryRecorder({ uow }),
    clock: o.clock,
    intervalMs: o.expirySweepIntervalMs ?? DEFAULT_EXPIRY_SWEEP_INTERVAL_MS,
    onError: (err) => {
      if (o.logger) o.logger.error({ err }, 'PIM expiry sweep failed');
    },
  });
  if ((o.expirySweepIntervalMs ?? DEFAULT_EXPIRY_SWEEP_INTERVAL_MS) > 0) {
    sweeper.start();
    app.addHook('onClose', async () => sweeper.stop());
  }
  const retentionDays = o.auditRetentionDays ?? 0;
  const retention =
    retentionDays > 0
      ? makeAuditRetention({
          uow,
          clock: o.clock,
          audit,
          keyring: auditKeyring(o.db.kysely, o.box),
          cursors,
          prune: auditPruneStore(o.db.kysely),
          destinationIds: (o.auditForward ?? []).map((d) => d.id),
          retentionDays,
        })
      : undefined;
  const forwarder = createAuditForwarderJob({
    forwarder: makeAuditForwarder({
      chains: chainReader(o.db.kysely),
      cursors,
      clock: o.clock,
      targets: forwardTargets(o.auditForward ?? []),
      replicaId: randomUUID(),
    }),
    intervalMs: o.auditForwardIntervalMs ?? DEFAULT_AUDIT_FORWARD_INTERVAL_MS,
    ...(retention ? { retention } : {}),
    onError: (err, destinationId, tenantId) => {
      if (o.logger) o.logger.error({ err, destinationId, tenantId }, 'audit forwarding failed');
    },
  });
  if (
    (o.auditForward ?? []).length > 0 &&
    (o.auditForwardIntervalMs ?? DEFAULT_AUDIT_FORWARD_INTERVAL_MS) > 0
  )
    forwarder.start();
  app.addHook('onClose', async () => forwarder.stop());
  return { app, bootstrapped, audit, sweeper, forwarder, compliance };
}

/**
 * Writes first-run credentials once to `<dataDir>/bootstrap-credentials.json` with mode 0600.
 * The secrets never reach the log; the log names only the file.
 */
export function writeBootstrapFile(dataDir: string, result: BootstrapResult, publicUrl: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'bootstrap-credentials.json');
  const body = {
    note: 'Created once by Elevate on first start. Store these secrets elsewhere and delete this file.',
    tenantId: result.tenantId,
    tokenEndpoint: `${publicUrl}/${result.tenantId}/oauth2/v2.0/token`,
    scope: `${publicUrl}/.default`,
    administrator: {
      userPrincipalName: result.admin.userPrincipalName,
      oneTimePassword: result.admin.oneTimePassword,
      mustChangeAtFirstSignIn: true,
    },
    application: {
      clientId: result.app.clientId,
      clientSecret: result.app.clientSecret,
      servicePrincipalId: result.app.servicePrincipalId,
      secretExpires: new Date(result.app.secretExpires).toISOString(),
      permissions: result.app.permissions,
    },
  };
  writeFileSync(path, JSON.stringify(body, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return path;
}
