import type {
  Connector,
  ConnectorLogin,
  ConnectorMapping,
  ConnectorSettings,
  ConnectorType,
} from '../../domain/connectors/connector.js';
import type { ActualGrant, TargetGrantRecord } from '../../domain/connectors/grant.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import type { Page } from '../ports.js';

/** A holding of a mapped source at `now`: who, through which schedule, since when. */
export interface SourceHolder {
  principalId: string;
  userPrincipalName: string;
  scheduleId: string | null;
  /** The request that created the schedule, if any. */
  requestId: string | null;
  /** When the schedule started holding (or was created, if later). */
  since: number | null;
}

/** The counts of one reconcile. */
export interface ReconcileCounts {
  granted: number;
  revoked: number;
  driftRepaired: number;
  unmanaged: number;
}

/** What the last reconcile of a connector did, whichever replica ran it. */
export interface ConnectorStatus {
  lastRunAt: number | null;
  lastSuccessAt: number | null;
  /** Runs in a row that failed (0 after a success). */
  failures: number;
  lastError: string | null;
  /** The last run's counts; for a failed run, what it did before failing (or null). */
  lastResult: ReconcileCounts | null;
}

/** How a run ended, recorded when the reconciler gives the connector's lease back. */
export type ReconcileOutcome =
  { at: number; result: ReconcileCounts } | { at: number; error: string; partial: ReconcileCounts | null };

export interface ConnectorStore {
  list(tenantId: string, q: CollectionQuery): Promise<Page<Connector>>;
  /** The status of the given connectors (those never run are absent). */
  statuses(connectorIds: readonly string[]): Promise<Map<string, ConnectorStatus>>;
  get(tenantId: string, id: string): Promise<Connector | undefined>;
  count(tenantId: string): Promise<number>;
  insert(c: Connector): Promise<void>;
  /** Compare-and-set on `version`. @throws ConflictError */
  update(c: Connector, expectedVersion: number): Promise<void>;
  /** Deletes the connector with its mappings (its grant records stay, as history). */
  delete(tenantId: string, id: string): Promise<boolean>;
  /** Every enabled connector of every tenant: what the reconcilers run for. */
  allEnabled(): Promise<Connector[]>;

  mappings(tenantId: string, connectorId: string): Promise<ConnectorMapping[]>;
  mapping(tenantId: string, connectorId: string, id: string): Promise<ConnectorMapping | undefined>;
  insertMapping(m: ConnectorMapping): Promise<void>;
  deleteMapping(tenantId: string, connectorId: string, id: string): Promise<boolean>;

  /** The connector's explicit logins, by user (only these users' when `among` is given). */
  logins(tenantId: string, connectorId: string, among?: readonly string[]): Promise<ConnectorLogin[]>;
  login(tenantId: string, connectorId: string, principalId: string): Promise<ConnectorLogin | undefined>;
  /** The explicit login of the connector that `login` is, whoever has it. */
  loginNamed(tenantId: string, connectorId: string, login: string): Promise<ConnectorLogin | undefined>;
  /** Inserts or replaces the user's explicit login. */
  putLogin(l: ConnectorLogin): Promise<void>;
  deleteLogin(tenantId: string, connectorId: string, principalId: string): Promise<boolean>;

  /**
   * Users holding the mapping's source at `now` (`start <= now < end`, never waiting for the
   * sweeper): directly, or as members (standing or active PIM) of a group that holds it. With
   * `among`, only those users (an incremental reconcile, ADR 0045): no other holder is read.
   */
  holders(m: ConnectorMapping, now: number, among?: readonly string[]): Promise<SourceHolder[]>;
  /**
   * The first start or end after `now` of a schedule that can change the holders of the mappings:
   * when the reconciler must look again. Null when none is ahead.
   */
  nextChange(mappings: readonly ConnectorMapping[], now: number): Promise<number | null>;
  /**
   * The principals of schedules that can change the holders of the mappings (as `nextChange`
   * reads them) and started or ended in `(after, upTo]`: whom the instants the reconciler's timer
   * waits for concern.
   */
  changedBetween(
    mappings: readonly ConnectorMapping[],
    after: number,
    upTo: number,
  ): Promise<{ principalId: string; principalType: string }[]>;
  /** When the schedule ends (null: no end, or no such schedule). */
  scheduleEnd(tenantId: string, scheduleId: string): Promise<number | null>;
  /** When the request was made, for the effective-time record. */
  requestedAt(tenantId: string, requestId: string): Promise<number | null>;
}

