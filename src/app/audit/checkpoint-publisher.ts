import type { SignedCheckpoint } from '../../domain/audit/checkpoint.js';
import {
  checkpointRecord,
  checkpointRecordLine,
  type CheckpointRecord,
} from '../../domain/audit/published.js';
import type { Clock } from '../../domain/time/clock.js';
import type { AuditSink, ExportCursorStore } from '../audit-export/ports.js';
import type { CheckpointKeyring, CheckpointPublicationStore } from './ports.js';

/** Checkpoints sent to one publisher per tenant and batch. */
export const DEFAULT_PUBLISH_BATCH = 100;
/** How long a witness's claim lasts without renewal (as for SIEM destinations). */
export const DEFAULT_PUBLISH_LEASE_MS = 30_000;

/** What one publishing pass did for one publisher and tenant. */
export interface PublishResult {
  publisherId: string;
  tenantId?: string;
  /** Checkpoints the publisher accepted in this pass. */
  published: number;
  /** Another replica holds the publisher. */
  skipped?: boolean;
  error?: Error;
}

/**
 * Sends a tenant's signed checkpoints that `sink` has not accepted yet, in seq order and at least
 * once: the cursor moves only after the sink accepted a batch, so a crash or an outage between
 * signing and sending only delays publication to the next pass (which may repeat a batch).
 * `throughSeq` bounds what is sent (a SIEM gets a checkpoint only after the entries it covers).
 * @returns how many checkpoints the sink accepted.
 */
export async function publishCheckpoints(o: {
  store: CheckpointPublicationStore;
  keys: ReadonlyMap<string, string>;
  sink: Pick<AuditSink, 'id' | 'send'>;
  render: (record: CheckpointRecord) => string;
  tenantId: string;
  throughSeq?: number;
  now: number;
  batchSize?: number;
  maxBatches?: number;
}): Promise<number> {
  const batchSize = o.batchSize ?? DEFAULT_PUBLISH_BATCH;
  let cursor = await o.store.cursor(o.sink.id, o.tenantId);
  let sent = 0;
  for (let batch = 0; batch < (o.maxBatches ?? 100); batch += 1) {
    const cps = await o.store.checkpointsAfter(
      o.tenantId,
      cursor,
      o.throughSeq ?? Number.MAX_SAFE_INTEGER,
      batchSize,
    );
    if (cps.length === 0) break;
    await o.sink.send(cps.map((cp) => o.render(recordOf(cp, o.keys))));
    const last = cps.at(-1)!.seq;
    if (!(await o.store.advance(o.sink.id, o.tenantId, cursor, last, o.now))) {
      throw new Error(
        `checkpoint publication cursor of ${o.sink.id} moved meanwhile; another replica continues`,
      );
    }
    sent += cps.length;
    cursor = last;
    if (cps.length < batchSize) break;
  }
  return sent;
}

/** The record of a checkpoint with the public key its id names ('' when the key row is gone). */
function recordOf(cp: SignedCheckpoint, keys: ReadonlyMap<string, string>): CheckpointRecord {
  return checkpointRecord(cp, keys.get(cp.keyId) ?? '');
}

/**
 * Publishes every signed checkpoint to the witnesses (a witness file, a witness URL), each as one
 * JSON line (`CheckpointRecord`). On several replicas a witness is served by whichever replica holds
 * its lease, as SIEM destinations are. Checkpoints reach SIEM destinations through the forwarder.
 */
export function makeCheckpointPublisher(deps: {
  store: CheckpointPublicationStore;
  leases: Pick<ExportCursorStore, 'claim' | 'release'>;
  keyring: Pick<CheckpointKeyring, 'publicKeys'>;
  clock: Clock;
  witnesses: readonly AuditSink[];
  /** This process, as a lease holder. */
  replicaId: string;
  leaseMs?: number;
  batchSize?: number;
}) {
  return {
    /** One pass over every witness and tenant; a failing witness does not stop the others. */
    async runOnce(): Promise<PublishResult[]> {
      const out: PublishResult[] = [];
      if (deps.witnesses.length === 0) return out;
      const tenants = await deps.store.tenants();
      const keys = await deps.keyring.publicKeys();
      for (const sink of deps.witnesses) {
        const now = deps.clock.now();
        if (
          !(await deps.leases.claim(sink.id, deps.replicaId, now, deps.leaseMs ?? DEFAULT_PUBLISH_LEASE_MS))
        ) {
          out.push({ publisherId: sink.id, published: 0, skipped: true });
          continue;
        }
        for (const tenantId of tenants) {
          try {
            const published = await publishCheckpoints({
              store: deps.store,
              keys,
              sink,
              render: checkpointRecordLine,
              tenantId,
              now,
              ...(deps.batchSize ? { batchSize: deps.batchSize } : {}),
            });
            out.push({ publisherId: sink.id, tenantId, published });
          } catch (e) {
            out.push({
              publisherId: sink.id,
              tenantId,
              published: 0,
              error: e instanceof Error ? e : new Error(String(e)),
            });
            break; // in seq order: the next tenant waits for the next pass too, as this one does
          }
        }
      }
      return out;
    },

    /** Gives up every witness lease and closes the transports. */
    async close(): Promise<void> {
      for (const sink of deps.witnesses) {
        await deps.leases.release(sink.id, deps.replicaId).catch(() => undefined);
        await sink.close?.();
      }
    },
  };
}

export type CheckpointPublisher = ReturnType<typeof makeCheckpointPublisher>;
