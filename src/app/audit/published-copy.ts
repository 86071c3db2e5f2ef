import { keyIdOf, type SignedCheckpoint } from '../../domain/audit/checkpoint.js';
import { parsePublishedLine } from '../../domain/audit/published.js';
import type { PublishedCopy } from './audit-log.js';

/** What a published copy held, for the report: lines read, and what they were. */
export interface PublishedCopyStats {
  checkpoints: number;
  /** Audit entry lines (a SIEM's JSON lines), whose hashes can name the first altered entry. */
  entries: number;
  /** Lines that are neither (other events in a SIEM file, blank lines). */
  other: number;
  /** Public keys published with the checkpoints whose id is their own digest. */
  keys: number;
}

/**
 * A published copy read from JSON lines: a witness file (checkpoint records), a SIEM file
 * destination in JSON format (entries and checkpoint records), or both concatenated. `lines` is
 * called once to collect the checkpoints and keys, and again for each window of entry hashes a
 * verification asks for, so a copy of millions of entries is streamed, never held in memory.
 */
export async function readPublishedCopy(
  lines: () => AsyncIterable<string>,
): Promise<PublishedCopy & { stats: PublishedCopyStats }> {
  const checkpoints: SignedCheckpoint[] = [];
  const publicKeys = new Map<string, string>();
  const stats: PublishedCopyStats = { checkpoints: 0, entries: 0, other: 0, keys: 0 };
  for await (const line of lines()) {
    const parsed = parsePublishedLine(line);
    if (parsed.kind === 'checkpoint') {
      checkpoints.push(parsed.checkpoint);
      stats.checkpoints += 1;
      const { keyId } = parsed.checkpoint;
      if (parsed.publicKey && !publicKeys.has(keyId) && keyIdOf(parsed.publicKey) === keyId)
        publicKeys.set(keyId, parsed.publicKey);
    } else if (parsed.kind === 'entry') stats.entries += 1;
    else if (line.trim() !== '') stats.other += 1;
  }
  stats.keys = publicKeys.size;
  return {
    checkpoints,
    publicKeys,
    stats,
    ...(stats.entries > 0
      ? {
          async entryHashes(tenantId: string, afterSeq: number, throughSeq: number) {
            const hashes = new Map<number, string>();
            for await (const line of lines()) {
              const e = parsePublishedLine(line);
              if (e.kind !== 'entry' || e.tenantId !== tenantId || e.seq <= afterSeq || e.seq > throughSeq)
                continue;
              // The first publication of a seq wins: a copy sent again later may postdate a rewrite.
              if (!hashes.has(e.seq)) hashes.set(e.seq, e.hash);
            }
            return hashes;
          },
        }
      : {}),
  };
}

/** Lines of a text held in memory, as {@link readPublishedCopy} reads them. */
export const linesOf = (text: string) =>
  async function* (): AsyncIterable<string> {
    yield* text.split('\n');
  };
