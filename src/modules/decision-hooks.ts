import { makeHookAsker, type HookAsker } from '../app/decision-hooks/ask.js';
import { makeApprovalHookConsumer } from '../app/decision-hooks/auto-decide.js';
import { makeDecisionHookSettings } from '../app/decision-hooks/hook-settings.js';
import { makeTicketValidation } from '../app/decision-hooks/ticket-validation.js';
import type { OutboxConsumer } from '../app/outbox/ports.js';
import type { CheckTicket } from '../app/pim/create-request.js';
import { decisionHookRoutes } from '../http/routes/decision-hooks.js';
import { decisionHookTransport } from '../jobs/decision-hook-transport.js';
import { decisionHookStores } from '../store/decision-hooks/decision-hook-store.js';
import type { FeatureModule } from './feature-module.js';
import type { Kernel } from './kernel.js';

declare module '../http/services.js' {
  interface Services {
    /** The tenant's decision hooks (ADR 0025). */
    decisionHooks: ReturnType<typeof makeDecisionHookSettings>;
  }
}

const askers = new WeakMap<Kernel, HookAsker>();

/** The kernel's hook caller (one per instance): signed POSTs with the data key's secrets. */
function askerOf(k: Kernel): HookAsker {
  let ask = askers.get(k);
  if (ask === undefined) {
    ask = makeHookAsker({
      transport: decisionHookTransport({ fetch: k.outbound }),
      sealer: k.box,
      clock: k.clock,
      newId: k.newId,
    });
    askers.set(k, ask);
  }
  return ask;
}

/** The ticket validation the PIM request pipeline asks before its transaction. */
export const ticketCheckOf = (k: Kernel): CheckTicket =>
  makeTicketValidation({ uow: k.uow, ask: askerOf(k) });

/** The outbox consumer that asks the decision hooks of approval stages once they start. */
export const approvalHookConsumerOf = (k: Kernel): OutboxConsumer =>
  makeApprovalHookConsumer({ uow: k.uow, clock: k.clock, newId: k.newId, ask: askerOf(k) });

/**
 * Decision hooks: their store and API (`/v1.0/elevate/decisionHooks`). The PIM module asks ticket
 * hooks (`ticketCheckOf`); the composition root registers the approval consumer.
 */
export const decisionHooksModule = {
  name: 'decisionHooks',
  stores: decisionHookStores,
  services: (k) => ({
    decisionHooks: makeDecisionHookSettings({
      uow: k.uow,
      clock: k.clock,
      newId: k.newId,
      sealer: k.box,
      // The operator's setting for every signed outbound call (ELEVATE_NOTIFICATIONS_ALLOW_HTTP).
      allowHttp: k.options.notifications?.allowHttpWebhooks === true,
    }),
  }),
  routes: [{ plugin: decisionHookRoutes, prefix: '/v1.0' }],
} satisfies FeatureModule;
