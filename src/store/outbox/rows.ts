/**
 * Row types of the outbox tables (migration 0010_outbox), as stored: epoch-ms integers, JSON as
 * text, lower-case ids. `schema.ts` lists them in `Database`.
 */
export interface OutboxMessageRow {
  id: string;
  /** Null until the relay's sequencer numbers the committed message. */
  seq: number | null;
  /** Enqueue order among unsequenced messages (see `outbox-store.ts`). */
  order_key: number;
  tenant_id: string;
  type: string;
  occurred_at: number;
  payload: string;
}

/** The last sequence number given; one row, `name = 'outbox'`. */
export interface OutboxHeadRow {
  name: string;
  last_seq: number;
}

export interface OutboxConsumerRow {
  name: string;
  cursor_seq: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  lease_holder: string | null;
  lease_expires_at: number;
  created_at: number;
  updated_at: number;
}

export interface OutboxDeadLetterRow {
  consumer: string;
  seq: number;
  message_id: string;
  tenant_id: string;
  type: string;
  occurred_at: number;
  payload: string;
  attempts: number;
  last_error: string;
  dead_at: number;
}
