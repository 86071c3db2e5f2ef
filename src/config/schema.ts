import { z } from 'zod';
import { auditForwardSetting } from './audit-forward.js';
import { rateLimitSetting } from './rate-limit.js';
import { outboundAllowNetworksSetting } from './outbound-networks.js';
import { trustedProxiesSetting } from './trusted-proxies.js';
import { trustedIssuersSetting } from './trusted-issuers.js';

/**
 * Every setting Elevate reads, with its environment variable, default and meaning.
 * The README's configuration table is generated from this list (see `test/config/readme.test.ts`).
 */
export const SETTINGS = [
  {
    env: 'ELEVATE_HOST',
    key: 'host',
    secret: false,
    default: '127.0.0.1',
    doc: 'Interface the HTTP server binds to.',
  },
  {
    env: 'ELEVATE_PORT',
    key: 'port',
    secret: false,
    default: '8080',
    doc: 'TCP port of the HTTP server.',
  },
  {
    env: 'ELEVATE_PUBLIC_URL',
    key: 'publicUrl',
    secret: false,
    default: 'http://{host}:{port}',
    doc: 'Base URL clients use; token issuer and audience. Set it behind a proxy or TLS terminator. `https://{host}:{port}` when Elevate serves TLS itself.',
  },
  {
    env: 'ELEVATE_TLS_CERT_FILE',
    key: 'tlsCertFile',
    secret: false,
    default: '(none)',
    doc: 'PEM file with the server certificate (its chain may follow). With `ELEVATE_TLS_KEY_FILE` (both or neither), Elevate serves HTTPS itself, and a renewed pair written to the same paths is picked up within 10 seconds without restart (a pair that does not fit is logged and the working one kept). See docs/sdks.md.',
  },
  {
    env: 'ELEVATE_TLS_KEY_FILE',
    key: 'tlsKeyFile',
    secret: false,
    default: '(none)',
    doc: "PEM file with the unencrypted private key of `ELEVATE_TLS_CERT_FILE`; make it readable by the server's user only.",
  },
  {
    env: 'DATABASE_URL',
    key: 'databaseUrl',
    secret: true,
    default: 'sqlite:./data/elevate.db',
    doc: '`sqlite:<path>` (embedded default) or `postgres://user:pass@host:5432/db`.',
  },
  {
    env: 'ELEVATE_SQLITE_GROUP_COMMIT_MAX',
    key: 'sqliteGroupCommitMax',
    secret: false,
    default: '32',
    doc: 'SQLite only: how many concurrent use cases may share one durable commit, each in its own savepoint, answered only after that commit (1–1000; `1` commits each use case alone). See docs/adr/0050-sqlite-group-commit.md.',
  },
  {
    env: 'ELEVATE_PG_PREPARED_STATEMENTS',
    key: 'pgPreparedStatements',
    secret: false,
    default: '500',
    doc: 'PostgreSQL only: how many distinct statements run as named prepared statements, parsed and planned once per connection (0–10000; `0` for a connection pooler that cannot keep them, such as PgBouncer before 1.21 in transaction mode). See docs/adr/0055-postgresql-prepared-statements.md.',
  },
  {
    env: 'ELEVATE_DATA_DIR',
    key: 'dataDir',
    secret: false,
    default: './data',
    doc: 'Folder for the generated data key and bootstrap credentials.',
  },
  {
    env: 'ELEVATE_DATA_KEY',
    key: 'dataKey',
    secret: true,
    default: '(generated into the data folder on first run)',
    doc: 'Base64 of 32 random bytes; encrypts secrets at rest (signing keys, TOTP seeds, connector credentials).',
  },
  {
    env: 'ELEVATE_PRODUCTION',
    key: 'production',
    secret: false,
    default: 'false',
    doc: 'When true, refuse to start with a generated data key or a non-HTTPS public URL (other than localhost).',
  },
  {
    env: 'ELEVATE_LOG_LEVEL',
    key: 'logLevel',
    secret: false,
    default: 'info',
    doc: 'pino log level: fatal, error, warn, info, debug, trace, silent.',
  },
  {
    env: 'ELEVATE_ACCESS_TOKEN_TTL_SECONDS',
    key: 'accessTokenTtlSeconds',
    secret: false,
    default: '600',
    doc: 'Lifetime of access tokens (60–3600). Short, so an ended role leaves tokens quickly.',
  },
  {
    env: 'ELEVATE_BOOTSTRAP_ADMIN_UPN',
    key: 'bootstrapAdminUpn',
    secret: false,
    default: 'admin@elevate.local',
    doc: 'User principal name of the administrator created on first run.',
  },
  {
    env: 'ELEVATE_AUDIT_FORWARD',
    key: 'auditForward',
    secret: true,
    default: '[]',
    doc: 'SIEM destinations for the audit log, a JSON array: `{"id","type":"file","path","format":"json"|"cef"}` or `{"id","type":"syslog","transport":"tcp"|"udp"|"tls","host","port","format","caFile","certFile","keyFile"}`. See docs/audit-export.md.',
  },
  {
    env: 'ELEVATE_AUDIT_FORWARD_INTERVAL_MS',
    key: 'auditForwardIntervalMs',
    secret: false,
    default: '5000',
    doc: 'Pause between audit forwarding runs (100–3600000).',
  },
  {
    env: 'ELEVATE_AUDIT_RETENTION_DAYS',
    key: 'auditRetentionDays',
    secret: false,
    default: '0',
    doc: 'Delete audit entries older than this many days (0 = keep forever), only once every audit forwarding destination has them; a signed prune record keeps the rest verifiable.',
  },
  {
    env: 'ELEVATE_AUDIT_CHECKPOINT_INTERVAL_MS',
    key: 'auditCheckpointIntervalMs',
    secret: false,
    default: '60000',
    doc: 'How often each audit chain that moved gets a signed checkpoint (1000–3600000); a last one is signed at graceful shutdown. Every checkpoint is published to the SIEM destinations and witnesses. See docs/audit.md.',
  },
  {
    env: 'ELEVATE_AUDIT_WITNESS_FILE',
    key: 'auditWitnessFile',
    secret: false,
    default: '(none)',
    doc: 'File every signed audit checkpoint is appended to, one JSON line each (keep it on other storage than the database); `elevate audit verify --checkpoints FILE` checks the database against it.',
  },
  {
    env: 'ELEVATE_AUDIT_WITNESS_URL',
    key: 'auditWitnessUrl',
    secret: true,
    default: '(none)',
    doc: 'URL every signed audit checkpoint is POSTed to as JSON (2xx = kept); retried from where it stopped until accepted.',
  },
  {
    env: 'ELEVATE_BREAK_GLASS_GROUP_ID',
    key: 'breakGlassGroupId',
    secret: false,
    default: '(none)',
    doc: 'Deprecated: mark accounts with `POST /v1.0/elevate/breakGlassAccounts` instead. Id of a role-assignable group whose user members are exempt in the compliance report (their use is not monitored).',
  },
  {
    env: 'ELEVATE_TRUSTED_ISSUERS',
    key: 'trustedIssuers',
    secret: true,
    default: '[]',
    doc: 'External OpenID Connect issuers (Entra ID, Okta, Keycloak…) whose users sign in and whose access tokens the API accepts, a JSON array: `{"id","displayName","issuer","audience","clientId","clientSecret","userClaim","tenantId","onFirstSignIn":"link"|"create","groupsClaim","groupMap","mfaAmrValues","mfaAcrValues"}`. See docs/identity.md.',
  },
  {
    env: 'ELEVATE_TRUSTED_PROXIES',
    key: 'trustedProxies',
    secret: false,
    default: '(none)',
    doc: 'Reverse proxies and load balancers in front of Elevate, comma-separated IP addresses or CIDR ranges (`10.0.0.0/8,fd00::/8`, or `loopback`). Only from these peers is `X-Forwarded-For` believed for the client address (sign-in throttling, audit, rate limits); with none, it is the TCP peer. See docs/security.md.',
  },
  {
    env: 'ELEVATE_RATE_LIMIT',
    key: 'rateLimit',
    secret: false,
    default: '100,1000',
    doc: 'Authenticated Graph API calls per principal: `<requests per second>,<burst>` (token bucket, counted per process), or `off`. Over it: 429 `TooManyRequests` with `Retry-After`. See docs/security.md.',
  },
  {
    env: 'ELEVATE_AUTHZEN_RATE_LIMIT',
    key: 'authzenRateLimit',
    secret: false,
    default: '2000,20000',
    doc: 'The same for AuthZEN evaluations (`/access/v1/…`) per calling principal; higher, since an enforcement point asks for every request it serves.',
  },
  {
    env: 'ELEVATE_AUDIT_REFUSAL_WINDOW_SECONDS',
    key: 'auditRefusalWindowSeconds',
    secret: false,
    default: '60',
    doc: 'Identical refusals (same principal, address, activity, targets, reason) within this many seconds are audited once, then in one summary entry with their exact count and first and last time (0–3600; 0 audits every one). See docs/adr/0017-aggregated-refusals.md.',
  },
  {
    env: 'ELEVATE_REQUIRE_MFA_REGISTRATION',
    key: 'requireMfaRegistration',
    secret: false,
    default: 'true',
    doc: 'A person who holds or may activate a privileged role (or a role whose activation requires MFA) and has no second factor must register an authenticator app at sign-in before it completes; the bootstrap administrator included. `false` lets them finish with a password alone. See docs/identity.md.',
  },
  {
    env: 'ELEVATE_ACTIVATION_ENDING_SOON_MINUTES',
    key: 'activationEndingSoonMinutes',
    secret: false,
    default: '15',
    doc: 'How many minutes before an activation ends its holder is told, once per end (0–1440; 0 turns it off). See docs/notifications.md.',
  },
  {
    env: 'ELEVATE_EXPIRING_SOON_DAYS',
    key: 'expiringSoonDays',
    secret: false,
    default: '14',
    doc: 'How many days before an eligibility, or an active assignment an administrator made, ends its principal is told, once per end (0–365; 0 turns it off).',
  },
  {
    env: 'ELEVATE_NOTIFICATIONS_ALLOW_HTTP',
    key: 'notificationsAllowHttp',
    secret: false,
    default: 'false',
    doc: 'Accept plain `http://` webhook and decision hook URLs (receivers on a trusted network, development); otherwise only `https://`. See docs/notifications.md.',
  },
  {
    env: 'ELEVATE_SSF_ALLOW_HTTP',
    key: 'ssfAllowHttp',
    secret: false,
    default: 'false',
    doc: 'Accept plain `http://` Shared Signals receiver endpoints (a trusted network, development); otherwise only `https://`. See docs/ssf.md.',
  },
  {
    env: 'ELEVATE_OUTBOUND_ALLOW_NETWORKS',
    key: 'outboundAllowNetworks',
    secret: false,
    default: '(none)',
    doc: 'Non-public networks that URLs set through the API (webhooks, Slack and Teams channels, decision hooks, Shared Signals receivers, webhook and SCIM connectors) may reach, comma-separated IP addresses or CIDR ranges (`10.20.0.0/16,fd00::/8`). With none, Elevate calls only public addresses: loopback, private, link-local (cloud metadata) and reserved addresses are refused, also when a name resolves to one. See docs/security.md.',
  },
  {
    env: 'ELEVATE_NOTIFICATIONS_RETRY_SECONDS',
    key: 'notificationsRetrySeconds',
    secret: false,
    default: '30',
    doc: 'Pause after a failed notification delivery before the next attempt (1–3600 seconds); it doubles after each further failure, up to an hour, with jitter. See docs/notifications.md.',
  },
  {
    env: 'ELEVATE_CONNECTOR_DRIFT_SECONDS',
    key: 'connectorDriftSeconds',
    secret: false,
    default: '60',
    doc: 'How often every connector compares its target with what Elevate holds and repairs drift (0–86400; 0 turns the poll off: starts, ends and events still reconcile at once). See docs/connectors.md.',
  },
  {
    env: 'ELEVATE_ALERT_SCAN_SPACING_SECONDS',
    key: 'alertScanSpacingSeconds',
    secret: false,
    default: '60',
    doc: "Least time between two scans of a tenant's PIM security alerts after changes (0–86400; 0 scans after every burst at once): changes within it are covered by one scan at its end. See docs/alerts.md.",
  },
  {
    env: 'ELEVATE_METRICS_TOKEN',
    key: 'metricsToken',
    secret: true,
    default: '(none)',
    doc: 'Bearer token `/metrics` (Prometheus: connector effective times, reconcile errors, drift) asks for, 16 to 512 characters; without it `/metrics` answers 404. See docs/connectors.md.',
  },
  {
    env: 'ELEVATE_CONFIG_FILE',
    key: 'configFile',
    secret: false,
    default: '(none)',
    doc: 'Optional JSON file with any of these keys (by variable name); the environment wins over the file.',
  },
] as const;

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** The validated configuration object. `main.ts` is the only reader. */
export const configSchema = z
  .object({
    host: z.string().min(1).max(255),
    port: z.coerce.number().int().min(1).max(65535),
    publicUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional(),
    tlsCertFile: z.string().min(1).max(4096).optional(),
    tlsKeyFile: z.string().min(1).max(4096).optional(),
    databaseUrl: z
      .string()
      .max(4096)
      .refine((v) => v.startsWith('sqlite:') || /^postgres(ql)?:\/\//.test(v), {
        message: 'must start with sqlite: or postgres://',
      }),
    dataDir: z.string().min(1).max(4096),
    dataKey: z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, {
        message: 'must be base64 of exactly 32 bytes',
      })
      .optional(),
    production: bool,
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    accessTokenTtlSeconds: z.coerce.number().int().min(60).max(3600),
    bootstrapAdminUpn: z.string().regex(/^[^@\s]{1,64}@[^@\s]{1,189}$/, 'must look like name@domain'),
    auditForward: auditForwardSetting,
    breakGlassGroupId: z
      .string()
      .regex(
        /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
        'must be a GUID',
      )
      .transform((v) => v.toLowerCase())
      .optional(),
    auditRetentionDays: z.coerce.number().int().min(0).max(36_500),
    auditForwardIntervalMs: z.coerce.number().int().min(100).max(3_600_000),
    auditCheckpointIntervalMs: z.coerce.number().int().min(1_000).max(3_600_000),
    auditWitnessFile: z.string().min(1).max(4096).optional(),
    auditWitnessUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional(),
    trustedIssuers: trustedIssuersSetting,
    trustedProxies: trustedProxiesSetting.optional(),
    rateLimit: rateLimitSetting,
    authzenRateLimit: rateLimitSetting,
    auditRefusalWindowSeconds: z.coerce.number().int().min(0).max(3600),
    sqliteGroupCommitMax: z.coerce.number().int().min(1).max(1000),
    pgPreparedStatements: z.coerce.number().int().min(0).max(10_000),
    requireMfaRegistration: bool,
    activationEndingSoonMinutes: z.coerce.number().int().min(0).max(1440),
    expiringSoonDays: z.coerce.number().int().min(0).max(365),
    notificationsAllowHttp: bool,
    ssfAllowHttp: bool,
    outboundAllowNetworks: outboundAllowNetworksSetting.optional(),
    notificationsRetrySeconds: z.coerce.number().int().min(1).max(3600),
    connectorDriftSeconds: z.coerce.number().int().min(0).max(86_400),
    alertScanSpacingSeconds: z.coerce.number().int().min(0).max(86_400),
    metricsToken: z.string().min(16).max(512).optional(),
  })
  .strict();

export type Config = z.infer<typeof configSchema> & { publicUrl: string };
