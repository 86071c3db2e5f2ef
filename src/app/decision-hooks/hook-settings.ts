import {
  checkHookName,
  checkHookSecret,
  checkHookTimeout,
  checkHookUrl,
  DEFAULT_HOOK_TIMEOUT_MS,
  hookSecretContext,
  MAX_HOOKS_PER_TENANT,
  type DecisionHook,
} from '../../domain/decision-hooks/hook.js';
import {
  DECISION_HOOK_ACTIVITIES,
  hookCreated,
  hookDeleted,
  hookUpdated,
  type HookState,
} from '../../domain/decision-hooks/decision-hook-events.js';
import { DECISION_HOOK_RULES } from '../../domain/decision-hooks/permissions.js';
import { BadRequestError, NotFoundError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { makeChange } from '../events/change.js';
import type { Page, Stores, UnitOfWork } from '../ports.js';
import type { Sealer } from './ports.js';

/** A hook as the API shows it: never its secret. */
export interface DecisionHookView {
  id: string;
  displayName: string;
  url: string;
  timeoutMs: number;
  createdAt: number;
  modifiedAt: number;
}

export interface CreateDecisionHook {
  displayName: string;
  url: string;
  secret: string | undefined;
  timeoutMs: number | undefined;
}

export type UpdateDecisionHook = Partial<{
  displayName: string;
  url: string;
  secret: string;
  timeoutMs: number;
}>;

export const hookView = (h: DecisionHook): DecisionHookView => ({
  id: h.id,
  displayName: h.displayName,
  url: h.url,
  timeoutMs: h.timeoutMs,
  createdAt: h.createdAt,
  modifiedAt: h.modifiedAt,
});

const stateOf = (h: DecisionHook): HookState => ({
  id: h.id,
  displayName: h.displayName,
  url: h.url,
  timeoutMs: h.timeoutMs,
});

const notFound = () => new NotFoundError('The decision hook does not exist.', 'Request_ResourceNotFound');

/**
 * Decision hooks of the caller's tenant (`/v1.0/elevate/decisionHooks`): list, create, read,
 * change, delete. The signing secret is required, sealed with the data key bound to the hook and
 * its generation, and never returned; a PATCH may replace it. Every change is audited.
 */
export function makeDecisionHookSettings(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  sealer: Sealer;
  /** Whether `http://` URLs are accepted (operator setting; https otherwise). */
  allowHttp: boolean;
}) {
  const change = makeChange(deps);
  const requested = (id: string | null, name = '') => [
    {
      id,
      displayName: name.slice(0, 200),
      type: 'Other' as const,
      userPrincipalName: null,
      modifiedProperties: [],
    },
  ];
  const writable = async (tx: Stores, caller: Caller, id: string, now: number) => {
    await authorize(tx, caller, DECISION_HOOK_RULES.write, now);
    const h = await tx.decisionHooks.get(caller.tenantId, id);
    if (h === undefined) throw notFound();
    return h;
  };
  const seal = (secret: string, id: string, generation: number) =>
    deps.sealer.seal(secret, hookSecretContext(id, generation));

  return {
    async list(caller: Caller, q: CollectionQuery): Promise<Page<DecisionHookView>> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, DECISION_HOOK_RULES.read, now);
        const page = await tx.decisionHooks.list(caller.tenantId, q);
        return { ...page, items: page.items.map(hookView) };
      });
    },

    /** @throws NotFoundError, ForbiddenError */
    async get(caller: Caller, id: string): Promise<DecisionHookView> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, DECISION_HOOK_RULES.read, now);
        const h = await tx.decisionHooks.get(caller.tenantId, id);
        if (h === undefined) throw notFound();
        return hookView(h);
      });
    },

    /** @throws ValidationError (displayName, url, secret, timeout), BadRequestError (too many), ForbiddenError */
    async create(caller: Caller, cmd: CreateDecisionHook): Promise<DecisionHookView> {
      const displayName = checkHookName(cmd.displayName);
      const url = checkHookUrl(cmd.url, deps.allowHttp);
      const secret = checkHookSecret(cmd.secret);
      const timeoutMs = checkHookTimeout(cmd.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS);
      return change(caller, {
        attempt: { activity: DECISION_HOOK_ACTIVITIES.create, targets: requested(null, displayName) },
        check: async (tx, now) => {
          await authorize(tx, caller, DECISION_HOOK_RULES.write, now);
          if ((await tx.decisionHooks.count(caller.tenantId)) >= MAX_HOOKS_PER_TENANT)
            throw new BadRequestError(
              'Request_BadRequest',
              `A tenant can have at most ${MAX_HOOKS_PER_TENANT} decision hooks.`,
            );
        },
        apply: async ({ tx, now, record }) => {
          const id = deps.newId();
          const h: DecisionHook = {
            id,
            tenantId: caller.tenantId,
            displayName,
            url,
            timeoutMs,
            sealedSecret: seal(secret, id, 1),
            secretVersion: 1,
            createdAt: now,
            modifiedAt: now,
            version: 1,
          };
          await tx.decisionHooks.insert(h);
          record(hookCreated(stateOf(h)));
          return hookView(h);
        },
      });
    },

    /** @throws NotFoundError, ValidationError, ForbiddenError, ConflictError */
    async update(caller: Caller, id: string, patch: UpdateDecisionHook): Promise<DecisionHookView> {
      const displayName = patch.displayName === undefined ? undefined : checkHookName(patch.displayName);
      const url = patch.url === undefined ? undefined : checkHookUrl(patch.url, deps.allowHttp);
      const secret = patch.secret === undefined ? undefined : checkHookSecret(patch.secret);
      const timeoutMs = patch.timeoutMs === undefined ? undefined : checkHookTimeout(patch.timeoutMs);
      return change(caller, {
        attempt: { activity: DECISION_HOOK_ACTIVITIES.update, targets: requested(id) },
        check: (tx, now) => writable(tx, caller, id, now),
        apply: async ({ tx, now, record }, before) => {
          const generation = secret === undefined ? before.secretVersion : before.secretVersion + 1;
          const after: DecisionHook = {
            ...before,
            displayName: displayName ?? before.displayName,
            url: url ?? before.url,
            timeoutMs: timeoutMs ?? before.timeoutMs,
            sealedSecret: secret === undefined ? before.sealedSecret : seal(secret, before.id, generation),
            secretVersion: generation,
            modifiedAt: now,
            version: before.version + 1,
          };
          await tx.decisionHooks.update(after, before.version);
          record(hookUpdated(stateOf(before), stateOf(after), secret !== undefined));
          return hookView(after);
        },
      });
    },

    /**
     * Deletes a hook. Role settings that still name it then fail closed (ticket validation refuses)
     * or leave stages to their human approvers, until they name another hook or none.
     * @throws NotFoundError, ForbiddenError
     */
    async delete(caller: Caller, id: string): Promise<void> {
      await change(caller, {
        attempt: { activity: DECISION_HOOK_ACTIVITIES.delete, targets: requested(id) },
        check: (tx, now) => writable(tx, caller, id, now),
        apply: async ({ tx, record }, h) => {
          await tx.decisionHooks.delete(caller.tenantId, h.id);
          record(hookDeleted(stateOf(h)));
        },
      });
    },
  };
}

/** The secret a hook signs with now. */
export const hookSecret = (h: DecisionHook, sealer: Sealer): string =>
  sealer.open(h.sealedSecret, hookSecretContext(h.id, h.secretVersion));
