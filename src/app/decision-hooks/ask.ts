import type { DecisionHook } from '../../domain/decision-hooks/hook.js';
import type { Clock } from '../../domain/time/clock.js';
import { hookSecret } from './hook-settings.js';
import { HookCallError, type HookTransport, type Sealer } from './ports.js';

/** A hook's answer (the JSON of a 2xx reply) or why there is none; with the call's latency. */
export type Asked =
  { ok: true; json: unknown; latencyMs: number } | { ok: false; error: string; latencyMs: number };

/**
 * Asks a hook: one Standard-Webhooks-signed POST of `{type, version: 1, timestamp, …data}` with a
 * fresh `webhook-id`, never inside a transaction. Errors come back as values: callers decide how
 * to fail (closed for tickets, to humans for approval stages).
 */
export function makeHookAsker(deps: {
  transport: HookTransport;
  sealer: Sealer;
  clock: Clock;
  newId: () => string;
}) {
  return async function ask(
    hook: DecisionHook,
    type: 'ticket.validate' | 'approval.decide',
    data: Record<string, unknown>,
  ): Promise<Asked> {
    const now = deps.clock.now();
    const body = JSON.stringify({ type, version: 1, timestamp: new Date(now).toISOString(), ...data });
    try {
      const reply = await deps.transport.post({
        url: hook.url,
        id: deps.newId(),
        timestamp: now,
        body,
        secret: hookSecret(hook, deps.sealer),
        timeoutMs: hook.timeoutMs,
      });
      return { ok: true, json: reply.json, latencyMs: reply.latencyMs };
    } catch (e) {
      if (e instanceof HookCallError) return { ok: false, error: e.message, latencyMs: e.latencyMs };
      return { ok: false, error: 'the hook could not be called', latencyMs: 0 };
    }
  };
}

export type HookAsker = ReturnType<typeof makeHookAsker>;
