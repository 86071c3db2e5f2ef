/** Migration 0023: one connector, its password sealed. */
export interface ConnectorRow {
  id: string;
  tenant_id: string;
  display_name: string;
  type: string;
  settings: string;
  login_source: string;
  is_enabled: number;
  secret_sealed: string | null;
  secret_version: number;
  created_at: number;
  modified_at: number;
  version: number;
}

export interface ConnectorMappingRow {
  id: string;
  tenant_id: string;
  connector_id: string;
  source: string;
  source_id: string;
  directory_scope_id: string;
  target_grant: string;
  created_at: number;
}

export interface ConnectorGrantRow {
  id: string;
  tenant_id: string;
  connector_id: string;
  mapping_id: string;
  principal_id: string;
  login: string;
  target: string;
  state: string;
  adopted: number;
  schedule_id: string | null;
  requested_at: number | null;
  approved_at: number | null;
  effective_at: number | null;
  ended_at: number | null;
  revoked_at: number | null;
  created_at: number;
  version: number;
}

/** Migration 0030: an explicit login of a user in a connector's target. */
export interface ConnectorLoginRow {
  tenant_id: string;
  connector_id: string;
  principal_id: string;
  login: string;
  created_at: number;
  modified_at: number;
}

export interface ConnectorLeaseRow {
  connector_id: string;
  lease_holder: string | null;
  lease_expires_at: number;
  last_run_at: number | null;
  last_success_at: number | null;
  last_error: string | null;
  failures: number;
  /** JSON of `ReconcileCounts`, or null before the first run. */
  last_result: string | null;
}

declare module '../schema.js' {
  interface Database {
    connectors: ConnectorRow;
    connector_mappings: ConnectorMappingRow;
    connector_grants: ConnectorGrantRow;
    connector_leases: ConnectorLeaseRow;
    connector_logins: ConnectorLoginRow;
  }
}
