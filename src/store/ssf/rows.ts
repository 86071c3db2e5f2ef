/** Migration 0029: a receiver's stream, its authorization header sealed, with its delivery back-off and lease. */
export interface SsfStreamRow {
  id: string;
  tenant_id: string;
  audience: string;
  endpoint_url: string;
  authorization_sealed: string | null;
  events_requested: string;
  description: string | null;
  status: string;
  status_reason: string | null;
  verified_at: number | null;
  failures: number;
  retry_at: number;
  last_error: string | null;
  lease_holder: string | null;
  lease_expires_at: number;
  created_at: number;
  modified_at: number;
  version: number;
}

/** One SET for one stream, unsigned until pushed. */
export interface SsfDeliveryRow {
  id: string;
  tenant_id: string;
  stream_id: string;
  event_id: string;
  event_type: string;
  claims: string;
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

declare module '../schema.js' {
  interface Database {
    ssf_streams: SsfStreamRow;
    ssf_deliveries: SsfDeliveryRow;
  }
}
