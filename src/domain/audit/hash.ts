import { hash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { AuditDraft, AuditEntry } from './entry.js';

/** The `prevHash` of the first entry of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * `SHA-256(prevHash ‖ payload)` as lower-case hex; both are hashed as UTF-8 text. One-shot
 * `crypto.hash` is markedly faster than a `createHash` object for inputs this small, and
 * verification runs it once per entry.
 */
export function chainHash(prevHash: string, payload: string): string {
  return hash('sha256', prevHash + payload, 'hex');
}

/**
 * The hashed text of an entry: canonical JSON of the draft with its `seq`, without `prevHash` and
 * `hash` (the previous hash is prepended instead). This exact text is what the store keeps, so
 * verification hashes stored bytes and never has to re-serialize.
 */
export function entryPayload(draft: AuditDraft, seq: number): string {
  return canonicalJson({ ...draft, seq });
}

/** Places a draft in the chain after `prevHash`. */
export function sealEntry(
  draft: AuditDraft,
  seq: number,
  prevHash: string,
): { entry: AuditEntry; payload: string } {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`invalid audit seq ${seq}`);
  const payload = entryPayload(draft, seq);
  return { entry: { ...draft, seq, prevHash, hash: chainHash(prevHash, payload) }, payload };
}

/** The entry a stored payload describes, with the chain fields the store keeps beside it. */
export function entryFromPayload(payload: string, prevHash: string, hash: string): AuditEntry {
  const body = JSON.parse(payload) as AuditDraft & { seq: number };
  return { ...body, prevHash, hash };
}
