import { SYSTEM_INITIATOR } from '../../domain/audit/draft.js';
import type { Attempted } from '../../domain/audit/audit-events.js';
import {
  ALERT_ACTIVITIES,
  alertConfigurationUpdated,
  alertDismissed,
} from '../../domain/alerts/alert-events.js';
import {
  ALERT_DEFINITIONS,
  ALERT_NAMES,
  alertId,
  alertNameOf,
  type AlertName,
  type AlertSettings,
} from '../../domain/alerts/definitions.js';
import { ALERT_RULES } from '../../domain/alerts/permissions.js';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { makeChange } from '../events/change.js';
import { retryOnConflict } from '../pim/retry.js';
import type { UnitOfWork } from '../ports.js';
import type { StoredAlert } from './ports.js';
import { scanAlerts, tenantAlerts } from './scan.js';

/** What an after-change scan did: scanned, found the change covered, or must wait until then. */
export interface AfterChange {
  scanned: boolean;
  deferUntil?: number;
}

/** An alert as the edge shows it: the stored state with its Graph id. */
export interface AlertView extends StoredAlert {
  id: string;
}

/** A configuration PATCH after the edge checked its shape: thresholds are checked here. */
export interface AlertConfigurationPatch {
  isEnabled?: boolean;
  /** Thresholds by Graph name, as sent. */
  settings: Record<string, unknown>;
}

const alertNotFound = () => new NotFoundError('The alert does not exist.', 'Request_ResourceNotFound');
const incidentNotFound = () =>
  new NotFoundError('The alert incident does not exist.', 'Request_ResourceNotFound');

const view = (a: StoredAlert): AlertView => ({ ...a, id: alertId(a.tenantId, a.name) });

const attempted = (activity: Attempted['activity'], id: string): Attempted => ({
  activity,
  targets: [
    {
      id: id.slice(0, 200),
      displayName: null,
      type: 'Other',
      userPrincipalName: null,
      modifiedProperties: [],
    },
  ],
});

/**
 * PIM security alerts (`/beta/identityGovernance/roleManagementAlerts`): read by security and role
 * readers, configured, refreshed and dismissed by their administrators. Scans run in the use case's
 * own transaction over one snapshot; another tenant's alert ids are unknown (404).
 */
