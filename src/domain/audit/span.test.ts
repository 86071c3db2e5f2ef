// Verifying a chain span by span (as worker threads do) gives exactly what verifying it in one
// sequence gives, for every tampering and wherever the span boundaries fall.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIVITIES } from './activities.js';
import { generateCheckpointKey, signCheckpoint, type SignedCheckpoint } from './checkpoint.js';
import { auditDraft, SYSTEM_INITIATOR } from './draft.js';
import { GENESIS_HASH, sealEntry } from './hash.js';
import { spanChecker, splitSeqs } from './span.js';
import {
  chainVerifier,
  recordHash,
  type ChainRecord,
  type ChainVerifierOptions,
  type HeadEvidence,
  type VerifyResult,
} from './verify.js';

const TENANT = '11111111-1111-4111-8111-111111111111';
const KEY = generateCheckpointKey();
const keys = new Map([[KEY.keyId, KEY.publicKeyPem]]);

const draftNo = (n: number) =>
  auditDraft({
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    tenantId: TENANT,
    now: 1_700_000_000_000 + n,
    activity: AUDIT_ACTIVITIES.userUpdate,
    initiatedBy: SYSTEM_INITIATOR,
    targets: [
      {
        id: `u${n}`,
        displayName: `user ${n}`,
        type: 'User',
        userPrincipalName: null,
        modifiedProperties: [],
      },
    ],
  });

function chain(n: number): ChainRecord[] {
  const records: ChainRecord[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq += 1) {
    const { entry, payload, indexText } = sealEntry(draftNo(seq), seq, prev);
    records.push({ seq, payload, prevHash: prev, hash: entry.hash, format: 2, index: indexText });
    prev = entry.hash;
  }
  return records;
}

const LENGTH = 24;
const CHAIN = chain(LENGTH);

/** A forged record for `seq` after `prev`, hashed correctly onto it. */
const forged = (seq: number, prev: string): ChainRecord => {
  const { payload, entry, indexText } = sealEntry({ ...draftNo(99), resultReason: 'forged' }, seq, prev);
  return { seq, payload, prevHash: prev, hash: entry.hash, format: 2, index: indexText };
};

/** Re-hashes every record from index `from` on, as someone rewriting the rest of the chain would. */
const rehashFrom = (records: ChainRecord[], from: number) => {
  for (let i = from; i < records.length; i += 1) {
    const prev = i === 0 ? GENESIS_HASH : records[i - 1]!.hash;
    records[i] = { ...records[i]!, prevHash: prev };
    records[i] = { ...records[i]!, hash: recordHash(prev, records[i]!) };
  }
  return records;
};

/** Every kind of tampering the sequential verifier tells apart, at seq `at` (1-based). */
const TAMPERINGS: Record<string, (r: ChainRecord[], at: number) => ChainRecord[]> = {
  none: (r) => r,
  payload: (r, at) => r.map((x) => (x.seq === at ? { ...x, payload: x.payload.replace('user', 'usXr') } : x)),
  column: (r, at) => r.map((x) => (x.seq === at ? { ...x, index: x.index!.replace('User', 'Group') } : x)),
  hash: (r, at) => r.map((x) => (x.seq === at ? { ...x, hash: 'a'.repeat(64) } : x)),
  prevHash: (r, at) => r.map((x) => (x.seq === at ? { ...x, prevHash: 'b'.repeat(64) } : x)),
  deleted: (r, at) => r.filter((x) => x.seq !== at),
  deletedAndRenumbered: (r, at) =>
    r.filter((x) => x.seq !== at).map((x) => (x.seq > at ? { ...x, seq: x.seq - 1 } : x)),
  inserted: (r, at) => [
    ...r.slice(0, at - 1),
    forged(at, r[at - 2]?.hash ?? GENESIS_HASH),
    ...r.slice(at - 1).map((x) => ({ ...x, seq: x.seq + 1 })),
  ],
  duplicated: (r, at) => [...r.slice(0, at), { ...r[at - 1]! }, ...r.slice(at)],
  reordered: (r, at) =>
    at >= r.length
      ? r
      : r.map((x) =>
          x.seq === at ? { ...r[at]!, seq: at } : x.seq === at + 1 ? { ...r[at - 1]!, seq: at + 1 } : x,
        ),
  rewrittenFrom: (r, at) =>
    rehashFrom(
      r.map((x) => (x.seq === at ? { ...x, payload: x.payload.replace('user', 'usXr') } : x)),
      at - 1,
    ),
  truncated: (r, at) => r.slice(0, at - 1),
  appendedPastHead: (r) => [...r, forged(r.length + 1, r.at(-1)?.hash ?? GENESIS_HASH)],
};

const checkpoint = (seq: number, headHash: string, key = KEY): SignedCheckpoint =>
  signCheckpoint(
    { tenantId: TENANT, seq, headHash, signedAt: 1_800_000_000_000, keyId: key.keyId },
    key.privateKeyPem,
  );
const OTHER_KEY = generateCheckpointKey();
const CHECKPOINTS = {
  valid: (seq: number) => checkpoint(seq, CHAIN[seq - 1]!.hash),
  wrongHead: (seq: number) => checkpoint(seq, CHAIN[seq - 2]?.hash ?? 'c'.repeat(64)),
  unknownKey: (seq: number) => checkpoint(seq, CHAIN[seq - 1]!.hash, OTHER_KEY),
  badSignature: (seq: number) => ({ ...checkpoint(seq, CHAIN[seq - 1]!.hash), signature: 'AAAA' }),
};

