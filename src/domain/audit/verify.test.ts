import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIVITIES } from './activities.js';
import { canonicalJson } from './canonical-json.js';
import { generateCheckpointKey, signCheckpoint, type SignedCheckpoint } from './checkpoint.js';
import { auditDraft, SYSTEM_INITIATOR } from './draft.js';
import { GENESIS_HASH, sealEntry } from './hash.js';
import { auditIndex, indexText } from './index-columns.js';
import { recordHash, verifyChain, type ChainRecord, type VerifyResult } from './verify.js';

const TENANT = '11111111-1111-4111-8111-111111111111';
const KEY = generateCheckpointKey();

const draftNo = (n: number) =>
  auditDraft({
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    tenantId: TENANT,
    now: 1_700_000_000_000 + n,
    activity: AUDIT_ACTIVITIES.userUpdate,
    initiatedBy: SYSTEM_INITIATOR,
    targets: [
      {
        id: 'u',
        displayName: `user ${n}`,
        type: 'User',
        userPrincipalName: null,
        modifiedProperties: [],
      },
    ],
  });

/** A chain of `n` records as the store keeps them. */
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

/** Re-hashes records from index `from` on, as an attacker who rewrites the rest of the chain would. */
function rehashFrom(records: ChainRecord[], from: number): ChainRecord[] {
  const out = records.map((r) => ({ ...r }));
  for (let i = from; i < out.length; i += 1) {
    const prev = i === 0 ? GENESIS_HASH : out[i - 1]!.hash;
    out[i]!.prevHash = prev;
    out[i]!.hash = recordHash(prev, out[i]!);
  }
  return out;
}

const checkpointAt = (records: ChainRecord[], seq: number, key = KEY, tenantId = TENANT): SignedCheckpoint =>
  signCheckpoint(
    { tenantId, seq, headHash: records[seq - 1]!.hash, signedAt: 1_800_000_000_000, keyId: key.keyId },
    key.privateKeyPem,
  );

const keys = new Map([[KEY.keyId, KEY.publicKeyPem]]);
const failure = (r: VerifyResult) => (r.ok ? { ok: true } : { reason: r.reason, firstBadSeq: r.firstBadSeq });

/** Swaps the payloads of the records at seq a and b. */
const swapPayloads = (records: ChainRecord[], a: number, b: number) => {
  const out = records.map((r) => ({ ...r }));
  [out[a - 1]!.payload, out[b - 1]!.payload] = [out[b - 1]!.payload, out[a - 1]!.payload];
  return out;
};

/** Removes seq `at` and shifts later records down, so no gap shows. */
const removeAndRenumber = (records: ChainRecord[], at: number) =>
  records.filter((r) => r.seq !== at).map((r) => (r.seq > at ? { ...r, seq: r.seq - 1 } : r));

/** Inserts a forged record at `at` (hashed correctly onto its predecessor when `wellFormed`). */
function insertAt(records: ChainRecord[], at: number, wellFormed: boolean): ChainRecord[] {
  const prev = records[at - 2]?.hash ?? GENESIS_HASH;
  const { payload, entry, indexText } = sealEntry({ ...draftNo(99), resultReason: 'forged' }, at, prev);
  const forged: ChainRecord = {
    seq: at,
    payload,
    prevHash: prev,
    hash: wellFormed ? entry.hash : 'f'.repeat(64),
    format: 2,
    index: indexText,
  };
  return [
    ...records.slice(0, at - 1),
    forged,
    ...records.slice(at - 1).map((r) => ({ ...r, seq: r.seq + 1 })),
  ];
}

