import { checkEventTypes, checkWebhookUrl } from '../../domain/notifications/channel-config.js';
import type { ChatKind, NotificationEventType } from '../../domain/notifications/event-types.js';
import {
  chatChannelCreated,
  chatChannelDeleted,
  chatChannelUpdated,
  NOTIFICATION_ACTIVITIES,
  type ChatChannelState,
} from '../../domain/notifications/notification-events.js';
import { NOTIFICATION_RULES } from '../../domain/notifications/permissions.js';
import { hasControl } from '../../domain/notifications/text.js';
import { BadRequestError, NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { makeChange } from '../events/change.js';
import type { Page, Stores, UnitOfWork } from '../ports.js';
import { chatUrlContext, type ChatChannel, type Sealer } from './ports.js';

/** A Slack or Teams channel as the API shows it: its URL's host, never the URL. */
export interface ChatChannelView {
  id: string;
  kind: ChatKind;
  displayName: string;
  urlHost: string;
  eventTypes: NotificationEventType[];
  isEnabled: boolean;
  createdAt: number;
  modifiedAt: number;
}

export interface CreateChatChannel {
  kind: ChatKind;
  displayName: string;
  url: string;
  eventTypes: string[];
  isEnabled: boolean;
}

export type UpdateChatChannel = Partial<Omit<CreateChatChannel, 'kind'>>;

/** Most chat channels one tenant may have. */
export const MAX_CHAT_CHANNELS_PER_TENANT = 50;

export const chatChannelView = (c: ChatChannel): ChatChannelView => ({
  id: c.id,
  kind: c.kind,
  displayName: c.displayName,
  urlHost: c.urlHost,
  eventTypes: c.eventTypes,
  isEnabled: c.isEnabled,
  createdAt: c.createdAt,
  modifiedAt: c.modifiedAt,
});

const stateOf = (c: ChatChannel): ChatChannelState => ({
  id: c.id,
  kind: c.kind,
  displayName: c.displayName,
  urlHost: c.urlHost,
  eventTypes: c.eventTypes,
  isEnabled: c.isEnabled,
});

const notFound = () => new NotFoundError('The chat channel does not exist.', 'Request_ResourceNotFound');

const checkDisplayName = (name: string): string => {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 128 || hasControl(trimmed))
    throw new ValidationError('displayName must be one line of 1 to 128 characters.', 'displayName');
  return trimmed;
};

/**
 * Slack and Teams channels of the caller's tenant (incoming webhooks): list, create, read, change,
 * delete. The incoming-webhook URL is the channel's credential: sealed with the data key, bound to
 * the channel, never returned (only its host). Every change is audited.
 */
export function makeChatChannelSettings(deps: {
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
    await authorize(tx, caller, NOTIFICATION_RULES.write, now);
    const c = await tx.notificationChannels.chatChannel(caller.tenantId, id);
    if (c === undefined) throw notFound();
    return c;
  };
  const seal = (url: string, id: string) => deps.sealer.seal(url, chatUrlContext(id));

  return {
    async list(caller: Caller, q: CollectionQuery): Promise<Page<ChatChannelView>> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, NOTIFICATION_RULES.read, now);
        const page = await tx.notificationChannels.chatChannels(caller.tenantId, q);
        return { ...page, items: page.items.map(chatChannelView) };
      });
    },

    async get(caller: Caller, id: string): Promise<ChatChannelView> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, NOTIFICATION_RULES.read, now);
        const c = await tx.notificationChannels.chatChannel(caller.tenantId, id);
        if (c === undefined) throw notFound();
        return chatChannelView(c);
      });
    },

    /** @throws ValidationError (url, displayName, eventTypes), BadRequestError (too many), ForbiddenError */
    async create(caller: Caller, cmd: CreateChatChannel): Promise<ChatChannelView> {
      const url = checkWebhookUrl(cmd.url, deps.allowHttp);
      const displayName = checkDisplayName(cmd.displayName);
      const eventTypes = checkEventTypes(cmd.eventTypes);
      return change(caller, {
        attempt: {
          activity: NOTIFICATION_ACTIVITIES.chatChannelCreate,
          targets: requested(null, displayName),
        },
        check: async (tx, now) => {
          await authorize(tx, caller, NOTIFICATION_RULES.write, now);
          const existing = await tx.notificationChannels.chatChannels(caller.tenantId, {
            expand: [],
            orderBy: [],
            top: MAX_CHAT_CHANNELS_PER_TENANT,
            skip: 0,
            count: false,
          });
          if (existing.hasMore || existing.items.length >= MAX_CHAT_CHANNELS_PER_TENANT)
            throw new BadRequestError(
              'Request_BadRequest',
              `A tenant can have at most ${MAX_CHAT_CHANNELS_PER_TENANT} chat channels.`,
            );
        },
        apply: async ({ tx, now, record }) => {
          const id = deps.newId();
          const c: ChatChannel = {
            id,
            tenantId: caller.tenantId,
            kind: cmd.kind,
            displayName,
            sealedUrl: seal(url, id),
            urlHost: new URL(url).host,
            eventTypes,
            isEnabled: cmd.isEnabled,
            createdAt: now,
            modifiedAt: now,
            version: 1,
          };
          await tx.notificationChannels.insertChatChannel(c);
          record(chatChannelCreated(stateOf(c)));
          return chatChannelView(c);
        },
      });
    },

    /** @throws NotFoundError, ValidationError, ForbiddenError, ConflictError */
    async update(caller: Caller, id: string, patch: UpdateChatChannel): Promise<ChatChannelView> {
      const url = patch.url === undefined ? undefined : checkWebhookUrl(patch.url, deps.allowHttp);
      const displayName = patch.displayName === undefined ? undefined : checkDisplayName(patch.displayName);
      const eventTypes = patch.eventTypes === undefined ? undefined : checkEventTypes(patch.eventTypes);
      return change(caller, {
        attempt: { activity: NOTIFICATION_ACTIVITIES.chatChannelUpdate, targets: requested(id) },
        check: (tx, now) => writable(tx, caller, id, now),
        apply: async ({ tx, now, record }, before) => {
          const after: ChatChannel = {
            ...before,
            displayName: displayName ?? before.displayName,
            ...(url === undefined ? {} : { sealedUrl: seal(url, before.id), urlHost: new URL(url).host }),
            eventTypes: eventTypes ?? before.eventTypes,
            isEnabled: patch.isEnabled ?? before.isEnabled,
            modifiedAt: now,
            version: before.version + 1,
          };
          await tx.notificationChannels.updateChatChannel(after, before.version);
          record(chatChannelUpdated(stateOf(before), stateOf(after), url !== undefined));
          return chatChannelView(after);
        },
      });
    },

    /** @throws NotFoundError, ForbiddenError */
    async delete(caller: Caller, id: string): Promise<void> {
      await change(caller, {
        attempt: { activity: NOTIFICATION_ACTIVITIES.chatChannelDelete, targets: requested(id) },
        check: (tx, now) => writable(tx, caller, id, now),
        apply: async ({ tx, record }, c) => {
          await tx.notificationChannels.deleteChatChannel(caller.tenantId, c.id);
          record(chatChannelDeleted(stateOf(c)));
        },
      });
    },
  };
}
