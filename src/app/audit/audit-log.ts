import {
  checkpointSignatureValid,
  keyIdOf,
  signCheckpoint,
  type SignedCheckpoint,
} from '../../domain/audit/checkpoint.js';
import type { AuditEntry } from '../../domain/audit/entry.js';
import { pruneSignatureValid } from '../../domain/audit/prune-record.js';
import { splitSeqs } from '../../domain/audit/span.js';
import {
  chainVerifier,
  type ChainVerifier,
  type ChainVerifierOptions,
  type HeadEvidence,
  type VerifyResult,
} from '../../domain/audit/verify.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import type { Page, UnitOfWork } from '../ports.js';
import { AUDIT_RULES } from '../../domain/audit/permissions.js';
import type {
  ChainSpanVerifier,
  CheckpointKeyring,
  CheckpointPublicationStore,
  PublicationStatus,
} from './ports.js';

/**
 * Rows read per round trip while verifying. Small enough that a batch's payload strings (≈1.5 KB
 * each) die young in V8's nursery instead of being promoted and swept: on the benchmark, 2,000 rows
 * per batch verify about a third faster than 10,000.
 */
export const VERIFY_BATCH_SIZE = 2_000;
/**
 * Chains with at least this many entries to verify are checked in parallel spans when the audit log
 * has a {@link ChainSpanVerifier}: below it, starting the workers costs more than they save.
 */
export const PARALLEL_VERIFY_FROM = 100_000;
/** The smallest span a worker is given; spans are otherwise a quarter of each worker's share. */
export const MIN_SPAN_SIZE = 20_000;
/** Seqs of published entry hashes held in memory at once while verifying against a SIEM copy. */
export const ENTRY_HASH_WINDOW = 200_000;

/** Checkpoints and the keys to check them, as exported to be kept outside the database. */
export interface CheckpointExport {
  format: 'elevate.audit.checkpoints.v1';
  publicKeys: { keyId: string; alg: 'Ed25519'; publicKey: string }[];
  checkpoints: SignedCheckpoint[];
}

/**
 * What was published outside the database, as verification reads it: the signed checkpoints (of
 * any tenant), the public keys published with them, and, when the copy holds entries too (a SIEM's
 * JSON lines), their hashes for a window of seqs, read on demand so a large copy never sits in
 * memory. See `audit verify --checkpoints`.
 */
export interface PublishedCopy {
  checkpoints: readonly SignedCheckpoint[];
  /** keyId → SPKI PEM; only keys whose id is their own digest are used. */
  publicKeys: ReadonlyMap<string, string>;
  /**
   * The hash published for each entry of the tenant with `afterSeq < seq <= throughSeq` (the first
   * publication of a seq wins: a later copy of it may have been sent after a rewrite).
   */
  entryHashes?(tenantId: string, afterSeq: number, throughSeq: number): Promise<ReadonlyMap<number, string>>;
}

/** An export of `elevate audit export-checkpoints` as a published copy. */
export function publishedCopyOfExport(e: CheckpointExport): PublishedCopy {
  return { checkpoints: e.checkpoints, publicKeys: new Map(e.publicKeys.map((k) => [k.keyId, k.publicKey])) };
}

/**
 * Keys by id from several sources, first source first, keeping for each id only a key whose digest
 * is that id: a key published with a checkpoint can never be displaced by a row in the database.
 */
function certifiedKeys(...sources: ReadonlyMap<string, string>[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const source of sources)
    for (const [keyId, pem] of source) if (!out.has(keyId) && keyIdOf(pem) === keyId) out.set(keyId, pem);
  return out;
}

/** A checkpoint was refused because the chain it would sign does not verify. */
export class AuditChainBrokenError extends Error {
  constructor(
    readonly tenantId: string,
    readonly result: Extract<VerifyResult, { ok: false }>,
  ) {
    super(`audit chain of tenant ${tenantId} is broken at seq ${result.firstBadSeq} (${result.reason})`);
    this.name = 'AuditChainBrokenError';
  }
}

