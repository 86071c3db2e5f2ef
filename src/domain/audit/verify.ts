import { checkpointSignatureValid, type CheckpointPublicKeys, type SignedCheckpoint } from './checkpoint.js';
import { chainHash, GENESIS_HASH } from './hash.js';

/** One stored entry as verification reads it: the hashed payload text and the chain columns. */
export interface ChainRecord {
  seq: number;
  payload: string;
  prevHash: string;
  hash: string;
}

export type VerifyFailureReason =
  'altered' | 'removed' | 'inserted' | 'reordered' | 'truncated' | 'badCheckpoint';

export type VerifyResult =
  | { ok: true; count: number; headHash: string; checkpoints: number }
  | {
      ok: false;
      /** The first entry that cannot be trusted. */
      firstBadSeq: number;
      reason: VerifyFailureReason;
      /** For people: what was found, in one sentence. */
      message: string;
      /** Entries before `firstBadSeq` that verified. */
      count: number;
    };

/** The chain's recorded head (`audit_head`): where the chain must end, and with which hash. */
export interface HeadEvidence {
  seq: number;
  hash: string;
}

type Failure = Extract<VerifyResult, { ok: false }>;

/**
 * Streams a chain through verification, so that millions of entries never sit in memory: feed
 * records in `seq` order with {@link ChainVerifier.add} (it returns false once a problem is found)
 * and call {@link ChainVerifier.finish}. The fast path is one SHA-256 per entry over the stored
 * payload text; only a mismatch parses JSON, looking one record ahead to tell an insertion, a
 * removal or a reordering from an edit. Checkpoints are checked as the chain passes their `seq`:
 * entries re-hashed by someone who rewrote the rest of the chain too still disagree with the
 * signed head hash, and a chain that ends before a signed checkpoint was truncated.
 */
export interface ChainVerifier {
  add(record: ChainRecord): boolean;
  /**
   * @param evidence.head the recorded head, read again *after* the last record: rows beyond it were
   *   not appended by Elevate, since each append moves the head in the same transaction.
   */
  finish(evidence?: { head?: HeadEvidence }): VerifyResult;
}

export interface ChainVerifierOptions {
  checkpoints?: readonly SignedCheckpoint[];
  publicKeys?: CheckpointPublicKeys;
  /** When set, checkpoints signed for another tenant's chain are rejected. */
  tenantId?: string;
  /** The recorded head, read *before* the first record: the chain must reach it, with its hash. */
  head?: HeadEvidence;
  /**
   * Start after an entry already known good (the last valid checkpoint), instead of at the genesis;
   * records are then fed from `start.seq + 1`.
   */
  start?: HeadEvidence;
}