describe('verifyChain', () => {
  it('accepts an untouched chain and reports its length and head hash', () => {
    const records = chain(10);
    const cps = [checkpointAt(records, 5), checkpointAt(records, 10)];
    expect(verifyChain(records, cps, keys, { head: { seq: 10, hash: records[9]!.hash } })).toEqual({
      ok: true,
      count: 10,
      headHash: records[9]!.hash,
      checkpoints: 2,
    });
  });

  it('accepts an empty chain', () => {
    expect(verifyChain([], [], keys)).toEqual({ ok: true, count: 0, headHash: GENESIS_HASH, checkpoints: 0 });
  });

  const records = chain(10);
  const head = { seq: 10, hash: records[9]!.hash };
  const edit = (seq: number, change: (r: ChainRecord) => Partial<ChainRecord>) =>
    records.map((r) => (r.seq === seq ? { ...r, ...change(r) } : r));

  it.each<[string, () => ChainRecord[], SignedCheckpoint[], { reason: string; firstBadSeq: number }]>([
    [
      'a field edited in the payload',
      () => edit(4, (r) => ({ payload: r.payload.replace('user 4', 'user X') })),
      [],
      { reason: 'altered', firstBadSeq: 4 },
    ],
    [
      'the stored hash edited',
      () => edit(4, () => ({ hash: 'a'.repeat(64) })),
      [],
      { reason: 'altered', firstBadSeq: 4 },
    ],
    [
      'the stored prevHash edited',
      () => edit(4, () => ({ prevHash: 'a'.repeat(64) })),
      [],
      { reason: 'altered', firstBadSeq: 4 },
    ],
    [
      'an unparsable payload',
      () => edit(4, () => ({ payload: '{' })),
      [],
      { reason: 'altered', firstBadSeq: 4 },
    ],
    [
      'an entry edited and re-hashed (but not the next one)',
      () => {
        const out = edit(4, (r) => ({ payload: r.payload.replace('user 4', 'user X') }));
        out[3]!.hash = recordHash(out[3]!.prevHash, out[3]!);
        return out;
      },
      [],
      { reason: 'altered', firstBadSeq: 4 },
    ],
    ['an entry deleted', () => records.filter((r) => r.seq !== 4), [], { reason: 'removed', firstBadSeq: 4 }],
    ['the first entry deleted', () => records.slice(1), [], { reason: 'removed', firstBadSeq: 1 }],
    [
      'an entry deleted and the rest renumbered',
      () => removeAndRenumber(records, 4),
      [],
      { reason: 'removed', firstBadSeq: 4 },
    ],
    [
      'a well-formed forged entry inserted',
      () => insertAt(records, 4, true),
      [],
      { reason: 'inserted', firstBadSeq: 4 },
    ],
    [
      'a badly hashed entry inserted',
      () => insertAt(records, 4, false),
      [],
      { reason: 'inserted', firstBadSeq: 4 },
    ],
    [
      'the same seq twice',
      () => [...records.slice(0, 4), records[3]!, ...records.slice(4)],
      [],
      { reason: 'inserted', firstBadSeq: 4 },
    ],
    ['two payloads swapped', () => swapPayloads(records, 4, 5), [], { reason: 'reordered', firstBadSeq: 4 }],
    [
      'two whole rows swapped',
      () =>
        records.map((r) =>
          r.seq === 4 ? { ...records[4]!, seq: 4 } : r.seq === 5 ? { ...records[3]!, seq: 5 } : r,
        ),
      [],
      { reason: 'reordered', firstBadSeq: 4 },
    ],
    [
      'the tail truncated before a checkpoint',
      () => records.slice(0, 7),
      [checkpointAt(records, 9)],
      { reason: 'truncated', firstBadSeq: 8 },
    ],
    [
      'the chain rewritten from 4 on, caught by the checkpoint after',
      () =>
        rehashFrom(
          edit(4, (r) => ({ payload: r.payload.replace('user 4', 'user X') })),
          3,
        ),
      [checkpointAt(records, 3), checkpointAt(records, 8)],
      { reason: 'badCheckpoint', firstBadSeq: 4 },
    ],
    [
      'a checkpoint whose head hash was edited',
      () => records,
      [{ ...checkpointAt(records, 6), headHash: records[4]!.hash }],
      { reason: 'badCheckpoint', firstBadSeq: 6 },
    ],
    [
      'a checkpoint signed by an unknown key',
      () => records,
      [checkpointAt(records, 6, generateCheckpointKey())],
      { reason: 'badCheckpoint', firstBadSeq: 6 },
    ],
    [
      "another tenant's checkpoint",
      () => records,
      [checkpointAt(records, 6, KEY, '22222222-2222-4222-8222-222222222222')],
      { reason: 'badCheckpoint', firstBadSeq: 6 },
    ],
    [
      'a forged checkpoint beyond the end',
      () => records,
      [{ ...checkpointAt(records, 10), seq: 12 }],
      { reason: 'badCheckpoint', firstBadSeq: 12 },
    ],
  ])('catches %s', (_name, tamper, cps, expected) => {
    expect(failure(verifyChain(tamper(), cps, keys, { tenantId: TENANT }))).toEqual(expected);
  });

  it.each<[string, () => ChainRecord[], { reason: string; firstBadSeq: number }]>([
    ['the tail truncated', () => records.slice(0, 7), { reason: 'truncated', firstBadSeq: 8 }],
    [
      'a well-formed entry appended without moving the head',
      () => [...records, { ...insertAt(records, 11, true)[10]! }],
      { reason: 'inserted', firstBadSeq: 11 },
    ],
    [
      'the whole chain rewritten',
      () =>
        rehashFrom(
          edit(4, (r) => ({ payload: r.payload.replace('user 4', 'user X') })),
          3,
        ),
      { reason: 'altered', firstBadSeq: 1 },
    ],
  ])('with the recorded head, catches %s', (_name, tamper, expected) => {
    expect(failure(verifyChain(tamper(), [], keys, { head }))).toEqual(expected);
  });

  it('names the earliest problem when there are several', () => {
    const tampered = swapPayloads(
      edit(3, (r) => ({ payload: r.payload.replace('user 3', 'user X') })),
      6,
      7,
    );
    expect(failure(verifyChain(tampered, [], keys))).toEqual({ reason: 'altered', firstBadSeq: 3 });
  });

  it('counts the entries before the first bad one', () => {
    const result = verifyChain(
      records.filter((r) => r.seq !== 6),
      [],
      keys,
    );
    expect(result).toMatchObject({ ok: false, count: 5, firstBadSeq: 6 });
  });

  it('verifies from a trusted checkpoint onwards', () => {
    const cp = checkpointAt(records, 5);
    const result = verifyChain(records.slice(5), [cp, checkpointAt(records, 8)], keys, {
      start: { seq: cp.seq, hash: cp.headHash },
      head,
    });
    expect(result).toEqual({ ok: true, count: 10, headHash: head.hash, checkpoints: 1 });
  });

  it('accepts a single pinned public key, PEM or KeyObject', () => {
    const cps = [checkpointAt(records, 10)];
    expect(verifyChain(records, cps, KEY.publicKeyPem).ok).toBe(true);
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(failure(verifyChain(records, cps, other))).toEqual({ reason: 'badCheckpoint', firstBadSeq: 10 });
  });
});

