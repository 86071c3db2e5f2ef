import { chainVerifier, type ChainRecord, type VerifiedSpan } from './verify.js';

/** A range of seqs, both ends included. */
export interface SeqRange {
  fromSeq: number;
  throughSeq: number;
}

/**
 * Cuts `fromSeq..throughSeq` into consecutive ranges of at most `size` seqs, for verification in
 * parallel. Empty when `throughSeq < fromSeq`.
 */
export function splitSeqs(fromSeq: number, throughSeq: number, size: number): SeqRange[] {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`invalid span size ${size}`);
  const out: SeqRange[] = [];
  for (let from = fromSeq; from <= throughSeq; from += size)
    out.push({ fromSeq: from, throughSeq: Math.min(from + size - 1, throughSeq) });
  return out;
}

/**
 * Checks one range of a chain on its own, without the hash the entries before it end with: its first
 * entry is taken to follow its own stored `prevHash`, and every later entry must follow the one
 * before it exactly as `chainVerifier` checks (seqs dense, each hash recomputed over the stored text
 * and columns, each `prevHash` the recomputed hash before it). Whoever joins the spans checks that
 * each span's `prevHash` is the hash the span before it ended with ({@link ChainVerifier.continues}),
 * so a tampering at a boundary shows there, and one inside a span here.
 *
 * Feed the range's records in seq order with `add` (false once the span cannot be vouched for) and
 * call `finish`: the span, or undefined when anything in it is wrong. A wrong span says nothing
 * about what is wrong; the caller verifies its records in sequence to name it.
 */
export function spanChecker(range: SeqRange, marks: readonly number[]) {
  let verifier: ReturnType<typeof chainVerifier> | undefined;
  let prevHash: string | undefined;
  let broken = false;
  const wanted = new Set(marks.filter((seq) => seq >= range.fromSeq && seq <= range.throughSeq));
  const seen = new Map<number, string>();
  return {
    add(record: ChainRecord): boolean {
      if (broken) return false;
      if (verifier === undefined) {
        if (record.seq !== range.fromSeq) return !(broken = true);
        prevHash = record.prevHash;
        verifier = chainVerifier({ start: { seq: range.fromSeq - 1, hash: record.prevHash } });
      }
      if (record.seq > range.throughSeq || !verifier.add(record)) return !(broken = true);
      // A record is only vouched for once `finish` accepts the span (the verifier defers judging a
      // mismatch until it has seen the next record), so marks are kept until then.
      if (wanted.has(record.seq)) seen.set(record.seq, record.hash);
      return true;
    },

    finish(): VerifiedSpan | undefined {
      if (broken || verifier === undefined || prevHash === undefined) return undefined;
      const result = verifier.finish();
      if (!result.ok || result.count !== range.throughSeq) return undefined;
      return { ...range, prevHash, hash: result.headHash, marks: seen };
    },
  };
}