export interface TargetGrantStore {
  /**
   * The connector's records that are not revoked (`granting`, `granted`). With `among`, only the
   * records of those principals or of those logins (an incremental reconcile, ADR 0045).
   */
  owned(
    tenantId: string,
    connectorId: string,
    among?: { principalIds: readonly string[]; logins: readonly string[] },
  ): Promise<TargetGrantRecord[]>;
  /** Newest first; all states. */
  list(tenantId: string, connectorId: string, q: CollectionQuery): Promise<Page<TargetGrantRecord>>;
  /** Every record (all states) of the schedule, oldest first: what a schedule instance shows. */
  ofSchedule(tenantId: string, scheduleId: string): Promise<TargetGrantRecord[]>;
  insert(r: TargetGrantRecord): Promise<void>;
  /** Compare-and-set on `version`. @throws ConflictError */
  update(r: TargetGrantRecord, expectedVersion: number): Promise<void>;
}

/** One lease per connector, so one replica at a time reconciles it (ADR 0030). */
export interface ConnectorLeaseStore {
  /** Takes or renews the lease when free, expired or held by `holder`; true when held now. */
  claim(connectorId: string, holder: string, now: number, leaseMs: number): Promise<boolean>;
  /** Gives the lease back, recording how the run ended when it ran. */
  release(connectorId: string, holder: string, outcome?: ReconcileOutcome): Promise<void>;
}

declare module '../ports.js' {
  interface Stores {
    /** Connectors and their mappings (ADR 0030). */
    connectors: ConnectorStore;
    /** Grants Elevate made in target systems: ownership and effective times. */
    targetGrants: TargetGrantStore;
  }
}

/** Encrypts connector secrets at rest (the data key's SecretBox). */
export interface Sealer {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

/** What `test` found: ok, or the first problem in words an administrator can act on. */
export interface TargetCheck {
  ok: boolean;
  message: string;
}

/**
 * One change the reconciler asks of a target. `key` names the change, the same on every retry of
 * it and new for the next change of the same grant: targets reached over HTTP send it as the
 * idempotency key (ADR 0039).
 */
export interface TargetCall {
  key: string;
}

/**
 * The target as a whole failed (unreachable, timed out, refused Elevate's credentials, answered
 * 5xx): the reconcile stops and backs off, instead of trying every other change against it. A
 * plain error is one change the target refused; the others are still tried.
 */
export class TargetUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetUnavailableError';
  }
}

/**
 * A target system as a connector reaches it (`src/target-systems/`). Every call is idempotent:
 * granting what is there or revoking what is not succeeds.
 */
export interface TargetSystem {
  grant(g: ActualGrant, call?: TargetCall): Promise<void>;
  revoke(g: ActualGrant, call?: TargetCall): Promise<void>;
  /**
   * The members of each of these targets now; null when the target cannot say (a webhook without
   * a list endpoint): Elevate's own records of what it granted and has not revoked stand for it.
   */
  list(targets: readonly string[]): Promise<ActualGrant[] | null>;
  /**
   * The members of these targets among `logins` only: what a reconcile of a few users reads
   * (ADR 0045). Optional: without it the reconciler reads `list` and keeps those logins.
   */
  listFor?(targets: readonly string[], logins: readonly string[]): Promise<ActualGrant[] | null>;
  /** Ends the login's open sessions; how many. Optional: some targets have none to end. */
  endSessions?(login: string, call?: TargetCall): Promise<number>;
  /** Connectivity, credentials, privileges, and that each target exists. */
  test(targets: readonly string[]): Promise<TargetCheck>;
  close(): Promise<void>;
}

/** Opens a target system from a connector's settings and its opened secret. */
export type TargetSystemFactory = (
  type: ConnectorType,
  settings: ConnectorSettings,
  secret: string | null,
) => TargetSystem;

/** Where the reconciler reports its timings and counts (Prometheus, `src/connectors/metrics.ts`). */
export interface ConnectorMetrics {
  effective(connectorId: string, type: ConnectorType, seconds: number): void;
  revoked(connectorId: string, type: ConnectorType, seconds: number): void;
  reconcileError(connectorId: string, type: ConnectorType): void;
  driftFound(connectorId: string, type: ConnectorType, kind: 'removed' | 'unmanaged'): void;
}
