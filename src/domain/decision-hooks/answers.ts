/**
 * What a decision hook answers, checked strictly: anything else is a malformed answer, which
 * fails closed for tickets and falls back to human approvers for approval stages (ADR 0025).
 */

/** Longest reason kept from an answer (it lands in error messages and the audit log). */
export const MAX_REASON_LENGTH = 500;

/** One line, bounded, without control characters. */
function reasonOf(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const line = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line === '' ? null : line.slice(0, MAX_REASON_LENGTH);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{ "valid": true|false, "reason"?: string }`. */
export type TicketAnswer = { valid: boolean; reason: string | null };

/** The answer to `ticket.validate`, or a description of what is wrong with it. */
export function parseTicketAnswer(body: unknown): TicketAnswer | { malformed: string } {
  if (!isObject(body) || typeof body.valid !== 'boolean')
    return { malformed: 'the answer is not {"valid": true|false, "reason": "…"}' };
  const reason = reasonOf(body.reason);
  if (reason === undefined) return { malformed: 'reason must be a string' };
  return { valid: body.valid, reason };
}

export const HOOK_DECISIONS = ['approve', 'deny', 'defer'] as const;
export type HookDecision = (typeof HOOK_DECISIONS)[number];

/** `{ "decision": "approve"|"deny"|"defer", "reason"?: string }`. */
export type DecisionAnswer = { decision: HookDecision; reason: string | null };

/** The answer to `approval.decide`, or a description of what is wrong with it. */
export function parseDecisionAnswer(body: unknown): DecisionAnswer | { malformed: string } {
  const decision = isObject(body) ? body.decision : undefined;
  if (typeof decision !== 'string' || !(HOOK_DECISIONS as readonly string[]).includes(decision))
    return { malformed: 'the answer is not {"decision": "approve"|"deny"|"defer", "reason": "…"}' };
  const reason = reasonOf((body as Record<string, unknown>).reason);
  if (reason === undefined) return { malformed: 'reason must be a string' };
  return { decision: decision as HookDecision, reason };
}

/**
 * The outcome of asking a hook to validate a ticket, as the policy evaluation reads it: `valid`,
 * `invalid` (the hook said so, with its reason), or `failed` (no usable answer: timeout, error,
 * non-2xx, malformed, or the hook no longer exists).
 */
export interface TicketCheck {
  hookId: string;
  outcome: 'valid' | 'invalid' | 'failed';
  /** The hook's reason (`invalid`) or what went wrong (`failed`). */
  reason: string | null;
  latencyMs: number;
}