/** Reading, verifying and checkpointing the audit log. */
export function makeAuditLog(deps: {
  uow: UnitOfWork;
  clock: Clock;
  keyring: CheckpointKeyring;
  batchSize?: number;
  /** Seqs of published entry hashes loaded at once (tests make it small). */
  entryHashWindow?: number;
  /** Where the server records publication; without it, verify says nothing about publication. */
  publication?: Pick<CheckpointPublicationStore, 'status'>;
  /** Checks spans of long chains in parallel; without it, chains are verified in sequence. */
  spans?: ChainSpanVerifier;
  /** Overrides {@link PARALLEL_VERIFY_FROM} (tests make spans of a few entries). */
  parallelFrom?: number;
  /** Overrides the span size (tests). */
  spanSize?: number;
}) {
  const batchSize = deps.batchSize ?? VERIFY_BATCH_SIZE;
  const entryHashWindow = deps.entryHashWindow ?? ENTRY_HASH_WINDOW;
  const parallelFrom = deps.parallelFrom ?? PARALLEL_VERIFY_FROM;

  /**
   * Streams one tenant's chain through the verifier in batches ordered by seq. With `entryHashes`,
   * the published hash of every entry is checked too, loaded a window of seqs at a time so a large
   * published copy never sits in memory whole.
   */
  async function stream(
    tenantId: string,
    options: ChainVerifierOptions,
    entryHashes?: (afterSeq: number, throughSeq: number) => Promise<ReadonlyMap<number, string>>,
  ): Promise<VerifyResult> {
    const headBefore = await deps.uow.run((tx) => tx.audit.head(tenantId));
    const hashes = new Map<number, string>();
    const verifier = chainVerifier({
      ...options,
      ...(entryHashes && options.published
        ? { published: { ...options.published, entryHashes: hashes } }
        : {}),
      tenantId,
      ...(headBefore ? { head: headBefore } : {}),
    });
    const start = options.start?.seq ?? 0;
    // Published entry hashes are compared one by one as the records pass: those chains go in sequence.
    const parallel =
      entryHashes || !headBefore ? undefined : await parallelSpans(tenantId, verifier, start, headBefore);
    if (parallel?.stopped) return verifier.finish();
    const from = parallel?.verifiedThrough ?? start;
    let hashesThrough = from;
    const read = (after: number) => deps.uow.run((tx) => tx.audit.chain(tenantId, after, batchSize));
    // Reads one batch ahead, so that on PostgreSQL the server sends the next rows while this
    // process hashes the current ones. A full batch may be followed by more; a short one ends it.
    let pending = read(from);
    for (;;) {
      const rows = await pending;
      const last = rows.at(-1);
      const more = last !== undefined && rows.length === batchSize;
      if (more) pending = read(last.seq);
      if (entryHashes && last !== undefined && last.seq > hashesThrough) {
        // Keep what this batch still needs, then load the next window after what is loaded.
        for (const seq of hashes.keys()) if (seq < rows[0]!.seq) hashes.delete(seq);
        const after = hashesThrough;
        hashesThrough = Math.max(last.seq, after + entryHashWindow);
        for (const [seq, hash] of await entryHashes(after, hashesThrough)) hashes.set(seq, hash);
      }
      if (!rows.every((r) => verifier.add(r)) || !more) {
        if (more) await pending.catch(() => undefined);
        break;
      }
    }
    const headAfter = await deps.uow.run((tx) => tx.audit.head(tenantId));
    return verifier.finish(headAfter ? { head: headAfter } : {});
  }

  /**
   * Verifies the chain up to the head recorded before reading, in spans checked by workers at once,
   * joined here in order (docs/adr/0047-parallel-audit-verification.md). Stops at the first span
   * that is wrong or does not take on from the one before: the caller streams the records from
   * there, so a problem is named exactly as sequential verification names it. Entries appended
   * after `head` are left to the caller too.
   * @returns the seq verified through, or `stopped` when a checkpoint or the head disagreed with a
   *   span (the verifier holds the failure); undefined when the chain is too short or nothing runs
   *   spans
   */
  async function parallelSpans(
    tenantId: string,
    verifier: ChainVerifier,
    from: number,
    head: HeadEvidence,
  ): Promise<{ verifiedThrough: number; stopped?: true } | undefined> {
    const spans = deps.spans;
    const total = head.seq - from;
    if (spans === undefined || spans.parallelism < 2 || total < parallelFrom) return undefined;
    const size = deps.spanSize ?? Math.max(MIN_SPAN_SIZE, Math.ceil(total / (4 * spans.parallelism)));
    let verifiedThrough = from;
    for await (const span of spans.verify(tenantId, splitSeqs(from + 1, head.seq, size), verifier.marks)) {
      // Leaving the loop stops the workers still checking later spans.
      if (span === undefined || !verifier.continues(span)) break;
      if (!verifier.addSpan(span)) return { verifiedThrough, stopped: true };
      verifiedThrough = span.throughSeq;
    }
    return { verifiedThrough };
  }

  /**
   * Where a pruned chain starts: the signed prune record at the seq just before the first stored
   * entry. Undefined when nothing was pruned, or when no valid record covers the gap (which
   * verification then reports as removed entries).
   */
  async function pruneAnchor(
    tenantId: string,
    publicKeys: ReadonlyMap<string, string>,
  ): Promise<{ seq: number; hash: string } | undefined> {
    const { first, prunes } = await deps.uow.run(async (tx) => ({
      first: (await tx.audit.chain(tenantId, 0, 1))[0]?.seq,
      prunes: await tx.audit.prunes(tenantId),
    }));
    if (first === undefined || first <= 1) return undefined;
    const p = prunes.find(
      (x) => x.tenantId === tenantId && x.throughSeq === first - 1 && pruneSignatureValid(x, publicKeys),
    );
    return p && { seq: p.throughSeq, hash: p.headHash };
  }

  /**
   * Recomputes a tenant's whole chain and checks it against its checkpoints: those stored, plus,
   * when given, those published outside the database (a witness file, a SIEM copy, an export),
   * whose keys are trusted over the stored ones. With a published copy, only published evidence
   * narrows down where a rewrite began (stored checkpoints could have been re-signed by someone
   * holding the data key). When the copy also holds entry hashes (a SIEM's JSON lines), every entry
   * is checked against the hash published for it: a rewrite names its first altered entry, even when
   * a checkpoint signed after the rewrite vouches for it (the SIEM had the entry first).
   */
  async function verifyTenant(
    tenantId: string,
    external?: PublishedCopy | CheckpointExport,
  ): Promise<VerifyResult> {
    const published = external && ('format' in external ? publishedCopyOfExport(external) : external);
    const stored = await deps.uow.run((tx) => tx.audit.checkpoints(tenantId));
    const publicKeys = certifiedKeys(
      published?.publicKeys ?? new Map<string, string>(),
      await deps.keyring.publicKeys(),
    );
    // After retention pruned a prefix, the chain starts after the signed prune record retention left
    // at the cut (docs/adr/0007-audit-export-and-retention.md). Without a valid one there, the missing entries
    // are reported as removed, as before.
    const start = await pruneAnchor(tenantId, publicKeys);
    if (!published) return stream(tenantId, { checkpoints: stored, publicKeys, ...(start ? { start } : {}) });

    const outside = published.checkpoints.filter((cp) => cp.tenantId === tenantId);
    const entryHashes = published.entryHashes?.bind(published);
    return stream(
      tenantId,
      {
        checkpoints: stored,
        publicKeys,
        published: { checkpoints: outside },
        ...(start ? { start } : {}),
      },
      entryHashes && ((after, through) => entryHashes(tenantId, after, through)),
    );
  }

  /**
   * Signs the tenant's current head after verifying the entries since the last valid checkpoint,
   * so a checkpoint never vouches for a chain that is already broken.
   * @returns the new checkpoint, or undefined when nothing was appended since the last one (or
   *   another replica signed this seq or a later one first).
   * @throws AuditChainBrokenError
   */
  async function checkpoint(tenantId: string): Promise<SignedCheckpoint | undefined> {
    const now = deps.clock.now();
    const stored = await deps.uow.run((tx) => tx.audit.checkpoints(tenantId));
    const publicKeys = await deps.keyring.publicKeys();
    const anchor = stored.findLast((cp) => checkpointSignatureValid(cp, publicKeys));
    const pruned = await pruneAnchor(tenantId, publicKeys);
    const start =
      pruned && (!anchor || pruned.seq > anchor.seq)
        ? pruned
        : anchor && { seq: anchor.seq, hash: anchor.headHash };
    const result = await stream(tenantId, { checkpoints: stored, publicKeys, ...(start ? { start } : {}) });
    if (!result.ok) throw new AuditChainBrokenError(tenantId, result);
    if (result.count === 0 || result.count === anchor?.seq) return undefined;
    const key = await deps.keyring.signingKey(now);
    const cp = signCheckpoint(
      { tenantId, seq: result.count, headHash: result.headHash, signedAt: now, keyId: key.keyId },
      key.privateKeyPem,
    );
    // Another replica may have signed this seq or a later one meanwhile: then this one is dropped.
    return (await deps.uow.run((tx) => tx.audit.insertCheckpoint(cp))) ? cp : undefined;
  }

  const tenants = () => deps.uow.run((tx) => tx.audit.chainTenants());

  /** What the database records about publishing the tenant's checkpoints; undefined when not wired. */
  const publicationStatus = (tenantId: string): Promise<PublicationStatus | undefined> =>
    deps.publication ? deps.publication.status(tenantId) : Promise.resolve(undefined);

  return {
    /** `GET /auditLogs/directoryAudits`: the caller's tenant only. */
    async list(caller: Caller, q: CollectionQuery): Promise<Page<AuditEntry>> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, AUDIT_RULES.read, deps.clock.now());
        return tx.audit.list(caller.tenantId, q);
      });
    },

    /** @throws NotFoundError, also for another tenant's entry */
    async get(caller: Caller, id: string): Promise<AuditEntry> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, AUDIT_RULES.read, deps.clock.now());
        const entry = await tx.audit.get(caller.tenantId, id.toLowerCase());
        if (!entry) throw new NotFoundError(`Resource '${id.slice(0, 100)}' does not exist.`);
        return entry;
      });
    },

    /** `GET /auditLogs/verify`: the caller's tenant's chain. */
    /**
     * The caller's tenant's chain verified against the database, with what the database records
     * about the publication of its checkpoints (when the server publishes).
     */
    async verify(caller: Caller): Promise<VerifyResult & { publication?: PublicationStatus }> {
      await deps.uow.run((tx) => authorize(tx, caller, AUDIT_RULES.read, deps.clock.now()));
      const result = await verifyTenant(caller.tenantId);
      const publication = await publicationStatus(caller.tenantId);
      return publication ? { ...result, publication } : result;
    },

    publicationStatus,

    verifyTenant,
    checkpoint,
    tenants,

    /** A checkpoint for every tenant's chain; one broken chain does not stop the others. */
    async checkpointAll(): Promise<{ tenantId: string; checkpoint?: SignedCheckpoint; error?: Error }[]> {
      const out: { tenantId: string; checkpoint?: SignedCheckpoint; error?: Error }[] = [];
      for (const tenantId of await tenants()) {
        try {
          const cp = await checkpoint(tenantId);
          out.push(cp ? { tenantId, checkpoint: cp } : { tenantId });
        } catch (e) {
          out.push({ tenantId, error: e instanceof Error ? e : new Error(String(e)) });
        }
      }
      return out;
    },

    /** Every stored checkpoint (of the given tenants, or all) with the keys that verify them. */
    async exportCheckpoints(tenantIds?: readonly string[]): Promise<CheckpointExport> {
      const ids = tenantIds ?? (await tenants());
      const checkpoints: SignedCheckpoint[] = [];
      for (const id of ids) checkpoints.push(...(await deps.uow.run((tx) => tx.audit.checkpoints(id))));
      const keys = await deps.keyring.publicKeys();
      return {
        format: 'elevate.audit.checkpoints.v1',
        publicKeys: [...keys].map(([keyId, publicKey]) => ({ keyId, alg: 'Ed25519' as const, publicKey })),
        checkpoints,
      };
    },
  };
}

export type AuditLog = ReturnType<typeof makeAuditLog>;
