import type { Kysely } from 'kysely';
import type { AlertStore, StoredAlert } from '../../app/alerts/ports.js';
import type { AlertName, AlertSettings } from '../../domain/alerts/definitions.js';
import type { AlertIncident } from '../../domain/alerts/detectors.js';
import { expectOneRow } from '../cas.js';
import { codecs } from '../codecs.js';
import { uniqueOrConflict } from '../errors.js';
import type { Database } from '../schema.js';
import type { RoleManagementAlertRow } from './rows.js';

const toRow = (a: StoredAlert): RoleManagementAlertRow => ({
  tenant_id: codecs.id.encode(a.tenantId),
  alert_name: a.name,
  is_enabled: codecs.bool.encode(a.isEnabled),
  settings: codecs.json.encode(a.settings),
  is_active: codecs.bool.encode(a.isActive),
  incidents: codecs.json.encode(a.incidents),
  incident_count: a.incidents.length,
  last_scanned_at: codecs.optionalTime.encode(a.lastScannedAt),
  last_modified_at: codecs.optionalTime.encode(a.lastModifiedAt),
  version: a.version,
});

const fromRow = (r: RoleManagementAlertRow): StoredAlert => ({
  tenantId: r.tenant_id,
  name: r.alert_name as AlertName,
  isEnabled: codecs.bool.decode(r.is_enabled),
  settings: codecs.json.decode<AlertSettings>(r.settings),
  isActive: codecs.bool.decode(r.is_active),
  incidents: codecs.json.decode<AlertIncident[]>(r.incidents),
  lastScannedAt: codecs.optionalTime.decode(r.last_scanned_at),
  lastModifiedAt: codecs.optionalTime.decode(r.last_modified_at),
  version: Number(r.version),
});

/** Alert configuration and scan results, bound to one transaction. */
export function alertStore(db: Kysely<Database>): AlertStore {
  return {
    async list(tenantId) {
      const rows = await db
        .selectFrom('role_management_alerts')
        .selectAll()
        .where('tenant_id', '=', codecs.id.encode(tenantId))
        .orderBy('alert_name')
        .execute();
      return rows.map(fromRow);
    },

    async save(alert, expectedVersion) {
      const row = toRow(alert);
      if (expectedVersion === 0) {
        // Two first saves at once: the loser's unique violation is a conflict, and its unit reruns.
        await uniqueOrConflict(
          db.insertInto('role_management_alerts').values(row).execute(),
          'The alert was saved by another request; read it again and retry.',
        );
        return;
      }
      const { tenant_id: _t, alert_name: _n, ...values } = row;
      const res = await db
        .updateTable('role_management_alerts')
        .set(values)
        .where('tenant_id', '=', row.tenant_id)
        .where('alert_name', '=', row.alert_name)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },
  };
}
