import { existsSync, mkdirSync } from 'node:fs';
import { createLogger } from './http/logger.js';
import { defaultPortalDir } from './http/portal.js';
import { bootstrapFilePath, writeBootstrapFile } from './app/bootstrap/credentials-file.js';
import { createElevate } from './compose.js';
import { resolveDataKey } from './config/data-key.js';
import { ConfigError, loadConfig } from './config/load.js';
import { systemClock } from './domain/time/clock.js';
import { openDatabase } from './store/db.js';
import { createSecretBox } from './store/secret-box.js';

/** Secrets and tokens never reach the log. */

/** The composition root: configuration → database → Elevate → listen; SIGTERM closes gracefully. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // The data folder holds the data key, the bootstrap credentials and (by default) the SQLite
  // database: only the server's own user may list or read it.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const dataKey = resolveDataKey(config);
  if (dataKey.generated)
    logger.warn(
      { dataDir: config.dataDir },
      'using a data key generated into the data folder; set ELEVATE_DATA_KEY in production',
    );
  const db = openDatabase(config.databaseUrl, { pgPreparedStatements: config.pgPreparedStatements });
  const { app, bootstrapped } = await createElevate({
    db,
    box: createSecretBox(dataKey.key),
    clock: systemClock,
    logger,
    publicUrl: config.publicUrl,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    bootstrapAdminUpn: config.bootstrapAdminUpn,
    auditForward: config.auditForward,
    auditForwardIntervalMs: config.auditForwardIntervalMs,
    breakGlassGroupId: config.breakGlassGroupId ?? null,
    auditRetentionDays: config.auditRetentionDays,
    auditCheckpointIntervalMs: config.auditCheckpointIntervalMs,
    ...(config.auditWitnessFile ? { auditWitnessFile: config.auditWitnessFile } : {}),
    ...(config.auditWitnessUrl ? { auditWitnessUrl: config.auditWitnessUrl } : {}),
    trustedIssuers: config.trustedIssuers,
    trustedProxies: config.trustedProxies ?? [],
    rateLimits: { graph: config.rateLimit, authzen: config.authzenRateLimit },
    auditRefusalWindowMs: config.auditRefusalWindowSeconds * 1000,
    sqliteGroupCommit: { maxMembers: config.sqliteGroupCommitMax },
    ...(config.tlsCertFile !== undefined && config.tlsKeyFile !== undefined
      ? { tls: { certFile: config.tlsCertFile, keyFile: config.tlsKeyFile } }
      : {}),
    requireMfaRegistration: config.requireMfaRegistration,
    portalDir: defaultPortalDir(),
    endingSoon: {
      activationMs: config.activationEndingSoonMinutes * 60_000,
      otherMs: config.expiringSoonDays * 24 * 3_600_000,
    },
    notifications: {
      allowHttpWebhooks: config.notificationsAllowHttp,
      worker: { retry: { baseDelayMs: config.notificationsRetrySeconds * 1000 } },
    },
    connectors: { driftIntervalMs: config.connectorDriftSeconds * 1000 },
    ssf: { allowHttp: config.ssfAllowHttp },
    outbound: { allowNetworks: config.outboundAllowNetworks ?? [] },
    alertScanSpacingMs: config.alertScanSpacingSeconds * 1000,
    ...(config.metricsToken === undefined ? {} : { metricsToken: config.metricsToken }),
  });
  if (bootstrapped) {
    const { path, kept } = writeBootstrapFile(config.dataDir, bootstrapped, config.publicUrl);
    if (kept !== undefined) {
      logger.warn(
        { kept },
        `an earlier ${path} (from another database) was kept as ${kept}; the new credentials are in ${path}`,
      );
    }
    // What a newcomer does next, in the line they read first; never a secret.
    const guide = 'docs/getting-started.md';
    const apiDocs = `${config.publicUrl}/docs`;
    logger.info(
      {
        path,
        tokenEndpoint: `${config.publicUrl}/${bootstrapped.tenantId}/oauth2/v2.0/token`,
        firstCall: `GET ${config.publicUrl}/v1.0/roleManagement/directory/roleDefinitions`,
        guide,
        apiDocs,
      },
      `first run: administrator and bootstrap application created; credentials written once to ${path} (mode 0600). ` +
        `Next: get a token with the application's clientId and clientSecret from that file and list the role ` +
        `definitions, as README.md "Your first API call" shows; guide: ${guide}; API docs: ${apiDocs}. ` +
        'Then move the secrets to your secret manager and delete the file.',
    );
  } else if (existsSync(bootstrapFilePath(config.dataDir))) {
    const path = bootstrapFilePath(config.dataDir);
    logger.warn(
      { path },
      `${path} still holds the first-run secrets (the administrator's one-time password, the application's ` +
        'client secret): move them to your secret manager and delete the file',
    );
  }
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    void app
      .close()
      .then(() => db.close())
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await app.listen({ host: config.host, port: config.port });
  logger.info({ url: config.publicUrl, database: db.dialect }, 'Elevate is listening');
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `Elevate failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
