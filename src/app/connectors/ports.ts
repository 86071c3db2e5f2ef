import type {
  Connector,
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

export interface ConnectorStore {
  list(tenantId: string, q: CollectionQuery): Promise<Page<Connector>>;
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

  /**
   * Users holding the mapping's source at `now` (`start <= now < end`, never waiting for the
   * sweeper): directly, or as members (standing or active PIM) of a group that holds it.
   */
  holders(m: ConnectorMapping, now: number): Promise<SourceHolder[]>;
  /**
   * The first start or end after `now` of a schedule that can change the holders of the mappings:
   * when the reconciler must look again. Null when none is ahead.
   */
  nextChange(mappings: readonly ConnectorMapping[], now: number): Promise<number | null>;
  /** When the schedule ends (null: no end, or no such schedule). */
  scheduleEnd(tenantId: string, scheduleId: string): Promise<number | null>;
  /** When the request was made, for the effective-time record. */
  requestedAt(tenantId: string, requestId: string): Promise<number | null>;
}

export interface TargetGrantStore {
  /** The connector's records that are not revoked (`granting`, `granted`). */
  owned(tenantId: string, connectorId: string): Promise<TargetGrantRecord[]>;
  /** Newest first; all states. */
  list(tenantId: string, connectorId: string, q: CollectionQuery): Promise<Page<TargetGrantRecord>>;
  insert(r: TargetGrantRecord): Promise<void>;
  /** Compare-and-set on `version`. @throws ConflictError */
  update(r: TargetGrantRecord, expectedVersion: number): Promise<void>;
}

/** One lease per connector, so one replica at a time reconciles it (ADR 0030). */
export interface ConnectorLeaseStore {
  /** Takes or renews the lease when free, expired or held by `holder`; true when held now. */
  claim(connectorId: string, holder: string, now: number, leaseMs: number): Promise<boolean>;
  release(connectorId: string, holder: string): Promise<void>;
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
 * A target system as a connector reaches it (`src/target-systems/`). Every call is idempotent:
 * granting what is there or revoking what is not succeeds.
 */
export interface TargetSystem {
  grant(g: ActualGrant): Promise<void>;
  revoke(g: ActualGrant): Promise<void>;
  /** The members of each of these targets now. */
  list(targets: readonly string[]): Promise<ActualGrant[]>;
  /** Ends the login's open sessions; how many. Optional: some targets have none to end. */
  endSessions?(login: string): Promise<number>;
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
