import type { OutboxConsumer } from '../outbox/ports.js';
import type { RoleManagementAlerts } from './role-management-alerts.js';

/**
 * The changes after which a tenant's alerts are scanned again: who holds or may activate what
 * (PIM requests, expiries, ends, direct assignments), role settings, and users' accounts. The
 * scan's own `alerts.incidentsChanged` is not among them, so a scan never triggers another.
 */
export const ALERT_SCAN_TRIGGERS: ReadonlySet<string> = new Set([
  'pim.requestAccepted',
  'pim.scheduleExpired',
  'pim.activationEnded',
  'roles.assignmentCreated',
  'roles.assignmentDeleted',
  'policies.policyUpdated',
  'directory.userUpdated',
  'directory.userDeleted',
]);

/**
 * Scans a tenant's alerts right after a relevant change commits (docs/alerts.md, "Scans"), through
 * the outbox like any consumer: at least once, in order, one replica at a time. A message older than
 * the tenant's last scan of every alert is skipped, so a burst of changes costs one scan.
 */
export function makeAlertScanConsumer(alerts: Pick<RoleManagementAlerts, 'scanAfterChange'>): OutboxConsumer {
  return {
    name: 'alertScans',
    accepts: (type) => ALERT_SCAN_TRIGGERS.has(type),
    async handle(message) {
      await alerts.scanAfterChange(message.tenantId, message.occurredAt);
    },
  };
}
