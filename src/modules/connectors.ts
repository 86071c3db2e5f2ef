import { makeConnectorSettings } from '../app/connectors/connector-settings.js';
import { makeReconciler } from '../app/connectors/reconcile.js';
import type { OutboxConsumer } from '../app/outbox/ports.js';
import { prometheusConnectorMetrics, type PrometheusConnectorMetrics } from '../target-systems/metrics.js';
import { targetSystems } from '../target-systems/drivers.js';
import { connectorRoutes } from '../http/routes/connectors.js';
import { metricsRoutes } from '../http/routes/metrics.js';
import {
  connectorWakeUp,
  createConnectorReconciler,
  DEFAULT_CONNECTOR_DRIFT_INTERVAL_MS,
  type ConnectorReconcilerJob,
} from '../jobs/connector-reconciler.js';
import { connectorLeaseStore } from '../store/connectors/grant-store.js';
import { connectorStores } from '../store/connectors/stores.js';
import type { FeatureModule } from './feature-module.js';
import type { Kernel } from './kernel.js';

declare module '../http/services.js' {
  interface Services {
    /** The tenant's connectors and their mappings (ADR 0030). */
    connectors: ReturnType<typeof makeConnectorSettings>;
    /** `/metrics`: the Prometheus exposition, behind the operator's token. */
    metrics: { token: string | undefined; contentType: string; render(): Promise<string> };
  }
}

interface Wired {
  metrics: PrometheusConnectorMetrics;
  job: ConnectorReconcilerJob;
}
const wired = new WeakMap<Kernel, Wired>();

/** The drivers that open target systems: the built-in ones unless the options give others. */
const targetsOf = (k: Kernel) => k.options.connectors?.targets ?? targetSystems(k.outbound);

/** The kernel's reconciler job and metrics (one per Elevate instance). */
export function connectorsOf(k: Kernel): Wired {
  let w = wired.get(k);
  if (w === undefined) {
    const metrics = prometheusConnectorMetrics();
    const o = k.options.connectors;
    const job = createConnectorReconciler({
      reconciler: makeReconciler({ uow: k.uow, clock: k.clock, newId: k.newId, metrics }),
      leases: connectorLeaseStore(k.db.kysely),
      targets: targetsOf(k),
      sealer: k.box,
      clock: k.clock,
      replicaId: k.newId(),
      driftIntervalMs: o?.driftIntervalMs ?? DEFAULT_CONNECTOR_DRIFT_INTERVAL_MS,
      ...(o?.backoff === undefined ? {} : { backoff: o.backoff }),
      metrics,
      onError: (err, connectorId) => {
        if (k.options.logger) k.options.logger.warn({ err, connectorId }, 'connector reconcile failed');
      },
    });
    w = { metrics, job };
    wired.set(k, w);
  }
  return w;
}

/** The outbox consumer that wakes the reconcilers after what Elevate holds may have changed. */
export const connectorConsumerOf = (k: Kernel): OutboxConsumer => connectorWakeUp(connectorsOf(k).job);

/**
 * Connectors: their stores, API (`/v1.0/elevate/connectors`), `/metrics`; the composition root
 * starts the reconciler job and registers its outbox consumer.
 */
export const connectorsModule = {
  name: 'connectors',
  stores: connectorStores,
  services: (k) => {
    const { metrics, job } = connectorsOf(k);
    return {
      connectors: makeConnectorSettings({
        uow: k.uow,
        clock: k.clock,
        newId: k.newId,
        sealer: k.box,
        targets: targetsOf(k),
        // The operator's setting for every signed outbound call (ELEVATE_NOTIFICATIONS_ALLOW_HTTP).
        allowHttp: k.options.notifications?.allowHttpWebhooks === true,
        changed: (id) => job.nudge(id),
      }),
      metrics: {
        token: k.options.metricsToken,
        contentType: metrics.contentType,
        render: () => metrics.render(),
      },
    };
  },
  routes: [{ plugin: connectorRoutes, prefix: '/v1.0' }, { plugin: metricsRoutes }],
} satisfies FeatureModule;
