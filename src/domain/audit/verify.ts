import { checkpointSignatureValid, type CheckpointPublicKeys, type SignedCheckpoint } from './checkpoint.js';
import type { AuditDraft } from './entry.js';
import { chainHash, GENESIS_HASH, hashedText, type ChainFormat } from './hash.js';
import { auditIndex, indexMismatch, indexText, type AuditIndex } from './index-columns.js';

/** One stored entry as verification reads it: the hashed payload text and the chain columns. */
export interface ChainRecord {
  seq: number;
  payload: string;
  prevHash: string;
  hash: string;
  /** How the hash covers the entry (`hash.ts`); the store keeps it per row. */
  format: ChainFormat;
  /**
   * The query columns as stored, as `indexText`; null when the reader has none (a copy of the
   * entries from elsewhere). Format 2 hashes them; format 1 entries are checked against their
   * payload. Null on a format 2 record means: derive them from the payload.
   */
  index: string | null;
}

/** An entry as stored, without what only verification needs (exports read these). */
export type StoredEntry = Pick<ChainRecord, 'seq' | 'payload' | 'prevHash' | 'hash'>;

export type VerifyFailureReason =
  'altered' | 'removed' | 'inserted' | 'reordered' | 'truncated' | 'badCheckpoint';

/** What the published evidence (checkpoints and entry hashes kept outside the database) vouched for. */
export interface PublishedSummary {
  /** Published checkpoints the chain matched. */
  checkpoints: number;
  /** Published entry hashes the chain matched. */
  entries: number;
  /** Highest seq published evidence vouches for; entries after it rest on the database alone. */
  throughSeq: number;
}

