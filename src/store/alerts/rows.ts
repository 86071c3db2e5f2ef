/** Row of migration 0017_role_management_alerts, as stored; added to `Database` here. */
export interface RoleManagementAlertRow {
  tenant_id: string;
  alert_name: string;
  is_enabled: number;
  /** JSON object of thresholds. */
  settings: string;
  is_active: number;
  /** JSON array of `{ id, fields }`. */
  incidents: string;
  incident_count: number;
  last_scanned_at: number | null;
  last_modified_at: number | null;
  version: number;
}

declare module '../schema.js' {
  interface Database {
    role_management_alerts: RoleManagementAlertRow;
  }
}
