import type { SignedCheckpoint } from './checkpoint.js';

/** The `type` of a published checkpoint record; also the type tag inside the signed message. */
export const CHECKPOINT_RECORD_TYPE = 'elevate.audit.checkpoint.v1';

/**
 * A signed checkpoint as Elevate publishes it outside the database (a witness file line, a witness
 * URL's request body, a SIEM message): the checkpoint, and the public key that verifies it. The
 * key's id is its own SHA-256 digest, so a record carries everything needed to check it, and a
 * verifier that knows the key ids it trusts needs nothing else.
 */
export interface CheckpointRecord extends SignedCheckpoint {
  type: typeof CHECKPOINT_RECORD_TYPE;
  alg: 'Ed25519';
  /** SPKI PEM of the key `keyId` names. */
  publicKey: string;
}

export function checkpointRecord(cp: SignedCheckpoint, publicKeyPem: string): CheckpointRecord {
  return {
    type: CHECKPOINT_RECORD_TYPE,
    tenantId: cp.tenantId,
    seq: cp.seq,
    headHash: cp.headHash,
    signedAt: cp.signedAt,
    keyId: cp.keyId,
    alg: 'Ed25519',
    publicKey: publicKeyPem,
    signature: cp.signature,
  };
}

/** The record as one line of JSON (no line break inside: PEM line breaks are escaped). */
export const checkpointRecordLine = (r: CheckpointRecord): string => JSON.stringify(r);

/**
 * One line of a published copy, as `audit verify --checkpoints` reads it: a checkpoint record (a
 * witness file, or a SIEM's JSON lines), an audit entry as forwarded in JSON (its tenant, seq and
 * chain hash), or anything else (skipped and counted).
 */
export type PublishedLine =
  | { kind: 'checkpoint'; checkpoint: SignedCheckpoint; publicKey: string | undefined }
  | { kind: 'entry'; tenantId: string; seq: number; hash: string }
  | { kind: 'other' };

const HASH = /^[0-9a-f]{64}$/;
const MAX_TEXT = 4096;

const text = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT;
const seqOf = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1;

/** Reads one line; never throws (a line that is not ours is `other`). */
export function parsePublishedLine(line: string): PublishedLine {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return { kind: 'other' };
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(trimmed) as Record<string, unknown>;
  } catch {
    return { kind: 'other' };
  }
  if (typeof v !== 'object' || v === null) return { kind: 'other' };
  if (v.type === CHECKPOINT_RECORD_TYPE) {
    const cp = checkpointOf(v);
    if (!cp) return { kind: 'other' };
    return { kind: 'checkpoint', checkpoint: cp, publicKey: text(v.publicKey) ? v.publicKey : undefined };
  }
  if (
    v.type === undefined &&
    text(v.tenantId) &&
    seqOf(v.seq) &&
    typeof v.hash === 'string' &&
    HASH.test(v.hash)
  ) {
    return { kind: 'entry', tenantId: v.tenantId, seq: v.seq, hash: v.hash };
  }
  return { kind: 'other' };
}

/** A signed checkpoint from an untrusted object, or undefined when a field is missing or malformed. */
export function checkpointOf(v: Record<string, unknown>): SignedCheckpoint | undefined {
  const { tenantId, seq, headHash, signedAt, keyId, signature } = v;
  if (!text(tenantId) || !seqOf(seq) || typeof headHash !== 'string' || !HASH.test(headHash))
    return undefined;
  if (!Number.isSafeInteger(signedAt) || !text(keyId) || !text(signature)) return undefined;
  return { tenantId, seq, headHash, signedAt: signedAt as number, keyId, signature };
}