export type VerifyResult =
  | {
      ok: true;
      count: number;
      headHash: string;
      checkpoints: number;
      /** Present when verification was given published evidence. */
      published?: PublishedSummary;
    }
  | {
      ok: false;
      /** The first entry that cannot be trusted. */
      firstBadSeq: number;
      /**
       * Set when the evidence brackets the first altered entry without naming it: it is one of
       * `firstBadSeq..lastBadSeq` (entries before `firstBadSeq` are vouched for).
       */
      lastBadSeq?: number;
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

/**
 * What was published outside the database while the chain grew: signed checkpoints (a witness
 * file, a SIEM) and, where a copy of the entries was kept (a SIEM's JSON lines), each entry's hash.
 * Published evidence is trusted over anything stored, since whoever can write the database could
 * also have forged stored checkpoints (with the data key).
 */
export interface PublishedEvidence {
  checkpoints: readonly SignedCheckpoint[];
  /** seq → the chain hash published for that entry. */
  entryHashes?: ReadonlyMap<number, string>;
}

type Failure = Extract<VerifyResult, { ok: false }>;

/**
 * Streams a chain through verification, so that millions of entries never sit in memory: feed
 * records in `seq` order with {@link ChainVerifier.add} (it returns false once a problem is found)
 * and call {@link ChainVerifier.finish}. The fast path is one SHA-256 per entry over the stored
 * text; only a mismatch parses JSON, looking one record ahead to tell an insertion, a removal or a
 * reordering from an edit. Checkpoints are checked as the chain passes their `seq`: entries
 * re-hashed by someone who rewrote the rest of the chain too still disagree with the signed head
 * hash, and a chain that ends before a signed checkpoint was truncated.
 *
 * Signatures are checked lazily: a valid checkpoint at seq M that matches the recomputed chain
 * vouches for every entry up to M, and so for every earlier checkpoint that matched too. Only the
 * last matched checkpoint's signature is checked (walking back past invalid ones), which keeps a
 * chain with a checkpoint a minute cheap to verify.
 */
export interface ChainVerifier {
  add(record: ChainRecord): boolean;
  /**
   * The seqs at which the verifier needs the recomputed hash (its checkpoints and the recorded
   * head): what a {@link VerifiedSpan} must report besides its last hash.
   */
  readonly marks: readonly number[];
  /**
   * True when `span` takes the chain on from exactly where it stands: it starts at the next seq,
   * its first entry links to the hash recomputed so far, nothing is pending, and no published entry
   * hashes must be compared one by one. Otherwise feed the span's records with `add` instead.
   */
  continues(span: VerifiedSpan): boolean;
  /**
   * Takes a span verified elsewhere (a worker thread) as if its records had been added: checks the
   * checkpoints and the head inside it with the hashes it reports. Returns false once a problem is
   * found, like `add`.
   * @throws Error when the span does not {@link ChainVerifier.continues continue} the chain, or
   *   lacks the hash of one of the {@link ChainVerifier.marks marks} it covers
   */
  addSpan(span: VerifiedSpan): boolean;
  /**
   * @param evidence.head the recorded head, read again *after* the last record: rows beyond it were
   *   not appended by Elevate, since each append moves the head in the same transaction.
   */
  finish(evidence?: { head?: HeadEvidence }): VerifyResult;
}

export interface ChainVerifierOptions {
  /** Checkpoints stored in the database. */
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
  /** Evidence kept outside the database; when given, only it narrows down where a rewrite began. */
  published?: PublishedEvidence;
}

/**
 * Entries `fromSeq..throughSeq` of a chain, each checked against its own stored predecessor (see
 * `span.ts`): the first entry's stored `prevHash`, the recomputed hash of the last, and the
 * recomputed hashes at the verifier's marks inside the span. A chain verified span by span is
 * verified exactly when each span starts with the hash the one before it ended with.
 */
export interface VerifiedSpan {
  fromSeq: number;
  throughSeq: number;
  prevHash: string;
  hash: string;
  /** seq → recomputed hash, for every mark in `fromSeq..throughSeq`. */
  marks: ReadonlyMap<number, string>;
}

interface Point {
  cp: SignedCheckpoint;
  published: boolean;
}

export function chainVerifier(options: ChainVerifierOptions): ChainVerifier {
  const start = options.start ?? { seq: 0, hash: GENESIS_HASH };
  const published = options.published;
  const points: Point[] = [
    ...(options.checkpoints ?? []).map((cp) => ({ cp, published: false })),
    ...(published?.checkpoints ?? []).map((cp) => ({ cp, published: true })),
  ]
    .filter((p) => p.cp.seq > start.seq)
    .sort((a, b) => a.cp.seq - b.cp.seq || Number(a.published) - Number(b.published));
  const entryHashes = published?.entryHashes;
  const { head } = options;
  const signatures = new Map<Point, boolean>();
  const signatureOk = (p: Point): boolean => {
    let ok = signatures.get(p);
    if (ok === undefined) {
      ok =
        options.publicKeys !== undefined &&
        (options.tenantId === undefined || p.cp.tenantId === options.tenantId) &&
        checkpointSignatureValid(p.cp, options.publicKeys);
      signatures.set(p, ok);
    }
    return ok;
  };
  /** A point whose signature makes it an anchor: with published evidence, only published ones. */
  const anchors = (p: Point): boolean => published === undefined || p.published;
  const what = (p: Point) => (p.published ? 'published checkpoint' : 'checkpoint');

  let running = start.hash;
  let expected = start.seq + 1;
  /** Points before this index matched the recomputed chain (their signatures are checked lazily). */
  let passed = 0;
  /** Highest seq whose published entry hash the recomputed chain matched. */
  let entryVouched = start.seq;
  let entriesMatched = 0;
  let suspect: ChainRecord | undefined;
  let failure: Failure | undefined;

  const fail = (
    reason: Failure['reason'],
    firstBadSeq: number,
    message: string,
    lastBadSeq?: number,
  ): Failure =>
    (failure = {
      ok: false,
      firstBadSeq,
      ...(lastBadSeq !== undefined && lastBadSeq > firstBadSeq ? { lastBadSeq } : {}),
      reason,
      message,
      count: Math.min(firstBadSeq, expected) - 1,
    });

  /**
   * The highest seq the evidence passed so far vouches for, found by checking signatures from the
   * last matched point backwards; and the earliest matched point after it whose signature is bad.
   */
  const settle = (): { anchor: number; forged?: Point } => {
    let forged: Point | undefined;
    let anchor = start.seq;
    for (let i = passed - 1; i >= 0; i -= 1) {
      const p = points[i]!;
      if (!signatureOk(p)) forged = p;
      else if (anchors(p)) {
        anchor = p.cp.seq;
        break;
      }
    }
    if (published) anchor = Math.max(anchor, entryVouched);
    return forged ? { anchor, forged } : { anchor };
  };

  const forgedFailure = (p: Point): Failure =>
    fail(
      'badCheckpoint',
      p.cp.seq,
      `the ${what(p)} at seq ${p.cp.seq} has an invalid signature or an unknown key`,
    );

  /** Checks the points at `seq` against the running hash. */
  const checkPoints = (seq: number): Failure | undefined => {
    for (let p = points[passed]; p !== undefined && p.cp.seq <= seq; p = points[passed]) {
      if (p.cp.headHash !== running) {
        const settled = settle();
        if (settled.forged) return forgedFailure(settled.forged);
        if (!signatureOk(p)) return forgedFailure(p);
        const from = settled.anchor + 1;
        return fail(
          'badCheckpoint',
          from,
          from === p.cp.seq
            ? `entry ${from} does not match the ${what(p)} signed at seq ${p.cp.seq}`
            : `entries ${from}..${p.cp.seq} do not match the ${what(p)} signed at seq ${p.cp.seq}; the first altered entry is one of them`,
          p.cp.seq,
        );
      }
      passed += 1;
    }
    return undefined;
  };

  /** A published entry hash at `seq`, compared with the recomputed one. */
  const checkEntryHash = (seq: number): Failure | undefined => {
    const publishedHash = entryHashes?.get(seq);
    if (publishedHash === undefined) return undefined;
    if (publishedHash === running) {
      entryVouched = seq;
      entriesMatched += 1;
      return undefined;
    }
    const settled = settle();
    if (settled.forged) return forgedFailure(settled.forged);
    const from = settled.anchor + 1;
    return from === seq
      ? fail('altered', seq, `entry ${seq} differs from its published copy`)
      : fail(
          'altered',
          from,
          `entry ${seq} differs from its published copy and entries before it back to ${from} are not vouched for; the first altered entry is one of ${from}..${seq}`,
          seq,
        );
  };

  /** The recorded head is an unsigned checkpoint: it catches a rewrite after the last signed one. */
  const checkHead = (seq: number): Failure | undefined => {
    if (head === undefined || head.seq !== seq || head.hash === running) return undefined;
    return headMismatch(seq);
  };

  const headMismatch = (seq: number): Failure => {
    const settled = settle();
    if (settled.forged) return forgedFailure(settled.forged);
    const from = Math.min(settled.anchor + 1, seq);
    return fail('altered', from, `entries ${from}..${seq} do not match the recorded head hash`, seq);
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
    if (next !== undefined && recordHash(running, next) === next.hash) {
      return fail('inserted', bad.seq, `entry ${bad.seq} was inserted into the chain`);
    }
    if (bad.seq > 1 && bad.prevHash !== running && recordHash(bad.prevHash, bad) === bad.hash) {
      return fail('altered', bad.seq - 1, `entry ${bad.seq - 1} was altered and re-hashed`);
    }
    const columns = editedColumns(bad, running);
    if (columns) {
      return fail(
        'altered',
        bad.seq,
        `entry ${bad.seq} was altered: its stored ${columns.join(', ')} no longer match its hashed content`,
      );
    }
    return fail('altered', bad.seq, `entry ${bad.seq} was altered`);
  };

  /**
   * Moves the chain on to `seq`, whose recomputed hash is `hash` (every entry up to it verified),
   * and checks the evidence at that seq. Returns false once a problem is found.
   */
  const reach = (seq: number, hash: string): boolean => {
    running = hash;
    expected = seq + 1;
    if (entryHashes && checkEntryHash(seq)) return false;
    if (points[passed]?.cp.seq === seq && checkPoints(seq)) return false;
    return head?.seq !== seq || checkHead(seq) === undefined;
  };

  const marks = [...new Set([...points.map((p) => p.cp.seq), ...(head ? [head.seq] : [])])]
    .filter((seq) => seq > start.seq)
    .sort((a, b) => a - b);

  const continues = (span: VerifiedSpan): boolean =>
    !failure &&
    !suspect &&
    entryHashes === undefined &&
    span.fromSeq === expected &&
    span.throughSeq >= span.fromSeq &&
    span.prevHash === running;

  return {
    marks,
    continues,

    addSpan(span) {
      if (!continues(span))
        throw new Error(`span ${span.fromSeq}..${span.throughSeq} does not continue the chain`);
      for (const seq of marks) {
        if (seq < span.fromSeq || seq >= span.throughSeq) continue;
        const hash = span.marks.get(seq);
        if (hash === undefined)
          throw new Error(`span ${span.fromSeq}..${span.throughSeq} lacks the hash at seq ${seq}`);
        if (!reach(seq, hash)) return false;
      }
      return reach(span.throughSeq, span.hash);
    },

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
      const hash = recordHash(running, record);
      if (hash !== record.hash || record.prevHash !== running) {
        suspect = record;
        return true;
      }
      if (record.format === 1 && record.index !== null) {
        const columns = legacyColumnsEdited(record);
        if (columns.length > 0) {
          fail(
            'altered',
            record.seq,
            `entry ${record.seq} was altered: its stored ${columns.join(', ')} do not match its hashed content`,
          );
          return false;
        }
      }
      return reach(record.seq, hash);
    },

    finish(evidence = {}) {
      if (!failure && suspect) classify(suspect, undefined);
      if (failure) return failure;
      const last = expected - 1;
      const pending = points.slice(passed);
      const signed = pending.find(signatureOk);
      if (signed) {
        return fail(
          'truncated',
          expected,
          `the chain ends at seq ${last}, before the ${what(signed)} at seq ${signed.cp.seq}`,
        );
      }
      if (pending[0]) return forgedFailure(pending[0]);
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
      if (after && last === after.seq && after.hash !== running) return headMismatch(last);
      const settled = settle();
      if (settled.forged) return forgedFailure(settled.forged);
      const matched = points.slice(0, passed);
      return {
        ok: true,
        count: last,
        headHash: running,
        checkpoints: matched.filter((p) => !p.published).length,
        ...(published
          ? {
              published: {
                checkpoints: matched.filter((p) => p.published).length,
                entries: entriesMatched,
                throughSeq: settled.anchor,
              },
            }
          : {}),
      };
    },
  };
}

