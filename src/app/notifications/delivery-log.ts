import type { Delivery } from '../../domain/notifications/delivery.js';
import { deliveryRetried, NOTIFICATION_ACTIVITIES } from '../../domain/notifications/notification-events.js';
import { NOTIFICATION_RULES } from '../../domain/notifications/permissions.js';
import { ConflictError, NotFoundError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { makeChange } from '../events/change.js';
import type { Page, UnitOfWork } from '../ports.js';

const notFound = () => new NotFoundError('The delivery does not exist.', 'Request_ResourceNotFound');

/**
 * The delivery log of the caller's tenant (`GET …/notifications/deliveries`, OData-filtered and
 * paged) and the operator's retry of a dead delivery: it goes back to `pending` with its attempts
 * reset, audited, and the worker is nudged.
 */
export function makeDeliveryLog(deps: {
  uow: UnitOfWork;
  clock: Clock;
  /** Called after a retry committed (the worker's nudge). */
  requeued?: () => void;
}) {
  const change = makeChange(deps);
  return {
    async list(caller: Caller, q: CollectionQuery): Promise<Page<Delivery>> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, NOTIFICATION_RULES.read, deps.clock.now());
        return tx.notificationDeliveries.list(caller.tenantId, q);
      });
    },

    async get(caller: Caller, id: string): Promise<Delivery> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, NOTIFICATION_RULES.read, deps.clock.now());
        const d = await tx.notificationDeliveries.get(caller.tenantId, id);
        if (d === undefined) throw notFound();
        return d;
      });
    },

    /**
     * Puts a dead delivery back in the queue, due now, with a fresh set of attempts.
     * @throws NotFoundError, ConflictError (it is not dead), ForbiddenError
     */
    async retry(caller: Caller, id: string): Promise<void> {
      await change(caller, {
        attempt: {
          activity: NOTIFICATION_ACTIVITIES.deliveryRetry,
          targets: [
            { id, displayName: null, type: 'Other', userPrincipalName: null, modifiedProperties: [] },
          ],
        },
        check: async (tx, now) => {
          await authorize(tx, caller, NOTIFICATION_RULES.write, now);
          const d = await tx.notificationDeliveries.get(caller.tenantId, id);
          if (d === undefined) throw notFound();
          if (d.status !== 'dead')
            throw new ConflictError(`Only dead deliveries can be retried; this one is ${d.status}.`);
          return d;
        },
        apply: async ({ tx, now, record }, d) => {
          if (!(await tx.notificationDeliveries.requeueDead(caller.tenantId, d.id, now)))
            throw new ConflictError('The delivery changed meanwhile; read it again.');
          record(deliveryRetried(d));
        },
      });
      deps.requeued?.();
    },
  };
}