export function chainVerifier(options: ChainVerifierOptions): ChainVerifier {
  const start = options.start ?? { seq: 0, hash: GENESIS_HASH };
  const checkpoints = [...(options.checkpoints ?? [])]
    .filter((cp) => cp.seq > start.seq)
    .sort((a, b) => a.seq - b.seq);
  const { head } = options;
  const signatureOk = (cp: SignedCheckpoint): boolean =>
    options.publicKeys !== undefined &&
    (options.tenantId === undefined || cp.tenantId === options.tenantId) &&
    checkpointSignatureValid(cp, options.publicKeys);

  let running = start.hash;
  let expected = start.seq + 1;
  let nextCheckpoint = 0;
  let verifiedCheckpoints = 0;
  /** Highest seq whose hash a valid checkpoint confirmed. */
  let trustedUpTo = start.seq;
  let suspect: ChainRecord | undefined;
  let failure: Failure | undefined;

  const fail = (reason: Failure['reason'], firstBadSeq: number, message: string): Failure =>
    (failure = { ok: false, firstBadSeq, reason, message, count: Math.min(firstBadSeq, expected) - 1 });

  /** Checks the checkpoints at `seq` against the running hash. */
  const checkCheckpoints = (seq: number): Failure | undefined => {
    for (let cp = checkpoints[nextCheckpoint]; cp !== undefined && cp.seq <= seq;) {
      if (!signatureOk(cp)) {
        return fail('badCheckpoint', cp.seq, `the checkpoint at seq ${cp.seq} has an invalid signature`);
      }
      if (cp.headHash !== running) {
        return fail(
          'badCheckpoint',
          trustedUpTo + 1,
          `entries ${trustedUpTo + 1}..${cp.seq} do not match the checkpoint signed at seq ${cp.seq}`,
        );
      }
      trustedUpTo = cp.seq;
      verifiedCheckpoints += 1;
      cp = checkpoints[++nextCheckpoint];
    }
    return undefined;
  };

  /** The recorded head is an unsigned checkpoint: it catches a rewrite after the last signed one. */
  const checkHead = (seq: number): Failure | undefined => {
    if (head === undefined || head.seq !== seq || head.hash === running) return undefined;
    const from = Math.min(trustedUpTo + 1, seq);
    return fail('altered', from, `entries ${from}..${seq} do not match the recorded head hash`);
  };

  /** A record whose hash did not match; `next` is the record after it, when there is one. */
  const classify = (bad: ChainRecord, next: ChainRecord | undefined): Failure => {
    const claimed = claimedSeq(bad);
    if (claimed !== undefined && claimed > bad.seq) {
      return claimedSeq(next) === bad.seq
        ? fail('reordered', bad.seq, `entries ${bad.seq} and ${claimed} are out of order`)
        : fail('removed', bad.seq, `entry ${bad.seq} is missing and later entries were renumbered`);
    }
    if (claimed !== undefined && claimed < bad.seq) {
      return fail('inserted', claimed, `an entry was inserted at seq ${claimed}`);
    }
    if (next !== undefined && chainHash(running, next.payload) === next.hash) {
      return fail('inserted', bad.seq, `entry ${bad.seq} was inserted into the chain`);
    }
    if (bad.seq > 1 && bad.prevHash !== running && chainHash(bad.prevHash, bad.payload) === bad.hash) {
      return fail('altered', bad.seq - 1, `entry ${bad.seq - 1} was altered and re-hashed`);
    }
    return fail('altered', bad.seq, `entry ${bad.seq} was altered`);
  };

  return {
    add(record) {
      if (failure) return false;
      if (suspect) {
        classify(suspect, record);
        return false;
      }
      if (record.seq !== expected) {
        if (record.seq > expected) fail('removed', expected, `entry ${expected} is missing`);
        else fail('inserted', record.seq, `entry ${record.seq} appears twice`);
        return false;
      }
      const hash = chainHash(running, record.payload);
      if (hash !== record.hash || record.prevHash !== running) {
        suspect = record;
        return true;
      }
      running = hash;
      expected = record.seq + 1;
      if (checkpoints[nextCheckpoint]?.seq === record.seq && checkCheckpoints(record.seq)) return false;
      return head?.seq !== record.seq || checkHead(record.seq) === undefined;
    },

    finish(evidence = {}) {
      if (!failure && suspect) classify(suspect, undefined);
      if (failure) return failure;
      const last = expected - 1;
      const pending = checkpoints.slice(nextCheckpoint);
      const signed = pending.find(signatureOk);
      if (signed) {
        return fail(
          'truncated',
          expected,
          `the chain ends at seq ${last}, before the checkpoint at seq ${signed.seq}`,
        );
      }
      if (pending[0]) {
        return fail(
          'badCheckpoint',
          pending[0].seq,
          `the checkpoint at seq ${pending[0].seq} has an invalid signature`,
        );
      }
      if (head && last < head.seq) {
        return fail(
          'truncated',
          expected,
          `the chain ends at seq ${last}, but its head is at seq ${head.seq}`,
        );
      }
      const after = evidence.head;
      if (after && last > after.seq) {
        return fail(
          'inserted',
          after.seq + 1,
          `entries after the recorded head (seq ${after.seq}) were not appended by Elevate`,
        );
      }
      if (after && last === after.seq && after.hash !== running) {
        const from = Math.min(trustedUpTo + 1, last);
        return fail('altered', from, `entries ${from}..${last} do not match the recorded head hash`);
      }
      return { ok: true, count: last, headHash: running, checkpoints: verifiedCheckpoints };
    },
  };
}

/** The `seq` a record's payload claims, if it parses. */
function claimedSeq(record: ChainRecord | undefined): number | undefined {
  if (record === undefined) return undefined;
  try {
    const body = JSON.parse(record.payload) as { seq?: unknown } | null;
    return typeof body?.seq === 'number' ? body.seq : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a whole chain held in memory (tests, exports); the store streams through
 * {@link chainVerifier} instead.
 */
export function verifyChain(
  entries: Iterable<ChainRecord>,
  checkpoints: readonly SignedCheckpoint[],
  publicKeys: CheckpointPublicKeys,
  options: Omit<ChainVerifierOptions, 'checkpoints' | 'publicKeys'> = {},
): VerifyResult {
  const verifier = chainVerifier({ ...options, checkpoints, publicKeys });
  for (const entry of entries) if (!verifier.add(entry)) break;
  return verifier.finish(options.head ? { head: options.head } : {});
}
