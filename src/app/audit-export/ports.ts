import type { ChainRecord, StoredEntry } from '../../domain/audit/verify.js';

/**
 * Where each destination has got to in each tenant's chain, and which replica may forward it.
 * Every method is its own short transaction; none holds a row lock.
 */
export interface ExportCursorStore {
  /**
   * Takes or renews the destination's lease by compare-and-set: succeeds when nobody holds it,
   * `holder` holds it already, or the other holder's lease expired at `now`.
   */
  claim(destinationId: string, holder: string, now: number, leaseMs: number): Promise<boolean>;
  /** Gives the lease up (a clean stop), if `holder` still has it. */
  release(destinationId: string, holder: string): Promise<void>;
  /** Last seq the destination accepted in the tenant's chain; 0 before the first. */
  cursor(destinationId: string, tenantId: string): Promise<number>;
  /** Every cursor of every destination, for retention. */
  cursors(): Promise<{ destinationId: string; tenantId: string; seq: number }[]>;
  /**
   * Moves the cursor from `fromSeq` to `toSeq`, only while `holder` still holds an unexpired lease
   * and nobody moved the cursor meanwhile.
   * @returns false when the lease was lost or the cursor moved: the caller stops, nothing is lost.
   */
  advance(
    destinationId: string,
    tenantId: string,
    fromSeq: number,
    toSeq: number,
    holder: string,
    now: number,
  ): Promise<boolean>;
}

/** Reading the chains, outside any use case. */
export interface ChainReader {
  tenants(): Promise<string[]>;
  chain(tenantId: string, afterSeq: number, limit: number): Promise<ChainRecord[]>;
  /** Up to `limit` records after `afterSeq` whose time is in `[fromMs, toMs)`, in seq order. */
  between(
    tenantId: string,
    fromMs: number,
    toMs: number,
    afterSeq: number,
    limit: number,
  ): Promise<StoredEntry[]>;
}

/**
 * A SIEM destination's transport. `send` resolves only once the destination accepted every record
 * (a file synced, a TCP peer that read to our end of stream, a UDP datagram handed to the kernel);
 * it rejects otherwise, and the batch is sent again on the next run.
 */
export interface AuditSink {
  readonly id: string;
  send(records: string[]): Promise<void>;
  close?(): Promise<void>;
}

/** What retention needs beyond reading: where to cut, and the cut itself. */
export interface AuditPruneStore {
  /** Lowest seq of the tenant's stored entries; undefined when none remain. */
  firstSeq(tenantId: string): Promise<number | undefined>;
  /** Lowest seq whose time is at or after `cutoffMs`; undefined when every entry is older. */
  firstSeqAtOrAfter(tenantId: string, cutoffMs: number): Promise<number | undefined>;
}
