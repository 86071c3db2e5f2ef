import { repeatEvery } from './repeat.js';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { AuditForwarder, ForwardResult, ForwardTarget } from '../app/audit-export/forwarder.js';
import type { AuditRetention } from '../app/audit-export/retention.js';
import type { AuditDestination } from '../config/audit-forward.js';
import {
  checkpointBody,
  recordBody,
  syslogCheckpointRecord,
  syslogRecord,
} from '../domain/audit-export/format.js';
import { fileSink, tcpSyslogSink, udpSyslogSink } from './audit-sinks.js';

/** Pause between forwarding runs when the composition root does not say otherwise. */
export const DEFAULT_AUDIT_FORWARD_INTERVAL_MS = 5_000;

/** The transport and rendering of each configured destination; TLS files are read here, once. */
export function forwardTargets(destinations: readonly AuditDestination[]): ForwardTarget[] {
  return destinations.map((d): ForwardTarget => {
    if (d.type === 'file')
      return {
        sink: fileSink(d.id, d.path),
        render: (e) => recordBody(e, d.format),
        renderCheckpoint: (r) => checkpointBody(r, d.format),
      };
    const host = d.hostname ?? hostname();
    const render: ForwardTarget['render'] = (e) => syslogRecord(e, d.format, host);
    const renderCheckpoint: ForwardTarget['renderCheckpoint'] = (r) =>
      syslogCheckpointRecord(r, d.format, host);
    if (d.transport === 'udp') return { sink: udpSyslogSink(d.id, d), render, renderCheckpoint };
    const read = (p: string | undefined) => (p === undefined ? undefined : readFileSync(p));
    const tls =
      d.transport === 'tls'
        ? {
            ...(d.caFile ? { ca: read(d.caFile) } : {}),
            ...(d.certFile ? { cert: read(d.certFile) } : {}),
            ...(d.keyFile ? { key: read(d.keyFile) } : {}),
            ...(d.servername ? { servername: d.servername } : {}),
          }
        : undefined;
    return {
      sink: tcpSyslogSink(d.id, { host: d.host, port: d.port, ...(tls ? { tls } : {}) }),
      render,
      renderCheckpoint,
    };
  });
}

export interface AuditForwarderJob {
  /** One pass now (tests, and the CLI). */
  runOnce(): Promise<ForwardResult[]>;
  start(): void;
  /**
   * Stops the timer, waits for a run in progress, gives up leases, closes transports. With
   * `flush`, one last run first sends what is new (the checkpoint signed at shutdown).
   */
  stop(options?: { flush?: boolean }): Promise<void>;
}

/**
 * Runs the forwarder in-process every `intervalMs`. Runs never overlap; a failing destination is
 * reported and retried on the next run from its cursor.
 */
export function createAuditForwarderJob(o: {
  forwarder: AuditForwarder;
  intervalMs: number;
  /** Pruning after forwarding, at most once per `retentionIntervalMs` (default hourly). */
  retention?: Pick<AuditRetention, 'pruneAll'>;
  retentionIntervalMs?: number;
  onError?: (err: Error, destinationId?: string, tenantId?: string) => void;
}): AuditForwarderJob {
  let lastPrune = -Infinity;
  const runOnce = async () => {
    const results = await o.forwarder.runOnce();
    for (const r of results) if (r.error) o.onError?.(r.error, r.destinationId, r.tenantId);
    // Elapsed time between prunes only paces the job; what gets deleted is decided on the Clock.
    const started = performance.now();
    if (o.retention && started - lastPrune >= (o.retentionIntervalMs ?? 3_600_000)) {
      lastPrune = started;
      await o.retention
        .pruneAll()
        .catch((e: unknown) => o.onError?.(e instanceof Error ? e : new Error(String(e))));
    }
    return results;
  };

  const job = repeatEvery(
    o.intervalMs,
    () => runOnce(),
    (err) => o.onError?.(err instanceof Error ? err : new Error(String(err))),
  );
  return {
    runOnce,
    start: job.start,
    async stop(options = {}) {
      await job.stop();
      if (options.flush)
        await runOnce().catch((e: unknown) => o.onError?.(e instanceof Error ? e : new Error(String(e))));
      await o.forwarder.close();
    },
  };
}
