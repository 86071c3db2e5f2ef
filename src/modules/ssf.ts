import { randomUUID } from 'node:crypto';
import type { OutboxConsumer } from '../app/outbox/ports.js';
import { makeSsfDelivery } from '../app/ssf/deliver.js';
import { makeSsfFanOut } from '../app/ssf/fan-out.js';
import { makeSsfStreams } from '../app/ssf/streams.js';
import { ssfRoutes } from '../http/routes/ssf.js';
import { makeSetSigner } from '../identity/tokens/set-signer.js';
import {
  createSsfDeliveryJob,
  DEFAULT_SSF_WORKER_INTERVAL_MS,
  setTransport,
  type SsfDeliveryJob,
} from '../jobs/ssf-delivery.js';
import { signingKeyStore } from '../store/identity/identity-stores.js';
import { ssfStores, ssfWorkerStore } from '../store/ssf/ssf-stores.js';
import type { FeatureModule } from './feature-module.js';
import type { Kernel } from './kernel.js';

declare module '../http/services.js' {
  interface Services {
    /** Shared Signals streams and the transmitter's metadata (ADR 0040). */
    ssfStreams: ReturnType<typeof makeSsfStreams>;
  }
}

const jobs = new WeakMap<Kernel, SsfDeliveryJob>();

/** The kernel's SET delivery worker (one per Elevate instance). */
export function ssfDeliveryOf(k: Kernel): SsfDeliveryJob {
  let job = jobs.get(k);
  if (job === undefined) {
    const o = k.options.ssf;
    const delivery = makeSsfDelivery({
      store: ssfWorkerStore(k.db.kysely),
      signer: makeSetSigner(signingKeyStore(k.db.kysely, k.box)),
      transport: setTransport({
        fetch: k.outbound,
        ...(o?.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
      }),
      sealer: k.box,
      clock: k.clock,
      replicaId: randomUUID(),
      ...(o?.backoff === undefined ? {} : { backoff: o.backoff }),
      ...(o?.maxAttempts === undefined ? {} : { maxAttempts: o.maxAttempts }),
    });
    job = createSsfDeliveryJob({
      run: () => delivery.runOnce(),
      intervalMs: o?.workerIntervalMs ?? DEFAULT_SSF_WORKER_INTERVAL_MS,
      onError: (err) => {
        if (k.options.logger) k.options.logger.warn({ err }, 'shared signals delivery failed');
      },
    });
    jobs.set(k, job);
  }
  return job;
}

/** The outbox consumer that turns ends of holdings and accounts into SETs for the streams. */
export const ssfConsumerOf = (k: Kernel): OutboxConsumer =>
  makeSsfFanOut({
    uow: k.uow,
    clock: k.clock,
    newId: k.newId,
    issuer: k.options.publicUrl,
    written: () => ssfDeliveryOf(k).nudge(),
  });

/**
 * Shared Signals transmitter (OpenID SSF 1.0, CAEP 1.0; ADR 0040, docs/ssf.md): its stores, the
 * stream management API and `/.well-known/ssf-configuration`; the composition root registers the
 * fan-out consumer and starts the delivery worker.
 */
export const ssfModule = {
  name: 'ssf',
  stores: ssfStores,
  services: (k) => ({
    ssfStreams: makeSsfStreams({
      uow: k.uow,
      clock: k.clock,
      newId: k.newId,
      sealer: k.box,
      issuer: k.options.publicUrl,
      allowHttp: k.options.ssf?.allowHttp === true,
      changed: () => ssfDeliveryOf(k).nudge(),
    }),
  }),
  routes: [{ plugin: ssfRoutes }],
} satisfies FeatureModule;
