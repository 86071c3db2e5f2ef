import { hash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { AuditDraft, AuditEntry } from './entry.js';
import { auditIndex, indexText, type AuditIndex } from './index-columns.js';

/** The `prevHash` of the first entry of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * How an entry's hash covers it. Format 1 (entries written before the query columns were bound)
 * hashes the payload alone; format 2 hashes the payload, a line feed, and the entry's query
 * columns ({@link indexText}), so editing a column an auditor filters on breaks the chain like
 * editing the entry itself. A format is never rewritten: old entries keep verifying as written.
 */
export type ChainFormat = 1 | 2;

/** The format new entries are written in. */
export const CHAIN_FORMAT = 2 as const satisfies ChainFormat;

/**
 * `SHA-256(prevHash ‖ text)` as lower-case hex; both are hashed as UTF-8 text. One-shot
 * `crypto.hash` is markedly faster than a `createHash` object for inputs this small, and
 * verification runs it once per entry.
 */
export function chainHash(prevHash: string, text: string): string {
  return hash('sha256', prevHash + text, 'hex');
}

/**
 * The text an entry's chain hash covers after `prevHash`: the payload, and in format 2 a line feed
 * and the query columns. Canonical JSON never contains a raw line feed, so the split is unambiguous.
 */
export function hashedText(payload: string, index: string, format: ChainFormat): string {
  return format === 1 ? payload : `${payload}\n${index}`;
}

/**
 * The payload of an entry: canonical JSON of the draft with its `seq` and `chainFormat`, without
 * `prevHash` and `hash` (the previous hash is prepended instead). This exact text is what the store
 * keeps, so verification hashes stored bytes and never has to re-serialize. `chainFormat` inside
 * the payload makes every copy of an entry (an export, a SIEM line) say how to re-hash it.
 */
export function entryPayload(draft: AuditDraft, seq: number): string {
  return canonicalJson({ ...draft, seq, chainFormat: CHAIN_FORMAT });
}

/** Places a draft in the chain after `prevHash`, in the current format. */
export function sealEntry(
  draft: AuditDraft,
  seq: number,
  prevHash: string,
): { entry: AuditEntry; payload: string; index: AuditIndex; indexText: string } {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`invalid audit seq ${seq}`);
  const payload = entryPayload(draft, seq);
  const index = auditIndex(draft);
  const text = indexText(index);
  const hash = chainHash(prevHash, hashedText(payload, text, CHAIN_FORMAT));
  return {
    entry: { ...draft, seq, chainFormat: CHAIN_FORMAT, prevHash, hash },
    payload,
    index,
    indexText: text,
  };
}

/** The entry a stored payload describes, with the chain fields the store keeps beside it. */
export function entryFromPayload(payload: string, prevHash: string, hash: string): AuditEntry {
  const body = JSON.parse(payload) as AuditDraft & { seq: number };
  return { ...body, prevHash, hash };
}