/** The hash a record's stored text gives after `prevHash`, in the record's own format. */
export function recordHash(prevHash: string, record: ChainRecord): string {
  return chainHash(
    prevHash,
    hashedText(record.payload, record.index ?? derivedIndex(record.payload), record.format),
  );
}

/** The query columns an entry's own payload gives, as `indexText` ('' when it does not parse). */
function derivedIndex(payload: string): string {
  const derived = deriveIndex(parse(payload));
  return derived ? indexText(derived) : '';
}

/** The query columns a parsed payload gives; undefined when it lacks what they are made of. */
function deriveIndex(body: AuditDraft | undefined): AuditIndex | undefined {
  if (!body) return undefined;
  try {
    return auditIndex(body);
  } catch {
    return undefined;
  }
}

function parse(payload: string): (AuditDraft & { seq?: unknown; chainFormat?: unknown }) | undefined {
  try {
    const body = JSON.parse(payload) as unknown;
    return typeof body === 'object' && body !== null ? (body as AuditDraft) : undefined;
  } catch {
    return undefined;
  }
}

/** Format 1 does not hash the columns: they must equal what the payload gives. */
function legacyColumnsEdited(record: ChainRecord): string[] {
  const derived = deriveIndex(parse(record.payload));
  if (record.index === null) return [];
  return derived ? indexMismatch(record.index, derived) : ['payload'];
}

/**
 * When only the stored columns (or the stored format) were edited, the payload with the columns
 * it gives still hashes to the stored hash: name the columns that differ. Undefined otherwise.
 */
function editedColumns(record: ChainRecord, prevHash: string): string[] | undefined {
  const body = parse(record.payload);
  const derived = deriveIndex(body);
  if (!body || !derived || record.prevHash !== prevHash) return undefined;
  const format: ChainFormat = body.chainFormat === 2 ? 2 : 1;
  const genuine = chainHash(prevHash, hashedText(record.payload, indexText(derived), format));
  if (genuine !== record.hash) return undefined;
  const columns = record.index === null ? [] : indexMismatch(record.index, derived);
  if (record.format !== format) columns.push('chain_format');
  return columns.length > 0 ? columns : undefined;
}

/** The `seq` a record's payload claims, if it parses. */
function claimedSeq(record: ChainRecord | undefined): number | undefined {
  if (record === undefined) return undefined;
  const body = parse(record.payload);
  return typeof body?.seq === 'number' ? body.seq : undefined;
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
