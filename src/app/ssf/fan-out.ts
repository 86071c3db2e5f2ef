import { activeRoleIds } from '../authorization/authorize.js';
import type { DeliveredMessage, OutboxConsumer } from '../outbox/ports.js';
import type { Stores, UnitOfWork } from '../ports.js';
import { buildSet, caepEvent, userSubject, type CurrentClaims } from '../../domain/ssf/set.js';
import { CAEP_TOKEN_CLAIMS_CHANGE, eventsDelivered, type Stream } from '../../domain/ssf/stream.js';
import { SSF_EVENT_TYPES, triggerOf } from '../../domain/ssf/triggers.js';
import type { Clock } from '../../domain/time/clock.js';
import type { SetDelivery } from './ports.js';

/** The outbox consumer's name: the key of its cursor. */
export const SSF_CONSUMER = 'ssf';

/**
 * The claims the principal's tokens carry now: `wids` as the authorization server computes them
 * (templates of the directory roles active at `now`) and `groups` (transitive memberships).
 */
async function claimsAt(
  tx: Stores,
  tenantId: string,
  principalId: string,
  now: number,
): Promise<CurrentClaims> {
  const roleIds = await activeRoleIds(tx, tenantId, principalId, now);
  const wids = new Set<string>();
  for (const roleId of roleIds) {
    const role = await tx.roleDefinitions.get(tenantId, roleId);
    wids.add((role?.templateId ?? roleId).toLowerCase());
  }
  const groups = await tx.groups.transitiveMemberOf(tenantId, principalId, now);
  return { wids: [...wids].sort(), groups: [...groups].sort() };
}

/**
 * The Shared Signals fan-out (ADR 0040): for each published end of a holding or account, one SET
 * per CAEP event type for every stream of the tenant that asked for it and is not disabled,
 * written in one transaction; the delivery worker pushes them. Idempotent by message: a message
 * handed over again writes nothing new (one SET per stream, message and event type).
 */
export function makeSsfFanOut(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  issuer: string;
  /** Wakes the delivery worker after SETs were written. */
  written?: () => void;
}): OutboxConsumer {
  return {
    name: SSF_CONSUMER,
    from: 'end',
    accepts: (type) => SSF_EVENT_TYPES.has(type),
    async handle(m: DeliveredMessage) {
      const trigger = triggerOf(m);
      if (trigger === undefined) return;
      const principalId = trigger.principalId.toLowerCase();
      const wantedOf = (streams: readonly Stream[]) =>
        streams
          .filter((s) => s.status !== 'disabled')
          .flatMap((s) =>
            eventsDelivered(s.eventsRequested)
              .filter((type) => trigger.events.includes(type))
              .map((type) => ({ s, type })),
          );
      // Most tenants have no stream that wants this: finding that out costs one statement.
      if (wantedOf(await deps.uow.read((db) => db.ssfStreams.list(m.tenantId))).length === 0) return;
      const now = deps.clock.now();
      const written = await deps.uow.run(async (tx) => {
        const wanted = wantedOf(await tx.ssfStreams.list(m.tenantId));
        if (wanted.length === 0) return 0;
        const claims = wanted.some((w) => w.type === CAEP_TOKEN_CLAIMS_CHANGE)
          ? await claimsAt(tx, m.tenantId, principalId, now)
          : undefined;
        const subject = userSubject(deps.issuer, m.tenantId, principalId);
        const deliveries = wanted.map(({ s, type }): SetDelivery => {
          const jti = deps.newId();
          return {
            id: jti,
            tenantId: m.tenantId,
            streamId: s.id,
            eventId: m.id,
            eventType: type,
            claims: buildSet({
              issuer: deps.issuer,
              jti,
              now,
              audience: s.audience,
              txn: m.id,
              subject,
              type,
              event: caepEvent(type, trigger, claims),
            }),
            status: 'pending',
            attempts: 0,
            lastError: null,
            createdAt: now,
            sentAt: null,
          };
        });
        return tx.ssfDeliveries.insertNew(deliveries);
      });
      if (written > 0) deps.written?.();
    },
  };
}
