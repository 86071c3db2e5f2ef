import type { CheckpointKey, SignedCheckpoint } from '../../domain/audit/checkpoint.js';
import type { AuditDraft, AuditEntry } from '../../domain/audit/entry.js';
import type { SignedPrune } from '../../domain/audit/prune-record.js';
import type { SeqRange } from '../../domain/audit/span.js';
import type { ChainRecord, HeadEvidence, VerifiedSpan } from '../../domain/audit/verify.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import type { Page } from '../ports.js';

/** The audit log of each tenant, bound to the use case's transaction like every store. */
export interface AuditStore {
  /**
   * Appends an entry at the end of its tenant's chain, in the caller's transaction: the entry
   * commits or rolls back with the change it records. Concurrent appends queue on the chain head,
   * so the chain never forks (docs/adr/0005-audit-chain-serialization.md).
   */
  append(draft: AuditDraft): Promise<AuditEntry>;
  /**
   * Appends several entries, in the order given, as `append` would one by one, but with one move
   * of each tenant's chain head and multi-row inserts (the sweeper records thousands at once).
   */
  appendMany(drafts: readonly AuditDraft[]): Promise<AuditEntry[]>;
  get(tenantId: string, id: string): Promise<AuditEntry | undefined>;
  list(tenantId: string, q: CollectionQuery): Promise<Page<AuditEntry>>;
  /** The recorded end of the chain; undefined before the tenant's first entry. */
  head(tenantId: string): Promise<HeadEvidence | undefined>;
  /** Up to `limit` stored records after `afterSeq`, in seq order, for verification. */
  chain(tenantId: string, afterSeq: number, limit: number): Promise<ChainRecord[]>;
  checkpoints(tenantId: string): Promise<SignedCheckpoint[]>;
  /**
   * Stores a checkpoint only when none at that seq or later exists, serialized on the chain head
   * (like appends), so checkpoints of a tenant commit in seq order on every replica: a publisher
   * that has sent everything up to seq N never misses one committed later with a lower seq.
   * @returns false when it was not stored.
   */
  insertCheckpoint(cp: SignedCheckpoint): Promise<boolean>;
  /**
   * Deletes the tenant's entries with `seq <= throughSeq` (retention; never from a use case that
   * changes anything else). Returns how many were deleted.
   */
  deleteThrough(tenantId: string, throughSeq: number): Promise<number>;
  /** Signed records of the prefixes retention deleted, oldest first. */
  prunes(tenantId: string): Promise<SignedPrune[]>;
  insertPrune(p: SignedPrune): Promise<void>;
  /** Tenants that have a chain. */
  chainTenants(): Promise<string[]>;
}

/**
 * Checks ranges of a tenant's chain away from the caller's thread, several at once (worker threads
 * with their own database connections; docs/adr/0047-parallel-audit-verification.md).
 */
export interface ChainSpanVerifier {
  /** How many ranges it checks at once. */
  readonly parallelism: number;
  /**
   * Checks each range on its own (`spanChecker`) and yields the outcomes in the order of `ranges`:
   * the verified span, or undefined for a range with anything wrong in it. Ending the iteration
   * early stops the checks still running.
   */
  verify(
    tenantId: string,
    ranges: readonly SeqRange[],
    marks: readonly number[],
  ): AsyncIterable<VerifiedSpan | undefined>;
}

/** The Ed25519 keys that sign checkpoints; private halves are sealed at rest. */
export interface CheckpointKeyring {
  /** The key that signs new checkpoints, generated on first use. */
  signingKey(now: number): Promise<CheckpointKey>;
  /** Every key ever used, by key id (PEM), so old checkpoints keep verifying. */
  publicKeys(): Promise<Map<string, string>>;
}

/**
 * Publication of signed checkpoints outside the database: per publisher (a SIEM destination, a
 * witness file or URL) and tenant, the seq of the last checkpoint it accepted. Every method is its
 * own short statement, outside use cases.
 */
export interface CheckpointPublicationStore {
  /** The tenant's checkpoints with `afterSeq < seq <= throughSeq`, oldest first, at most `limit`. */
  checkpointsAfter(
    tenantId: string,
    afterSeq: number,
    throughSeq: number,
    limit: number,
  ): Promise<SignedCheckpoint[]>;
  /** Seq of the last checkpoint the publisher accepted; 0 before the first. */
  cursor(publisherId: string, tenantId: string): Promise<number>;
  /**
   * Moves the cursor from `fromSeq` to `toSeq` by compare-and-set.
   * @returns false when someone moved it meanwhile (another replica published the same ones).
   */
  advance(
    publisherId: string,
    tenantId: string,
    fromSeq: number,
    toSeq: number,
    now: number,
  ): Promise<boolean>;
  /** Tenants that have signed checkpoints. */
  tenants(): Promise<string[]>;
  /** What the database records about a tenant's publication (see {@link PublicationStatus}). */
  status(tenantId: string): Promise<PublicationStatus>;
}

/**
 * What this server's database records about publishing a tenant's checkpoints: the newest
 * checkpoint signed, and for each publisher that ever accepted one, the last it accepted and when.
 * It is the server's own bookkeeping, not evidence: the evidence is the published copy, which
 * `audit verify --checkpoints` reads.
 */
export interface PublicationStatus {
  /** The newest stored checkpoint; null before the first. */
  lastCheckpoint: { seq: number; signedAt: number } | null;
  /** Ordered by publisher id; a configured publisher that never accepted one is absent. */
  publishers: { publisherId: string; seq: number; at: number }[];
}
