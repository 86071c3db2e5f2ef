import type { BreakGlassAccount, BreakGlassUse } from '../../domain/alerts/break-glass.js';
import type { AlertName, AlertSettings } from '../../domain/alerts/definitions.js';
import type { AlertIncident, AlertSnapshot } from '../../domain/alerts/detectors.js';

/** One alert of a tenant as stored: its configuration and what the last scan found. */
export interface StoredAlert {
  tenantId: string;
  name: AlertName;
  isEnabled: boolean;
  settings: AlertSettings;
  isActive: boolean;
  incidents: AlertIncident[];
  lastScannedAt: number | null;
  lastModifiedAt: number | null;
  /** 0 for an alert never stored (it reads its defaults); saved with compare-and-set. */
  version: number;
}

/** Alert state per tenant, bound to the use case's transaction. */
export interface AlertStore {
  /** The stored alerts of the tenant (those never changed are absent). */
  list(tenantId: string): Promise<StoredAlert[]>;
  /**
   * Inserts (`expectedVersion` 0) or updates by compare-and-set on `version`.
   * @throws ConflictError when another transaction saved it first.
   */
  save(alert: StoredAlert, expectedVersion: number): Promise<void>;
}

/**
 * Which schedules a scan needs beyond the few always read (direct assignments of privileged roles),
 * from the settings of the alerts it runs; null where that alert does not run.
 */
export interface AlertScanNeeds {
  /** TooManyGlobalAdmins: its count threshold; every holder is counted only when it is exceeded. */
  globalAdminCount: number | null;
  /** RedundantAssignment: privileged eligibilities that started at or before this time. */
  eligibleSince: number | null;
  /** StaleSignIn: privileged schedules of users whose last sign-in (or creation) is this old. */
  unseenSince: number | null;
}

/**
 * Reads what the detectors look at, by set queries that leave the rows no detector could report
 * in the database: a tenant's schedules can be counted in millions.
 */
export interface AlertFacts {
  /** @param since activations from then on are read (and the last of each principal and role). */
  snapshot(tenantId: string, now: number, since: number, needs: AlertScanNeeds): Promise<AlertSnapshot>;
}

/** Break-glass accounts and their uses (migration 0026), bound to the use case's transaction. */
export interface BreakGlassStore {
  list(tenantId: string): Promise<BreakGlassAccount[]>;
  get(tenantId: string, userId: string): Promise<BreakGlassAccount | undefined>;
  /** @returns false when the user is already marked (nothing written). */
  insert(account: BreakGlassAccount): Promise<boolean>;
  /** Removes the mark; the account's uses stay as history. @returns whether it was marked. */
  remove(tenantId: string, userId: string): Promise<boolean>;
  setLastTested(tenantId: string, userId: string, at: number): Promise<void>;
  addUse(use: BreakGlassUse): Promise<void>;
  getUse(tenantId: string, useId: string): Promise<BreakGlassUse | undefined>;
  /** The account's uses, newest first, at most `limit`. */
  uses(tenantId: string, userId: string, limit: number): Promise<BreakGlassUse[]>;
  /** Sets the justification of a use not justified yet. @returns false when it already was. */
  justify(
    tenantId: string,
    useId: string,
    justification: string,
    isTest: boolean,
    at: number,
  ): Promise<boolean>;
  /** Per marked account: its last use, and its uses not justified yet (ids, oldest first). */
  usage(tenantId: string): Promise<Map<string, { lastUsedAt: number | null; unjustified: BreakGlassUse[] }>>;
}

declare module '../ports.js' {
  interface Stores {
    /** PIM security alerts: configuration and scan results per tenant. */
    alerts: AlertStore;
    /** The state alert scans read. */
    alertFacts: AlertFacts;
    /** Break-glass accounts and their uses. */
    breakGlass: BreakGlassStore;
  }
}
