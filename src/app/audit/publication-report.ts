import type { PublicationStatus } from './ports.js';

/**
 * How the verify route and the compliance report state the publication of a tenant's checkpoints:
 * only what the database records (the newest checkpoint signed, and per publisher the last one it
 * accepted and when), never a claim that the published copy matches; `audit verify --checkpoints`
 * checks that.
 */
export interface AuditPublicationReport {
  /** The newest checkpoint signed; null before the first. */
  lastCheckpoint: { seq: number; signedAt: string } | null;
  /**
   * Each publisher (a SIEM destination by its id, `witness-file:…`, `witness-url:…`) that accepted
   * a checkpoint of this tenant: the last one, when it accepted it, and whether that is the newest.
   * Empty when no checkpoint was ever published.
   */
  publishers: { id: string; lastPublishedSeq: number; lastPublishedAt: string; caughtUp: boolean }[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function publicationReport(s: PublicationStatus): AuditPublicationReport {
  return {
    lastCheckpoint: s.lastCheckpoint && {
      seq: s.lastCheckpoint.seq,
      signedAt: iso(s.lastCheckpoint.signedAt),
    },
    publishers: s.publishers.map((p) => ({
      id: p.publisherId,
      lastPublishedSeq: p.seq,
      lastPublishedAt: iso(p.at),
      caughtUp: s.lastCheckpoint !== null && p.seq >= s.lastCheckpoint.seq,
    })),
  };
}
