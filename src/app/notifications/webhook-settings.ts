import {
  checkEventTypes,
  checkWebhookSecret,
  checkWebhookUrl,
  DEFAULT_ROTATION_OVERLAP_MINUTES,
  MAX_ROTATION_OVERLAP_MINUTES,
  newWebhookSecret,
} from '../../domain/notifications/channel-config.js';
import type { NotificationEventType } from '../../domain/notifications/event-types.js';
import {
  NOTIFICATION_ACTIVITIES,
  webhookCreated,
  webhookDeleted,
  webhookSecretRotated,
  webhookUpdated,
  type WebhookState,
} from '../../domain/notifications/notification-events.js';
import { NOTIFICATION_RULES } from '../../domain/notifications/permissions.js';
import { BadRequestError, NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { makeChange } from '../events/change.js';
import type { Page, Stores, UnitOfWork } from '../ports.js';
import { webhookSecretContext, type Sealer, type WebhookEndpoint } from './ports.js';

/** A webhook endpoint as the API shows it: never its secrets. */
export interface WebhookView {
  id: string;
  url: string;
  description: string | null;
  eventTypes: NotificationEventType[];
  isEnabled: boolean;
  /** During a rotation: until when the previous secret still signs; else null. */
  previousSecretExpiresAt: number | null;
  createdAt: number;
  modifiedAt: number;
}

/** A view with the secret Elevate generated: shown once, in the answer that created it. */
export type WebhookWithSecret = WebhookView & { secret?: string };

export interface CreateWebhook {
  url: string;
  description: string | null;
  eventTypes: string[];
  isEnabled: boolean;
  secret?: string;
}

export type UpdateWebhook = Partial<Omit<CreateWebhook, 'secret'>>;

export interface RotateWebhookSecret {
  secret?: string;
  /** How long the previous secret keeps signing; 0 revokes it at once. */
  previousSecretValidMinutes?: number;
}

/** Most endpoints one tenant may have: each notification is posted to each of them. */
export const MAX_WEBHOOKS_PER_TENANT = 50;

export const webhookView = (w: WebhookEndpoint, now: number): WebhookView => ({
  id: w.id,
  url: w.url,
  description: w.description,
  eventTypes: w.eventTypes,
  isEnabled: w.isEnabled,
  previousSecretExpiresAt:
    w.previousSecretExpiresAt !== null && w.previousSecretExpiresAt > now ? w.previousSecretExpiresAt : null,
  createdAt: w.createdAt,
  modifiedAt: w.modifiedAt,
});

const stateOf = (w: WebhookEndpoint): WebhookState => ({
  id: w.id,
  url: w.url,
  description: w.description,
  eventTypes: w.eventTypes,
  isEnabled: w.isEnabled,
});

const notFound = () => new NotFoundError('The webhook endpoint does not exist.', 'Request_ResourceNotFound');

/**
 * Webhook endpoints of the caller's tenant: list, create, read, change, delete, rotate the signing
 * secret. Secrets are sealed with the data key, bound to the endpoint and its generation, and never
 * returned except once when Elevate generates one. Every change is audited.
 */
export function makeWebhookSettings(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  sealer: Sealer;
  /** Whether `http://` URLs are accepted (operator setting; https otherwise). */
  allowHttp: boolean;
}) {
  const change = makeChange(deps);
  const requested = (id: string | null, url = '') => [
    {
      id,
      displayName: url.slice(0, 200),
      type: 'Other' as const,
      userPrincipalName: null,
      modifiedProperties: [],
    },
  ];
  const writable = async (tx: Stores, caller: Caller, id: string, now: number) => {
    await authorize(tx, caller, NOTIFICATION_RULES.write, now);
    const w = await tx.notificationChannels.webhook(caller.tenantId, id);
    if (w === undefined) throw notFound();
    return w;
  };
  const seal = (secret: string, id: string, generation: number) =>
    deps.sealer.seal(secret, webhookSecretContext(id, generation));

  return {
    async list(caller: Caller, q: CollectionQuery): Promise<Page<WebhookView>> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, NOTIFICATION_RULES.read, now);
        const page = await tx.notificationChannels.webhooks(caller.tenantId, q);
        return { ...page, items: page.items.map((w) => webhookView(w, now)) };
      });
    },

    async get(caller: Caller, id: string): Promise<WebhookView> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, NOTIFICATION_RULES.read, now);
        const w = await tx.notificationChannels.webhook(caller.tenantId, id);
        if (w === undefined) throw notFound();
        return webhookView(w, now);
      });
    },

    /** @throws ValidationError (url, secret, eventTypes), BadRequestError (too many), ForbiddenError */
    async create(caller: Caller, cmd: CreateWebhook): Promise<WebhookWithSecret> {
      const url = checkWebhookUrl(cmd.url, deps.allowHttp);
      const eventTypes = checkEventTypes(cmd.eventTypes);
      const given = cmd.secret === undefined ? undefined : checkWebhookSecret(cmd.secret);
      return change(caller, {
        attempt: { activity: NOTIFICATION_ACTIVITIES.webhookCreate, targets: requested(null, url) },
        check: async (tx, now) => {
          await authorize(tx, caller, NOTIFICATION_RULES.write, now);
          const existing = await tx.notificationChannels.webhooks(caller.tenantId, {
            expand: [],
            orderBy: [],
            top: MAX_WEBHOOKS_PER_TENANT,
            skip: 0,
            count: false,
          });
          if (existing.hasMore || existing.items.length >= MAX_WEBHOOKS_PER_TENANT)
            throw new BadRequestError(
              'Request_BadRequest',
              `A tenant can have at most ${MAX_WEBHOOKS_PER_TENANT} webhook endpoints.`,
            );
        },
        apply: async ({ tx, now, record }) => {
          const id = deps.newId();
          const secret = given ?? newWebhookSecret();
          const w: WebhookEndpoint = {
            id,
            tenantId: caller.tenantId,
            url,
            description: cmd.description,
            eventTypes,
            isEnabled: cmd.isEnabled,
            sealedSecret: seal(secret, id, 1),
            sealedPreviousSecret: null,
            previousSecretExpiresAt: null,
            secretVersion: 1,
            createdAt: now,
            modifiedAt: now,
            version: 1,
          };
          await tx.notificationChannels.insertWebhook(w);
          record(webhookCreated(stateOf(w)));
          return { ...webhookView(w, now), ...(given === undefined ? { secret } : {}) };
        },
      });
    },

    /** @throws NotFoundError, ValidationError, ForbiddenError, ConflictError */
    async update(caller: Caller, id: string, patch: UpdateWebhook): Promise<WebhookView> {
      const url = patch.url === undefined ? undefined : checkWebhookUrl(patch.url, deps.allowHttp);
      const eventTypes = patch.eventTypes === undefined ? undefined : checkEventTypes(patch.eventTypes);
      return change(caller, {
        attempt: { activity: NOTIFICATION_ACTIVITIES.webhookUpdate, targets: requested(id) },
        check: (tx, now) => writable(tx, caller, id, now),
        apply: async ({ tx, now, record }, before) => {
          const after: WebhookEndpoint = {
            ...before,
            url: url ?? before.url,
            description: patch.description !== undefined ? patch.description : before.description,
            eventTypes: eventTypes ?? before.eventTypes,
            isEnabled: patch.isEnabled ?? before.isEnabled,
            modifiedAt: now,
            version: before.version + 1,
          };
          await tx.notificationChannels.updateWebhook(after, before.version);
          record(webhookUpdated(stateOf(before), stateOf(after)));
          return webhookView(after, now);
        },
      });
    },

    /** @throws NotFoundError, ForbiddenError */
    async delete(caller: Caller, id: string): Promise<void> {
      await change(caller, {
        attempt: { activity: NOTIFICATION_ACTIVITIES.webhookDelete, targets: requested(id) },
        check: (tx, now) => writable(tx, caller, id, now),
        apply: async ({ tx, record }, w) => {
          await tx.notificationChannels.deleteWebhook(caller.tenantId, w.id);
          record(webhookDeleted(stateOf(w)));
        },
      });
    },

    /**
     * A new signing secret (given, or generated and returned once). The current one becomes the
     * previous one and keeps signing for `previousSecretValidMinutes` (default a day), so receivers
     * can switch without missing a call: during the overlap every call carries both signatures.
     * @throws NotFoundError, ValidationError, ForbiddenError, ConflictError
     */
    async rotateSecret(caller: Caller, id: string, cmd: RotateWebhookSecret): Promise<WebhookWithSecret> {
      const given = cmd.secret === undefined ? undefined : checkWebhookSecret(cmd.secret);
      const minutes = cmd.previousSecretValidMinutes ?? DEFAULT_ROTATION_OVERLAP_MINUTES;
      if (!Number.isInteger(minutes) || minutes < 0 || minutes > MAX_ROTATION_OVERLAP_MINUTES)
        throw new ValidationError(
          `previousSecretValidMinutes must be an integer from 0 to ${MAX_ROTATION_OVERLAP_MINUTES}.`,
          'previousSecretValidMinutes',
        );
      return change(caller, {
        attempt: { activity: NOTIFICATION_ACTIVITIES.webhookRotateSecret, targets: requested(id) },
        check: (tx, now) => writable(tx, caller, id, now),
        apply: async ({ tx, now, record }, before) => {
          const secret = given ?? newWebhookSecret();
          const generation = before.secretVersion + 1;
          const overlap = minutes > 0;
          const after: WebhookEndpoint = {
            ...before,
            sealedSecret: seal(secret, before.id, generation),
            sealedPreviousSecret: overlap ? before.sealedSecret : null,
            previousSecretExpiresAt: overlap ? now + minutes * 60_000 : null,
            secretVersion: generation,
            modifiedAt: now,
            version: before.version + 1,
          };
          await tx.notificationChannels.updateWebhook(after, before.version);
          record(
            webhookSecretRotated(
              stateOf(after),
              after.previousSecretExpiresAt === null
                ? null
                : new Date(after.previousSecretExpiresAt).toISOString(),
            ),
          );
          return { ...webhookView(after, now), ...(given === undefined ? { secret } : {}) };
        },
      });
    },
  };
}
