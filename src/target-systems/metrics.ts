import { Counter, Registry, Summary } from 'prom-client';
import type { ConnectorMetrics } from '../app/connectors/ports.js';

/** The connectors' Prometheus metrics and their registry (served at `/metrics`, docs/connectors.md). */
export interface PrometheusConnectorMetrics extends ConnectorMetrics {
  /** The text exposition format. */
  render(): Promise<string>;
  contentType: string;
}

/**
 * One registry per Elevate instance (tests run several in a process). Quantiles are summaries
 * over a sliding 10-minute window, so p50/p95 describe recent grants, not the process's life.
 */
export function prometheusConnectorMetrics(): PrometheusConnectorMetrics {
  const registry = new Registry();
  const window = { maxAgeSeconds: 600, ageBuckets: 5, percentiles: [0.5, 0.95, 0.99] };
  const effective = new Summary({
    name: 'elevate_connector_activation_to_effective_seconds',
    help: 'Seconds from the start of a holding in Elevate to the grant confirmed by the target.',
    labelNames: ['connector', 'type'],
    registers: [registry],
    ...window,
  });
  const revoked = new Summary({
    name: 'elevate_connector_end_to_revoked_seconds',
    help: 'Seconds from the end of a holding in Elevate to the revoke confirmed by the target.',
    labelNames: ['connector', 'type'],
    registers: [registry],
    ...window,
  });
  const errors = new Counter({
    name: 'elevate_connector_reconcile_errors_total',
    help: 'Reconciles that failed (target unreachable or refusing).',
    labelNames: ['connector', 'type'],
    registers: [registry],
  });
  const drift = new Counter({
    name: 'elevate_connector_drift_found_total',
    help: 'Differences made outside Elevate: grants removed (repaired) or unmanaged grants (reported).',
    labelNames: ['connector', 'type', 'kind'],
    registers: [registry],
  });
  return {
    effective: (connector, type, s) => effective.observe({ connector, type }, s),
    revoked: (connector, type, s) => revoked.observe({ connector, type }, s),
    reconcileError: (connector, type) => errors.inc({ connector, type }),
    driftFound: (connector, type, kind) => drift.inc({ connector, type, kind }),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
