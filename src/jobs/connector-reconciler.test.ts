import { describe, expect, it } from 'vitest';
import type { Reconciler } from '../app/connectors/reconcile.js';
import type { TargetSystem } from '../app/connectors/ports.js';
import type { Connector } from '../domain/connectors/connector.js';
import type { ReconcileScope } from '../domain/connectors/reconcile-scope.js';
import { systemClock } from '../domain/time/clock.js';
import { createConnectorReconciler } from './connector-reconciler.js';

/**
 * The job's scheduling only: the reconciler and its reads are stand-ins that count calls (what
 * they do against real databases and targets is covered in test/connectors).
 */
function harness(connectors: number) {
  const enabled: Connector[] = Array.from({ length: connectors }, (_, i) => ({
    id: `c${i}`,
    tenantId: 't',
    displayName: `c${i}`,
    type: 'webhook',
    settings: {},
    loginSource: 'userPrincipalName',
    isEnabled: true,
    sealedSecret: null,
    secretVersion: 0,
    createdAt: 0,
    modifiedAt: 0,
    version: 1,
  })) as unknown as Connector[];
  const calls = { enabled: 0, scopes: [] as ReconcileScope[] };
  const reconciler = {
    async enabled() {
      calls.enabled += 1;
      // A read takes a while: nudges arriving meanwhile are what must share it.
      await new Promise((r) => setTimeout(r, 5));
      return enabled;
    },
    async reconcile(
      _tenant: string,
      _id: string,
      _target: TargetSystem,
      _reported: Set<string>,
      scope: ReconcileScope,
    ) {
      calls.scopes.push(scope);
      return {
        granted: 0,
        revoked: 0,
        driftRepaired: 0,
        unmanaged: 0,
        nextChangeAt: null,
        asOf: systemClock.now(),
        scope: scope.kind,
      };
    },
    async recordUnreachable() {},
  } as unknown as Reconciler;
  const target: TargetSystem = {
    grant: async () => undefined,
    revoke: async () => undefined,
    list: async () => [],
    close: async () => undefined,
  } as unknown as TargetSystem;
  const job = createConnectorReconciler({
    reconciler,
    leases: { claim: async () => true, release: async () => undefined },
    targets: () => target,
    sealer: { seal: (p) => p, open: (s) => s },
    clock: systemClock,
    replicaId: 'r1',
    driftIntervalMs: 0,
  });
  return { job, calls };
}

describe('connector reconciler job: a burst of nudges', () => {
  it('shares one read of the enabled connectors and names every user to the run', async () => {
    const { job, calls } = harness(2);
    job.start();
    await job.idle();
    const before = calls.enabled;
    // As the relay hands over a batch: 200 messages in one turn, each naming a user.
    for (let i = 0; i < 200; i += 1) job.nudge(undefined, [`u${i}`]);
    await job.idle();
    // One read for the burst (a run per connector reads once more for itself).
    expect(calls.enabled - before).toBeLessThanOrEqual(1 + 2 * 2);
    const named = new Set(calls.scopes.flatMap((s) => (s.kind === 'principals' ? s.principalIds : [])));
    for (let i = 0; i < 200; i += 1) expect(named.has(`u${i}`)).toBe(true);
    await job.stop();
  });

  it('a nudge naming no user makes the shared run a full one', async () => {
    const { job, calls } = harness(1);
    job.start();
    await job.idle();
    calls.scopes.length = 0;
    job.nudge(undefined, ['u1']);
    job.nudge(undefined, undefined);
    job.nudge(undefined, ['u2']);
    await job.idle();
    expect(calls.scopes.map((s) => s.kind)).toContain('full');
    await job.stop();
  });
});
