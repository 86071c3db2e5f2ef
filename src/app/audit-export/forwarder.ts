import type { AuditEntry } from '../../domain/audit/entry.js';
import { entryFromPayload } from '../../domain/audit/hash.js';
import type { CheckpointRecord } from '../../domain/audit/published.js';
import type { Clock } from '../../domain/time/clock.js';
import { publishCheckpoints } from '../audit/checkpoint-publisher.js';
import type { CheckpointKeyring, CheckpointPublicationStore } from '../audit/ports.js';
import type { AuditSink, ChainReader, ExportCursorStore } from './ports.js';

/** Entries per batch sent to a destination. */
export const DEFAULT_FORWARD_BATCH = 500;
/** How long a claim on a destination lasts without renewal. */
export const DEFAULT_FORWARD_LEASE_MS = 30_000;

/** One configured destination: its transport and how it renders an entry. */
export interface ForwardTarget {
  sink: AuditSink;
  render(entry: AuditEntry): string;
  /** How the destination receives a signed checkpoint (a distinct message type). */
  renderCheckpoint?: (record: CheckpointRecord) => string;
}

export interface ForwardResult {
  destinationId: string;
  tenantId?: string;
  /** Entries the destination accepted in this run. */
  sent: number;
  /** Signed checkpoints the destination accepted in this run (when checkpoints are published). */
  checkpoints?: number;
  /** Another replica holds the destination. */
  skipped?: boolean;
  error?: Error;
}

/**
 * Streams every tenant's audit chain to each destination in `seq` order, at least once: a batch is
 * rendered, sent, and only after the destination accepted it is the cursor moved past it. A crash or
 * an outage between the two sends the batch again (duplicates, never gaps). On several replicas a
 * destination is forwarded by whichever replica holds its lease (compare-and-set, with expiry).
 */
export function makeAuditForwarder(deps: {
  chains: ChainReader;
  cursors: ExportCursorStore;
  clock: Clock;
  targets: readonly ForwardTarget[];
  /** This process, as a lease holder. */
  replicaId: string;
  batchSize?: number;
  leaseMs?: number;
  /** Most batches per destination and tenant in one run, so one run stays short. */
  maxBatchesPerRun?: number;
  /**
   * Publishes every signed checkpoint to each destination too, after the entries it covers, with
   * its own cursor per destination and tenant (docs/adr/0020-audit-publication.md).
   */
  checkpoints?: { store: CheckpointPublicationStore; keyring: Pick<CheckpointKeyring, 'publicKeys'> };
}) {
  const batchSize = deps.batchSize ?? DEFAULT_FORWARD_BATCH;
  const leaseMs = deps.leaseMs ?? DEFAULT_FORWARD_LEASE_MS;
  const maxBatches = deps.maxBatchesPerRun ?? 100;

  async function forwardTenant(
    target: ForwardTarget,
    tenantId: string,
  ): Promise<{ sent: number; cursor: number }> {
    const id = target.sink.id;
    let sent = 0;
    let cursor = await deps.cursors.cursor(id, tenantId);
    for (let batch = 0; batch < maxBatches; batch += 1) {
      const records = await deps.chains.chain(tenantId, cursor, batchSize);
      if (records.length === 0) break;
      const entries = records.map((r) => entryFromPayload(r.payload, r.prevHash, r.hash));
      await target.sink.send(entries.map((e) => target.render(e)));
      const last = records.at(-1)!.seq;
      const moved = await deps.cursors.advance(id, tenantId, cursor, last, deps.replicaId, deps.clock.now());
      if (!moved) throw new Error(`lost the lease on audit destination ${id}; another replica continues`);
      sent += records.length;
      cursor = last;
      if (records.length < batchSize) break;
    }
    return { sent, cursor };
  }

  return {
    /** One pass over every destination and tenant; a failing destination does not stop the others. */
    async runOnce(): Promise<ForwardResult[]> {
      const out: ForwardResult[] = [];
      const tenants = await deps.chains.tenants();
      for (const target of deps.targets) {
        const destinationId = target.sink.id;
        if (!(await deps.cursors.claim(destinationId, deps.replicaId, deps.clock.now(), leaseMs))) {
          out.push({ destinationId, sent: 0, skipped: true });
          continue;
        }
        const keys =
          deps.checkpoints && target.renderCheckpoint
            ? await deps.checkpoints.keyring.publicKeys()
            : undefined;
        for (const tenantId of tenants) {
          try {
            const { sent, cursor } = await forwardTenant(target, tenantId);
            if (!deps.checkpoints || !target.renderCheckpoint || !keys) {
              out.push({ destinationId, tenantId, sent });
              continue;
            }
            const checkpoints = await publishCheckpoints({
              store: deps.checkpoints.store,
              keys,
              sink: target.sink,
              render: target.renderCheckpoint,
              tenantId,
              throughSeq: cursor,
              now: deps.clock.now(),
            });
            out.push({ destinationId, tenantId, sent, checkpoints });
          } catch (e) {
            out.push({
              destinationId,
              tenantId,
              sent: 0,
              error: e instanceof Error ? e : new Error(String(e)),
            });
          }
        }
      }
      return out;
    },

    /** Gives up every lease and closes the transports. */
    async close(): Promise<void> {
      for (const t of deps.targets) {
        await deps.cursors.release(t.sink.id, deps.replicaId).catch(() => undefined);
        await t.sink.close?.();
      }
    },
  };
}

export type AuditForwarder = ReturnType<typeof makeAuditForwarder>;
