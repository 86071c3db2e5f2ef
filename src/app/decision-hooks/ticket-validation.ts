import { parseTicketAnswer, type TicketCheck } from '../../domain/decision-hooks/answers.js';
import { ruleFor } from '../../domain/pim/policy-checks.js';
import type { Window } from '../../domain/pim/types.js';
import type { Caller } from '../authorization/caller.js';
import type { UnitOfWork } from '../ports.js';
import { gather, type CreateScheduleRequest, type Gathered } from '../pim/gather.js';
import type { HookAsker } from './ask.js';

const blank = (s: string | null | undefined) => s === null || s === undefined || s.trim() === '';

/**
 * Ticket validation (ADR 0025): before the activation's transaction, reads the role's activation
 * rule; when it requires a ticket, names a hook and the request carries one, asks the hook
 * (`ticket.validate`) and returns what it said. The request's own transaction then judges it
 * (`checkEnablement`), so no HTTP call runs inside a transaction. Returns null when nothing was
 * asked; a hook that is gone, silent, failing or talking nonsense gives `failed` (fail closed).
 */
export function makeTicketValidation(deps: { uow: UnitOfWork; ask: HookAsker }) {
  return async function checkTicket(
    caller: Caller,
    cmd: CreateScheduleRequest,
    window: Window | null,
    now: number,
  ): Promise<TicketCheck | null> {
    if (cmd.action !== 'selfActivate') return null;
    const ticket = cmd.ticketInfo;
    if (ticket === null || blank(ticket.ticketNumber) || blank(ticket.ticketSystem)) return null;
    const found = await deps.uow.run(async (tx) => {
      let g: Gathered;
      try {
        g = await gather(tx, caller, cmd, window, now);
      } catch {
        return null; // the request's own unit reports it
      }
      if (!g.isPrincipal) return null;
      const rule = ruleFor(g.rules, 'Enablement_EndUser_Assignment');
      const hookId = rule?.ticketValidationHookId;
      if (hookId === undefined || !rule?.enabledRules.includes('Ticketing')) return null;
      return { g, hookId, hook: await tx.decisionHooks.get(caller.tenantId, hookId) };
    });
    if (found === null) return null;
    const { g, hookId, hook } = found;
    if (hook === undefined)
      return {
        hookId,
        outcome: 'failed',
        reason: 'the ticket validation hook no longer exists',
        latencyMs: 0,
      };
    const asked = await deps.ask(hook, 'ticket.validate', {
      tenantId: caller.tenantId,
      ticketNumber: ticket.ticketNumber,
      ticketSystem: ticket.ticketSystem,
      principal: {
        id: g.principal.id,
        type: g.principal.type,
        displayName: g.principal.displayName,
        userPrincipalName: g.principal.userPrincipalName,
      },
      role: { id: g.role.id, displayName: g.role.displayName },
      scope: { resourceType: cmd.resourceType ?? 'directoryRole', directoryScopeId: cmd.directoryScopeId },
      justification: cmd.justification,
    });
    if (!asked.ok) return { hookId, outcome: 'failed', reason: asked.error, latencyMs: asked.latencyMs };
    const answer = parseTicketAnswer(asked.json);
    if ('malformed' in answer)
      return { hookId, outcome: 'failed', reason: answer.malformed, latencyMs: asked.latencyMs };
    return {
      hookId,
      outcome: answer.valid ? 'valid' : 'invalid',
      reason: answer.reason,
      latencyMs: asked.latencyMs,
    };
  };
}

export type TicketValidation = ReturnType<typeof makeTicketValidation>;
