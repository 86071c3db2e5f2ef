import { alertIncidentsChanged } from '../../domain/alerts/alert-events.js';
import { ALERT_DEFINITIONS, ALERT_NAMES, alertId, type AlertName } from '../../domain/alerts/definitions.js';
import { DETECTORS, SEQUENCE_LOOKBACK_MS } from '../../domain/alerts/detectors.js';
import type { DomainEvent } from '../../domain/events/domain-event.js';
import type { Stores } from '../ports.js';
import { parseDuration } from '../../domain/time/duration.js';
import type { AlertScanNeeds, StoredAlert } from './ports.js';

/** How far back activation history is read: the longest `RedundantAssignmentAlert` duration. */
const HISTORY_MS = Math.max(SEQUENCE_LOOKBACK_MS, 100 * 86_400_000);

/** An alert as it reads before anything was stored: enabled, default thresholds, never scanned. */
export const defaultAlert = (tenantId: string, name: AlertName): StoredAlert => ({
  tenantId,
  name,
  isEnabled: true,
  settings: { ...ALERT_DEFINITIONS[name].defaults },
  isActive: false,
  incidents: [],
  lastScannedAt: null,
  lastModifiedAt: null,
  version: 0,
});

/** What the store must read for the alerts that run, from their settings (`AlertScanNeeds`). */
export function scanNeeds(running: readonly StoredAlert[], now: number): AlertScanNeeds {
  const settings = (name: AlertName) => running.find((a) => a.name === name)?.settings;
  const ga = settings('TooManyGlobalAdminsAssignedToTenantAlert');
  const redundant = settings('RedundantAssignmentAlert');
  const stale = settings('StaleSignInAlert');
  const ago = (duration: unknown) => now - parseDuration(String(duration), 'duration');
  return {
    globalAdminCount: ga ? Number(ga.globalAdminCountThreshold) : null,
    eligibleSince: redundant ? ago(redundant.duration) : null,
    unseenSince: stale ? ago(stale.duration) : null,
  };
}

/** Every alert of the tenant, stored or default, in `ALERT_NAMES` order. */
export async function tenantAlerts(tx: Stores, tenantId: string): Promise<StoredAlert[]> {
  const stored = new Map((await tx.alerts.list(tenantId)).map((a) => [a.name, a]));
  return ALERT_NAMES.map((name) => stored.get(name) ?? defaultAlert(tenantId, name));
}

/**
 * Scans the named alerts of a tenant over one snapshot and saves what changed, in the caller's
 * transaction. An alert with incidents is active, unless it was dismissed and the scan found no
 * incident that was not there before; a disabled alert is not scanned and holds no incident.
 * Returns the events to record (one per alert whose incidents changed).
 */
export async function scanAlerts(
  tx: Stores,
  tenantId: string,
  now: number,
  names: readonly AlertName[],
): Promise<DomainEvent[]> {
  const alerts = await tenantAlerts(tx, tenantId);
  const running = alerts.filter((a) => a.isEnabled && names.includes(a.name));
  const snapshot = await tx.alertFacts.snapshot(tenantId, now, now - HISTORY_MS, scanNeeds(running, now));
  const events: DomainEvent[] = [];
  for (const alert of alerts) {
    if (!names.includes(alert.name)) continue;
    const incidents = alert.isEnabled ? DETECTORS[alert.name](snapshot, alert.settings) : [];
    const before = new Set(alert.incidents.map((i) => i.id));
    const after = new Set(incidents.map((i) => i.id));
    const raised = [...after].filter((id) => !before.has(id));
    const cleared = [...before].filter((id) => !after.has(id));
    const firstScan = alert.lastScannedAt === null;
    const isActive = incidents.length > 0 && (alert.isActive || raised.length > 0 || firstScan);
    const changed =
      isActive !== alert.isActive ||
      raised.length > 0 ||
      cleared.length > 0 ||
      JSON.stringify(incidents) !== JSON.stringify(alert.incidents);
    await tx.alerts.save(
      {
        ...alert,
        incidents,
        isActive,
        lastScannedAt: now,
        lastModifiedAt: changed ? now : alert.lastModifiedAt,
        version: alert.version + 1,
      },
      alert.version,
    );
    if (raised.length > 0 || cleared.length > 0)
      events.push(
        alertIncidentsChanged(
          alertId(tenantId, alert.name),
          alert.name,
          tenantId,
          raised,
          cleared,
          incidents.length,
        ),
      );
  }
  return events;
}