/**
 * Verifies `records` the way the audit log does with workers: each span checked on its own, the
 * spans joined in order, and from the first span that is wrong or does not continue the chain, its
 * records fed one by one.
 */
function verifyBySpans(
  records: ChainRecord[],
  options: ChainVerifierOptions,
  spanSize: number,
  headAfter: HeadEvidence | undefined,
): VerifyResult {
  const verifier = chainVerifier(options);
  const headSeq = options.head?.seq ?? 0;
  let fedFrom = 0;
  for (const range of splitSeqs(1, headSeq, spanSize)) {
    const checker = spanChecker(range, verifier.marks);
    for (const r of records)
      if (r.seq >= range.fromSeq && r.seq <= range.throughSeq && !checker.add(r)) break;
    const span = checker.finish();
    if (span === undefined || !verifier.continues(span)) break;
    if (!verifier.addSpan(span)) return verifier.finish();
    fedFrom = range.throughSeq;
  }
  for (const r of records) if (r.seq > fedFrom && !verifier.add(r)) break;
  return verifier.finish(headAfter ? { head: headAfter } : {});
}

/** The same records through one verifier, record by record. */
function verifyInSequence(
  records: ChainRecord[],
  options: ChainVerifierOptions,
  headAfter: HeadEvidence | undefined,
): VerifyResult {
  const verifier = chainVerifier(options);
  for (const r of records) if (!verifier.add(r)) break;
  return verifier.finish(headAfter ? { head: headAfter } : {});
}

describe('verifying span by span', () => {
  it('gives exactly the sequential result for every tampering, checkpoint and span size', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(TAMPERINGS)),
        fc.integer({ min: 1, max: LENGTH }),
        fc.array(
          fc.record({
            seq: fc.integer({ min: 1, max: LENGTH }),
            kind: fc.constantFrom<keyof typeof CHECKPOINTS>(
              'valid',
              'valid',
              'wrongHead',
              'unknownKey',
              'badSignature',
            ),
          }),
          { maxLength: 4 },
        ),
        fc.integer({ min: 1, max: LENGTH + 2 }),
        fc.boolean(),
        (tampering, at, cps, spanSize, withHead) => {
          const records = TAMPERINGS[tampering]!(
            CHAIN.map((r) => ({ ...r })),
            at,
          );
          const head = { seq: LENGTH, hash: CHAIN[LENGTH - 1]!.hash };
          const options: ChainVerifierOptions = {
            checkpoints: cps.map((c) => CHECKPOINTS[c.kind](c.seq)).sort((a, b) => a.seq - b.seq),
            publicKeys: keys,
            tenantId: TENANT,
            head,
          };
          const headAfter = withHead ? head : undefined;
          const expected = verifyInSequence(records, options, headAfter);
          expect(verifyBySpans(records, options, spanSize, headAfter)).toEqual(expected);
        },
      ),
      { numRuns: 400, seed: 16 },
    );
  });

  it('catches each tampering at a span boundary, in the span before it and in the one after', () => {
    const head = { seq: LENGTH, hash: CHAIN[LENGTH - 1]!.hash };
    const options = { checkpoints: [], publicKeys: keys, tenantId: TENANT, head };
    for (const [name, tamper] of Object.entries(TAMPERINGS)) {
      if (name === 'none') continue;
      // With spans of 6 seqs, 6 ends a span and 7 starts the next one.
      for (const at of [6, 7]) {
        const records = tamper(
          CHAIN.map((r) => ({ ...r })),
          at,
        );
        const result = verifyBySpans(records, options, 6, head);
        expect(result.ok, `${name} at ${at}`).toBe(false);
        expect(result, `${name} at ${at}`).toEqual(verifyInSequence(records, options, head));
      }
    }
  });

  it('checks the checkpoints inside the spans with the hashes the spans report', () => {
    const head = { seq: LENGTH, hash: CHAIN[LENGTH - 1]!.hash };
    const cps = [CHECKPOINTS.valid(6), CHECKPOINTS.wrongHead(13)];
    const options = { checkpoints: cps, publicKeys: keys, tenantId: TENANT, head };
    expect(verifyBySpans(CHAIN, options, 6, head)).toMatchObject({
      ok: false,
      reason: 'badCheckpoint',
      firstBadSeq: 7,
      lastBadSeq: 13,
    });
    const good = { ...options, checkpoints: [CHECKPOINTS.valid(6), CHECKPOINTS.valid(13)] };
    expect(verifyBySpans(CHAIN, good, 6, head)).toEqual({
      ok: true,
      count: LENGTH,
      headHash: head.hash,
      checkpoints: 2,
    });
  });
});

describe('splitSeqs', () => {
  it('cuts a range into consecutive spans of at most the size', () => {
    expect(splitSeqs(3, 10, 3)).toEqual([
      { fromSeq: 3, throughSeq: 5 },
      { fromSeq: 6, throughSeq: 8 },
      { fromSeq: 9, throughSeq: 10 },
    ]);
    expect(splitSeqs(5, 4, 3)).toEqual([]);
    expect(() => splitSeqs(1, 2, 0)).toThrow(RangeError);
  });
});
