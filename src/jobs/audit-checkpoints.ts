import { createHash } from 'node:crypto';
import type { AuditLog } from '../app/audit/audit-log.js';
import type { CheckpointPublisher, PublishResult } from '../app/audit/checkpoint-publisher.js';
import type { AuditSink } from '../app/audit-export/ports.js';
import { fileSink, httpWitnessSink } from './audit-sinks.js';
import { repeatEvery } from './repeat.js';

/** How often a running server signs a checkpoint of every chain that moved, unless configured. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 60_000;

/**
 * The witnesses configured: a file (JSON lines appended and synced) and/or a URL (one POST per
 * checkpoint). A witness's id, which keys its publication cursor and lease, is derived from where
 * it points, so pointing Elevate at a new witness publishes every checkpoint to it from the first.
 */
export function witnessSinks(o: { file?: string | undefined; url?: string | undefined }): AuditSink[] {
  const id = (kind: string, where: string) =>
    `witness-${kind}:${createHash('sha256').update(where).digest('hex').slice(0, 16)}`;
  const sinks: AuditSink[] = [];
  if (o.file) sinks.push(fileSink(id('file', o.file), o.file));
  if (o.url) sinks.push(httpWitnessSink(id('url', o.url), o.url));
  return sinks;
}

export interface AuditCheckpointJob {
  /** One pass now: a checkpoint of every chain that moved, then publication to the witnesses. */
  runOnce(): Promise<PublishResult[]>;
  /** Publishes what a previous run left unpublished, then runs every interval. */
  start(): void;
  /**
   * Stops the timer and waits for a pass in progress, then signs a last checkpoint of every chain
   * that moved since the previous one and publishes it (graceful shutdown).
   */
  stop(): Promise<void>;
}

/**
 * Signs audit checkpoints in the background (never inside a use case) and publishes them outside
 * the database. Passes never overlap; on several replicas each may sign, which is harmless: a
 * checkpoint at or below a stored one is dropped. The timer does not keep the process alive.
 */
export function createAuditCheckpointJob(o: {
  log: Pick<AuditLog, 'checkpointAll'>;
  publisher?: Pick<CheckpointPublisher, 'runOnce' | 'close'>;
  intervalMs: number;
  onError: (error: Error, tenantId?: string, publisherId?: string) => void;
}): AuditCheckpointJob {
  const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));
  const publish = async (): Promise<PublishResult[]> => {
    const results = (await o.publisher?.runOnce()) ?? [];
    for (const r of results) if (r.error) o.onError(r.error, r.tenantId, r.publisherId);
    return results;
  };
  const runOnce = async (): Promise<PublishResult[]> => {
    for (const r of await o.log.checkpointAll()) if (r.error) o.onError(r.error, r.tenantId);
    return publish();
  };
  const job = repeatEvery(o.intervalMs, runOnce, (e) => o.onError(asError(e)));
  let leftovers: Promise<unknown> | undefined;
  return {
    runOnce,
    start() {
      // A crash between signing and publishing leaves checkpoints unpublished: send them now.
      leftovers ??= publish().catch((e: unknown) => o.onError(asError(e)));
      job.start();
    },
    async stop() {
      await job.stop();
      await leftovers;
      await runOnce().catch((e: unknown) => o.onError(asError(e)));
      await o.publisher?.close();
    },
  };
}
