import type { AuditLog } from './audit-log.js';

/** How often a running server signs a checkpoint of every chain that moved. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 15 * 60 * 1000;

/**
 * Signs checkpoints periodically in the background (never inside a use case). Runs never overlap;
 * on several replicas each may sign, which is harmless: a checkpoint at a seq that has one already
 * is not stored twice. The timer does not keep the process alive.
 */
export function scheduleCheckpoints(
  log: Pick<AuditLog, 'checkpointAll'>,
  intervalMs: number,
  onError: (error: Error, tenantId?: string) => void,
): { stop(): void } {
  let busy = false;
  const tick = () => {
    if (busy) return;
    busy = true;
    log
      .checkpointAll()
      .then((results) => {
        for (const r of results) if (r.error) onError(r.error, r.tenantId);
      })
      .catch((e: unknown) => onError(e instanceof Error ? e : new Error(String(e))))
      .finally(() => {
        busy = false;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