describe('verifyChain and the query columns', () => {
  const records = chain(6);
  const ix = (seq: number) => auditIndex(draftNo(seq));

  it('catches an edited column of a format 2 entry, naming the column', () => {
    const edited = records.map((r) =>
      r.seq === 3 ? { ...r, index: indexText({ ...ix(3), activityDisplayName: 'Delete user' }) } : r,
    );
    const result = verifyChain(edited, [], keys);
    expect(failure(result)).toEqual({ reason: 'altered', firstBadSeq: 3 });
    expect(result.ok ? '' : result.message).toContain('activity_display_name');
  });

  it('derives the columns of a format 2 entry read without them (a copy from elsewhere)', () => {
    expect(
      verifyChain(
        records.map((r) => ({ ...r, index: null })),
        [],
        keys,
      ),
    ).toMatchObject({ ok: true, count: 6 });
  });

  /** A format 1 chain: the hash covers the payload alone; the stored columns are checked against it. */
  const legacy = (): ChainRecord[] => {
    let prev = GENESIS_HASH;
    return [1, 2, 3].map((seq) => {
      const payload = canonicalJson({ ...draftNo(seq), seq });
      const r: ChainRecord = { seq, payload, prevHash: prev, hash: '', format: 1, index: indexText(ix(seq)) };
      r.hash = recordHash(prev, r);
      prev = r.hash;
      return r;
    });
  };

  it('checks the columns of a format 1 entry against its payload', () => {
    expect(verifyChain(legacy(), [], keys)).toMatchObject({ ok: true, count: 3 });
    const edited = legacy().map((r) =>
      r.seq === 2 ? { ...r, index: indexText({ ...ix(2), targets: [] }) } : r,
    );
    const result = verifyChain(edited, [], keys);
    expect(failure(result)).toEqual({ reason: 'altered', firstBadSeq: 2 });
    expect(result.ok ? '' : result.message).toContain('audit_targets');
  });

  it('catches a format 2 entry passed off as format 1', () => {
    const result = verifyChain(
      records.map((r) => (r.seq === 4 ? { ...r, format: 1 as const } : r)),
      [],
      keys,
    );
    expect(failure(result)).toEqual({ reason: 'altered', firstBadSeq: 4 });
    expect(result.ok ? '' : result.message).toContain('chain_format');
  });
});

