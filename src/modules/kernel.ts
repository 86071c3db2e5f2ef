import type { Logger } from 'pino';
import type { OutboundFetch } from '../net/outbound-fetch.js';
import type { AuditLog } from '../app/audit/audit-log.js';
import type { HoldingsLookup } from '../app/authzen/holdings.js';
import type { ExportCursorStore } from '../app/audit-export/ports.js';
import type { TargetSystemFactory } from '../app/connectors/ports.js';
import type { OutboxConsumer } from '../app/outbox/ports.js';
import type { UnitOfWork } from '../app/ports.js';
import type { PasswordHasher } from '../app/sign-in/sign-in.js';
import type { WebAuthnRelyingParty } from '../app/sign-in/method-ports.js';
import type { AuditDestination } from '../config/audit-forward.js';
import type { TlsFiles } from '../config/tls.js';
import type { TrustedIssuerConfig } from '../config/trusted-issuers.js';
import type { Clock } from '../domain/time/clock.js';
import type { ApiRateLimits } from '../http/rate-limit.js';
import type { Db } from '../store/db.js';
import type { SecretBox } from '../store/secret-box.js';
import type { GroupCommitObserver } from '../store/group-commit.js';
import type { HoldingsIndexOptions } from './holdings.js';

export interface ElevateOptions {
  db: Db;
  box: SecretBox;
  clock: Clock;
  logger: Logger | false;
  publicUrl: string;
  accessTokenTtlSeconds: number;
  bootstrapAdminUpn: string;
  /**
   * How often to sign audit checkpoints in the background; 0 turns it off (and the last one at
   * shutdown with it). Default 1 minute.
   */
  auditCheckpointIntervalMs?: number;
  /** File every signed checkpoint is appended to (JSON lines), outside the database. */
  auditWitnessFile?: string;
  /** URL every signed checkpoint is POSTed to, outside the database. */
  auditWitnessUrl?: string;
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
  /** The built portal served at `/` (`dist/web`); absent: no portal (tests that do not need it). */
  portalDir?: string;
  /** External OpenID Connect issuers whose users sign in and whose access tokens are accepted. */
  trustedIssuers?: readonly TrustedIssuerConfig[];
  /** Who reacts to domain events after commit (notifications, connectors), by name. */
  outboxConsumers?: readonly OutboxConsumer[];
  /** Pause between outbox relay runs when no commit nudges it; 0 turns the timer off. Default 1 s. */
  outboxRelayIntervalMs?: number;
  /**
   * How long a consumer's cursor may move in memory before it is written (ADR 0013). Default 1 s;
   * 0 writes every move (one durable write per message and consumer).
   */
  outboxCursorPersistMs?: number;
  /** Pause between scans of every tenant's PIM security alerts; 0 turns the timer off. Default 1 hour. */
  alertScanIntervalMs?: number;
  /**
   * Least time between two scans of a tenant's alerts after changes (the `alertScans` consumer);
   * changes within it are covered by one scan at its end. Default 60 s; 0 scans after each burst.
   */
  alertScanSpacingMs?: number;
  /** Pause between runs of the access review scheduler; 0 turns the timer off. Default 60 s. */
  accessReviewIntervalMs?: number;
  /** Reverse proxies whose X-Forwarded-For is believed (addresses, CIDR ranges); none by default. */
  trustedProxies?: readonly string[];
  /** Per-principal limits of authenticated API calls; default `DEFAULT_API_RATE_LIMITS`. */
  rateLimits?: ApiRateLimits;
  /**
   * Identical refusals by one principal within this window are recorded once, then summarised in
   * one entry; 0 records every one. Default 60 s.
   */
  auditRefusalWindowMs?: number;
  /** How often ended refusal windows are summarised; 0 turns the timer off (tests flush). Default 5 s. */
  auditRefusalFlushIntervalMs?: number;
  /**
   * Serve HTTPS with this certificate and key (PEM files), re-read every `reloadIntervalMs`
   * (default 10 s; 0 turns reloading off) and installed without restart when they change.
   */
  tls?: TlsFiles & { reloadIntervalMs?: number };
  /**
   * A person who holds or may activate a privileged role and holds no second factor registers one
   * at sign-in. Default true.
   */
  requireMfaRegistration?: boolean;
  /**
   * How long before its end a running schedule is announced to its holder (activations; other
   * schedules); 0 turns a kind off. Default 15 minutes and 14 days.
   */
  endingSoon?: { activationMs: number; otherMs: number };
  /**
   * SQLite: how many concurrent use cases may share one durable commit (ADR 0050; default
   * `DEFAULT_GROUP_COMMIT_MAX_MEMBERS`, 1 turns group commit off) and who hears of each batch.
   */
  sqliteGroupCommit?: { maxMembers?: number; observer?: GroupCommitObserver };
  /** The in-memory holdings index AuthZEN answers from (ADR 0031); on by default. */
  holdingsIndex?: HoldingsIndexOptions;
  /**
   * Connectors (docs/connectors.md, ADR 0030): how often every connector is compared with its
   * target for drift (0 turns the poll off; start, events and exact start/end times still
   * reconcile; default 60 s), the retry back-off after a failure (default 1 s doubling to 5 min),
   * and `off: true` to run no reconciler on this replica at all (the API still configures them).
   * `targets` opens the target systems (default: the built-in drivers, `src/target-systems/`): an
   * embedder's own drivers, or the real ones wrapped to count what is asked of them.
   */
  connectors?: {
    driftIntervalMs?: number;
    backoff?: { baseMs: number; maxMs: number };
    off?: boolean;
    targets?: TargetSystemFactory;
  };
  /**
   * The Shared Signals transmitter (ADR 0040): `allowHttp` accepts `http://` receiver endpoints
   * (`ELEVATE_SSF_ALLOW_HTTP`; https otherwise), the delivery worker's pause, back-off, attempts
   * and timeout; `off` stops the fan-out and the worker (streams can still be managed).
   */
  ssf?: {
    allowHttp?: boolean;
    workerIntervalMs?: number;
    backoff?: { baseMs: number; maxMs: number };
    maxAttempts?: number;
    timeoutMs?: number;
    off?: boolean;
  };
  /**
   * Outbound calls to URLs administrators configure through the API (webhooks, chat channels,
   * decision hooks, Shared Signals receivers, webhook and SCIM connectors; ADR 0052): only public
   * addresses, plus the networks in `allowNetworks` (`ELEVATE_OUTBOUND_ALLOW_NETWORKS`: addresses
   * or CIDR networks such as `10.0.0.0/8`).
   */
  outbound?: { allowNetworks?: readonly string[] };
  /**
   * The bearer token `/metrics` asks for (`ELEVATE_METRICS_TOKEN`); without one `/metrics` answers
   * 404, so metrics are never public by default.
   */
  metricsToken?: string;
}

/**
 * What every feature module is built from: the database and its unit of work, the clock, ids, the
 * data key, the configuration, and the few shared services several features use.
 */
export interface Kernel {
  options: ElevateOptions;
  db: Db;
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  box: SecretBox;
  hasher: PasswordHasher;
  relyingParty: WebAuthnRelyingParty;
  /** The audit log (its readers, verification, checkpoints). */
  audit: AuditLog;
  /** Per-destination positions of audit forwarding (export, compliance, retention read them). */
  cursors: ExportCursorStore;
  /** What each principal holds, in memory and exact in time (AuthZEN asks it first); off: undefined. */
  holdings?: HoldingsLookup | undefined;
  /** `fetch` for URLs administrators configure, guarded by the operator's address policy (ADR 0052). */
  outbound: OutboundFetch;
}
