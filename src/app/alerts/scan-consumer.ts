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

/** Scans after changes of one tenant are at least this far apart, by default. */
export const DEFAULT_ALERT_SCAN_SPACING_MS = 60_000;

/**
 * Scans a tenant's alerts after a relevant change commits (docs/alerts.md, "Scans"), through the
 * outbox like any consumer: at least once, in order, one replica at a time. A message older than
 * the tenant's last scan of every alert is skipped; within `spacingMs` of that scan the message
 * waits at the head of the queue (a deferral, not a failure), so a burst of changes costs one scan,
 * after it, and a large tenant is not rescanned on every activation.
 */
export function makeAlertScanConsumer(
  alerts: Pick<RoleManagementAlerts, 'scanAfterChange'>,
  spacingMs = DEFAULT_ALERT_SCAN_SPACING_MS,
): OutboxConsumer {
  if (!Number.isSafeInteger(spacingMs) || spacingMs < 0)
    throw new RangeError('the alert scan spacing must be a non-negative integer (ms)');
  return {
    name: 'alertScans',
    accepts: (type) => ALERT_SCAN_TRIGGERS.has(type),
    async handle(message) {
      const done = await alerts.scanAfterChange(message.tenantId, message.occurredAt, spacingMs);
      return done.deferUntil === undefined ? undefined : { deferUntil: done.deferUntil };
    },
  };
}