describe('verifyChain with evidence published outside the database', () => {
  const records = chain(10);
  const edit = (seq: number, change: (r: ChainRecord) => Partial<ChainRecord>) =>
    records.map((r) => (r.seq === seq ? { ...r, ...change(r) } : r));
  /** Entry 4 edited, and every hash from there on recomputed: the chain verifies on its own. */
  const rewritten = rehashFrom(
    edit(4, (r) => ({ payload: r.payload.replace('user 4', 'user X') })),
    3,
  );
  const head = { seq: 10, hash: rewritten[9]!.hash };
  const published = (seqs: number[], entrySeqs: number[] = []) => ({
    checkpoints: seqs.map((s) => checkpointAt(records, s)),
    entryHashes: new Map(entrySeqs.map((s) => [s, records[s - 1]!.hash])),
  });
  const range = (r: VerifyResult) =>
    r.ok ? { ok: true } : { reason: r.reason, firstBadSeq: r.firstBadSeq, lastBadSeq: r.lastBadSeq };

  it('the rewritten chain verifies without them (nothing inside the database can tell)', () => {
    expect(verifyChain(rewritten, [], keys, { head }).ok).toBe(true);
  });

  it('names the first entry after the last matching published checkpoint, and no more than that', () => {
    const result = verifyChain(rewritten, [], keys, { head, published: published([3, 8]) });
    expect(range(result)).toEqual({ reason: 'badCheckpoint', firstBadSeq: 4, lastBadSeq: 8 });
    expect(result.ok ? '' : result.message).toBe(
      'entries 4..8 do not match the published checkpoint signed at seq 8; the first altered entry is one of them',
    );
  });

  it('names the altered entry exactly when the entries before it were published too', () => {
    const result = verifyChain(rewritten, [], keys, { head, published: published([3, 8], [1, 2, 3, 4, 5]) });
    expect(range(result)).toEqual({ reason: 'altered', firstBadSeq: 4, lastBadSeq: undefined });
    expect(result.ok ? '' : result.message).toBe('entry 4 differs from its published copy');
  });

  it('brackets the altered entry when published entry hashes leave a gap', () => {
    const result = verifyChain(rewritten, [], keys, { head, published: published([2], [6, 7]) });
    expect(range(result)).toEqual({ reason: 'altered', firstBadSeq: 3, lastBadSeq: 6 });
  });

  it('does not let a stored checkpoint re-signed over the rewrite narrow the range', () => {
    // Someone holding the data key signed a checkpoint of the rewritten chain at 6.
    const forged = checkpointAt(rewritten, 6);
    const result = verifyChain(rewritten, [forged], keys, { head, published: published([3, 8]) });
    expect(range(result)).toEqual({ reason: 'badCheckpoint', firstBadSeq: 4, lastBadSeq: 8 });
    // Without published evidence the same stored checkpoint would have been believed.
    expect(range(verifyChain(rewritten, [forged, checkpointAt(records, 8)], keys, { head }))).toEqual({
      reason: 'badCheckpoint',
      firstBadSeq: 7,
      lastBadSeq: 8,
    });
  });

  it('reports what the published evidence vouches for on an untouched chain', () => {
    const result = verifyChain(records, [checkpointAt(records, 5)], keys, {
      head: { seq: 10, hash: records[9]!.hash },
      published: published([3, 8], [9]),
    });
    expect(result).toEqual({
      ok: true,
      count: 10,
      headHash: records[9]!.hash,
      checkpoints: 1,
      published: { checkpoints: 2, entries: 1, throughSeq: 9 },
    });
  });

  it('catches a truncation behind a published checkpoint and a published checkpoint with a bad signature', () => {
    expect(range(verifyChain(records.slice(0, 6), [], keys, { published: published([8]) }))).toMatchObject({
      reason: 'truncated',
      firstBadSeq: 7,
    });
    const bad = { ...checkpointAt(records, 5), signature: checkpointAt(records, 6).signature };
    const result = verifyChain(records, [], keys, { published: { checkpoints: [bad] } });
    expect(range(result)).toMatchObject({ reason: 'badCheckpoint', firstBadSeq: 5 });
    expect(result.ok ? '' : result.message).toContain('published checkpoint at seq 5');
  });

  it('checks only the last matching signature: a later valid checkpoint vouches for the earlier ones', () => {
    const corrupted = { ...checkpointAt(records, 5), signature: checkpointAt(records, 6).signature };
    expect(verifyChain(records, [corrupted, checkpointAt(records, 10)], keys)).toMatchObject({
      ok: true,
      checkpoints: 2,
    });
    // The last one is checked, and walking back stops at the first valid one.
    expect(range(verifyChain(records, [checkpointAt(records, 5), corrupted], keys))).toMatchObject({
      reason: 'badCheckpoint',
      firstBadSeq: 5,
    });
  });
});
