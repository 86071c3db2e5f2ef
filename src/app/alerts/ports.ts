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

/** Reads what the detectors look at, in one pass over the tenant's roles, schedules and history. */
export interface AlertFacts {
  /** @param since activations from then on are read (and the last of each principal and role). */
  snapshot(tenantId: string, now: number, since: number): Promise<AlertSnapshot>;
}

declare module '../ports.js' {
  interface Stores {
    /** PIM security alerts: configuration and scan results per tenant. */
    alerts: AlertStore;
    /** The state alert scans read. */
    alertFacts: AlertFacts;
  }
}