export function makeRoleManagementAlerts(deps: { uow: UnitOfWork; clock: Clock }) {
  const change = makeChange(deps);

  /** The alert an id names in the caller's tenant; called after authorization (403 before 404). */
  const nameOf = (caller: Caller, id: string): AlertName => {
    const name = alertNameOf(caller.tenantId, id);
    if (name === undefined) throw alertNotFound();
    return name;
  };

  const read = <T>(caller: Caller, f: (alerts: StoredAlert[]) => T): Promise<T> =>
    deps.uow.run(async (tx) => {
      await authorize(tx, caller, ALERT_RULES.read, deps.clock.now());
      return f(await tenantAlerts(tx, caller.tenantId));
    });

  return {
    /** Every alert of the caller's tenant. @throws ForbiddenError */
    list: (caller: Caller): Promise<AlertView[]> => read(caller, (alerts) => alerts.map(view)),

    /** @throws NotFoundError, ForbiddenError */
    get: (caller: Caller, id: string): Promise<AlertView> =>
      read(caller, (alerts) => {
        const name = nameOf(caller, id);
        return view(alerts.find((a) => a.name === name)!);
      }),

    /**
     * Scans one alert (`id`) or all of them (`null`) now and saves the result.
     * @throws NotFoundError, ForbiddenError
     */
    async refresh(caller: Caller, id: string | null): Promise<void> {
      await change(caller, {
        rerun: retryOnConflict,
        attempt: attempted(ALERT_ACTIVITIES.incidentsChange, id ?? 'roleManagementAlerts'),
        check: async (tx, now) => {
          await authorize(tx, caller, ALERT_RULES.write, now);
          return id === null ? ALERT_NAMES : [nameOf(caller, id)];
        },
        apply: async ({ tx, now, record }, names) => {
          record(...(await scanAlerts(tx, caller.tenantId, now, names)));
        },
      });
    },

    /**
     * `PATCH alerts/{id}` with `isActive: false`: the alert reads inactive until a scan finds an
     * incident it did not have. Dismissing an inactive alert changes nothing.
     * @throws NotFoundError, ForbiddenError, ConflictError
     */
    async dismiss(caller: Caller, id: string): Promise<void> {
      await change(caller, {
        rerun: retryOnConflict,
        attempt: attempted(ALERT_ACTIVITIES.dismiss, id),
        check: async (tx, now) => {
          await authorize(tx, caller, ALERT_RULES.write, now);
          const name = nameOf(caller, id);
          return (await tenantAlerts(tx, caller.tenantId)).find((a) => a.name === name)!;
        },
        apply: async ({ tx, now, record }, alert) => {
          const name = alert.name;
          if (!alert.isActive) return;
          await tx.alerts.save(
            { ...alert, isActive: false, lastModifiedAt: now, version: alert.version + 1 },
            alert.version,
          );
          record(alertDismissed(alertId(caller.tenantId, name), name, alert.incidents.length));
        },
      });
    },

    /**
     * `PATCH alertConfigurations/{id}`: `isEnabled` and the alert's thresholds; every value is
     * checked before anything is written. The alert is rescanned in the same transaction, so its
     * incidents follow the new settings at once (a disabled alert holds none).
     * @throws ValidationError (unknown or out-of-range threshold), NotFoundError, ForbiddenError
     */
    async updateConfiguration(caller: Caller, id: string, patch: AlertConfigurationPatch): Promise<void> {
      await change(caller, {
        rerun: retryOnConflict,
        attempt: attempted(ALERT_ACTIVITIES.configurationUpdate, id),
        check: async (tx, now) => {
          await authorize(tx, caller, ALERT_RULES.write, now);
          const name = nameOf(caller, id);
          const definition = ALERT_DEFINITIONS[name];
          const settings: AlertSettings = {};
          for (const [field, value] of Object.entries(patch.settings))
            settings[field] = definition.setting(field, value);
          if (patch.isEnabled === undefined && Object.keys(settings).length === 0)
            throw new ValidationError('The request names nothing to change.', 'isEnabled');
          const alert = (await tenantAlerts(tx, caller.tenantId)).find((a) => a.name === name)!;
          return { alert, settings };
        },
        apply: async ({ tx, now, record }, { alert, settings }) => {
          const name = alert.name;
          const after = {
            ...alert,
            isEnabled: patch.isEnabled ?? alert.isEnabled,
            settings: { ...alert.settings, ...settings },
          };
          if (
            after.isEnabled === alert.isEnabled &&
            JSON.stringify(after.settings) === JSON.stringify(alert.settings)
          )
            return;
          await tx.alerts.save({ ...after, lastModifiedAt: now, version: alert.version + 1 }, alert.version);
          record(alertConfigurationUpdated(alertId(caller.tenantId, name), name, alert, after));
          // The new thresholds apply at once: the alert's incidents follow them in this transaction.
          record(...(await scanAlerts(tx, caller.tenantId, now, [name])));
        },
      });
    },

    /** The stored incident of an alert, after the write check (for remediation). @throws NotFoundError */
    async incidentToRemediate(caller: Caller, id: string, incidentId: string) {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, ALERT_RULES.write, deps.clock.now());
        const name = nameOf(caller, id);
        const alert = (await tenantAlerts(tx, caller.tenantId)).find((a) => a.name === name)!;
        const incident = alert.incidents.find((i) => i.id === incidentId);
        if (incident === undefined) throw incidentNotFound();
        return { name, incident };
      });
    },

    /**
     * Scans every alert of every tenant as Elevate itself (the timer), one transaction per tenant.
     * @throws ConflictError when other replicas kept saving a tenant's alerts first (the next run scans again)
     */
    async scanAll(): Promise<void> {
      const tenants = await deps.uow.run((tx) => tx.tenants.all());
      for (const tenant of tenants) await scanTenant(tenant.id);
    },

    /**
     * Scans a tenant's alerts after a change that happened at `at` (the `alertScans` outbox
     * consumer), unless every enabled alert was scanned since. Scans after changes are at least
     * `spacingMs` apart: within that time of the last scan the answer is "not before then", so a
     * burst of changes costs one scan, made after the burst (a trailing debounce, per tenant).
     * @throws ConflictError as {@link scanAll}
     */
    async scanAfterChange(tenantId: string, at: number, spacingMs: number): Promise<AfterChange> {
      const enabled = (await deps.uow.read((db) => tenantAlerts(db, tenantId))).filter((a) => a.isEnabled);
      if (enabled.length === 0) return { scanned: false };
      const last = Math.min(...enabled.map((a) => a.lastScannedAt ?? -Infinity));
      if (last > at) return { scanned: false };
      const next = last + spacingMs;
      if (deps.clock.now() < next) return { scanned: false, deferUntil: next };
      await scanTenant(tenantId);
      return { scanned: true };
    },
  };

  /** Scans every alert of one tenant as Elevate itself, in one transaction. */
  async function scanTenant(tenantId: string): Promise<void> {
    const now = deps.clock.now();
    await retryOnConflict(() =>
      deps.uow.run(async (tx) => {
        const events = await scanAlerts(tx, tenantId, now, ALERT_NAMES);
        if (events.length > 0) tx.events.record({ tenantId, initiatedBy: SYSTEM_INITIATOR }, now, ...events);
      }),
    );
  }
}

export type RoleManagementAlerts = ReturnType<typeof makeRoleManagementAlerts>;
