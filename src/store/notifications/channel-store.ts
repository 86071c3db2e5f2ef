import { sql, type Kysely } from 'kysely';
import type {
  ApprovalLinkUseStore,
  ChatChannel,
  EmailChannel,
  NotificationChannelStore,
  WebhookEndpoint,
} from '../../app/notifications/ports.js';
import { chatChannelFields, webhookFields } from '../../app/notifications/fields.js';
import type { SmtpSecurity } from '../../domain/notifications/channel-config.js';
import type { ChatKind, NotificationEventType } from '../../domain/notifications/event-types.js';
import { expectOneRow } from '../cas.js';
import { codecs } from '../codecs.js';
import { listPage } from '../list.js';
import type { Database } from '../schema.js';
import type {
  NotificationChatChannelRow,
  NotificationEmailChannelRow,
  NotificationWebhookRow,
} from './rows.js';

const int = (v: number | string | bigint) => codecs.time.decode(v);

const emailToRow = (c: EmailChannel): NotificationEmailChannelRow => ({
  tenant_id: codecs.id.encode(c.tenantId),
  is_enabled: codecs.bool.encode(c.isEnabled),
  host: c.host,
  port: c.port,
  security: c.security,
  username: c.username,
  password_sealed: c.sealedPassword,
  from_address: c.fromAddress,
  from_display_name: c.fromDisplayName,
  created_at: codecs.time.encode(c.createdAt),
  modified_at: codecs.time.encode(c.modifiedAt),
  version: c.version,
});

const emailFromRow = (r: NotificationEmailChannelRow): EmailChannel => ({
  tenantId: r.tenant_id,
  isEnabled: codecs.bool.decode(r.is_enabled),
  host: r.host,
  port: int(r.port),
  security: r.security as SmtpSecurity,
  username: r.username,
  sealedPassword: r.password_sealed,
  fromAddress: r.from_address,
  fromDisplayName: r.from_display_name,
  createdAt: int(r.created_at),
  modifiedAt: int(r.modified_at),
  version: int(r.version),
});

const webhookToRow = (w: WebhookEndpoint): NotificationWebhookRow => ({
  id: codecs.id.encode(w.id),
  tenant_id: codecs.id.encode(w.tenantId),
  url: w.url,
  description: w.description,
  event_types: codecs.json.encode(w.eventTypes),
  is_enabled: codecs.bool.encode(w.isEnabled),
  secret_sealed: w.sealedSecret,
  previous_secret_sealed: w.sealedPreviousSecret,
  previous_secret_expires_at: codecs.optionalTime.encode(w.previousSecretExpiresAt),
  secret_version: w.secretVersion,
  created_at: codecs.time.encode(w.createdAt),
  modified_at: codecs.time.encode(w.modifiedAt),
  version: w.version,
});

const webhookFromRow = (r: NotificationWebhookRow): WebhookEndpoint => ({
  id: r.id,
  tenantId: r.tenant_id,
  url: r.url,
  description: r.description,
  eventTypes: codecs.json.decode<NotificationEventType[]>(r.event_types),
  isEnabled: codecs.bool.decode(r.is_enabled),
  sealedSecret: r.secret_sealed,
  sealedPreviousSecret: r.previous_secret_sealed,
  previousSecretExpiresAt: codecs.optionalTime.decode(r.previous_secret_expires_at),
  secretVersion: int(r.secret_version),
  createdAt: int(r.created_at),
  modifiedAt: int(r.modified_at),
  version: int(r.version),
});

const chatToRow = (c: ChatChannel): NotificationChatChannelRow => ({
  id: codecs.id.encode(c.id),
  tenant_id: codecs.id.encode(c.tenantId),
  kind: c.kind,
  display_name: c.displayName,
  url_sealed: c.sealedUrl,
  url_host: c.urlHost,
  event_types: codecs.json.encode(c.eventTypes),
  is_enabled: codecs.bool.encode(c.isEnabled),
  created_at: codecs.time.encode(c.createdAt),
  modified_at: codecs.time.encode(c.modifiedAt),
  version: c.version,
});

const chatFromRow = (r: NotificationChatChannelRow): ChatChannel => ({
  id: r.id,
  tenantId: r.tenant_id,
  kind: r.kind as ChatKind,
  displayName: r.display_name,
  sealedUrl: r.url_sealed,
  urlHost: r.url_host,
  eventTypes: codecs.json.decode<NotificationEventType[]>(r.event_types),
  isEnabled: codecs.bool.decode(r.is_enabled),
  createdAt: int(r.created_at),
  modifiedAt: int(r.modified_at),
  version: int(r.version),
});

/** Used approval links, bound to one transaction. */
export function approvalLinkUseStore(db: Kysely<Database>): ApprovalLinkUseStore {
  return {
    async use(u) {
      const res = await db
        .insertInto('approval_link_uses')
        .values({
          id: u.id,
          tenant_id: codecs.id.encode(u.tenantId),
          request_id: codecs.id.encode(u.requestId),
          approver_id: codecs.id.encode(u.approverId),
          used_at: codecs.time.encode(u.usedAt),
          expires_at: codecs.time.encode(u.expiresAt),
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async wasUsed(id) {
      const r = await db
        .selectFrom('approval_link_uses')
        .select('id')
        .where('id', '=', id)
        .executeTakeFirst();
      return r !== undefined;
    },
  };
}

/** The notification channels of tenants, bound to one transaction. */
export function notificationChannelStore(db: Kysely<Database>): NotificationChannelStore {
  return {
    async email(tenantId) {
      const r = await db
        .selectFrom('notification_email_channels')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      return r && emailFromRow(r);
    },

    async saveEmail(c, expectedVersion) {
      const row = emailToRow(c);
      if (expectedVersion === null) {
        await db.insertInto('notification_email_channels').values(row).execute();
        return;
      }
      const { tenant_id: _t, created_at: _c, ...values } = row;
      const res = await db
        .updateTable('notification_email_channels')
        .set(values)
        .where('tenant_id', '=', row.tenant_id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },

    async deleteEmail(tenantId) {
      const res = await db
        .deleteFrom('notification_email_channels')
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },

    async webhooks(tenantId, q) {
      const page = await listPage(
        db.selectFrom('notification_webhooks').selectAll().where('tenant_id', '=', tenantId),
        q,
        webhookFields,
      );
      return { ...page, items: page.items.map(webhookFromRow) };
    },

    async enabledWebhooks(tenantId) {
      const rows = await db
        .selectFrom('notification_webhooks')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('is_enabled', '=', 1)
        .orderBy('id')
        .execute();
      return rows.map(webhookFromRow);
    },

    async webhook(tenantId, id) {
      const r = await db
        .selectFrom('notification_webhooks')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && webhookFromRow(r);
    },

    async insertWebhook(w) {
      await db.insertInto('notification_webhooks').values(webhookToRow(w)).execute();
    },

    async updateWebhook(w, expectedVersion) {
      const { id, tenant_id, created_at: _c, ...values } = webhookToRow(w);
      const res = await db
        .updateTable('notification_webhooks')
        .set(values)
        .where('id', '=', id)
        .where('tenant_id', '=', tenant_id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },

    async deleteWebhook(tenantId, id) {
      const res = await db
        .deleteFrom('notification_webhooks')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },

    async chatChannels(tenantId, q) {
      const page = await listPage(
        db.selectFrom('notification_chat_channels').selectAll().where('tenant_id', '=', tenantId),
        q,
        chatChannelFields,
      );
      return { ...page, items: page.items.map(chatFromRow) };
    },

    async enabledChatChannels(tenantId, kind) {
      const rows = await db
        .selectFrom('notification_chat_channels')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', kind)
        .where('is_enabled', '=', 1)
        .orderBy('id')
        .execute();
      return rows.map(chatFromRow);
    },

    async chatChannel(tenantId, id) {
      const r = await db
        .selectFrom('notification_chat_channels')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && chatFromRow(r);
    },

    async insertChatChannel(c) {
      await db.insertInto('notification_chat_channels').values(chatToRow(c)).execute();
    },

    async updateChatChannel(c, expectedVersion) {
      const { id, tenant_id, created_at: _c, ...values } = chatToRow(c);
      const res = await db
        .updateTable('notification_chat_channels')
        .set(values)
        .where('id', '=', id)
        .where('tenant_id', '=', tenant_id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },

    async deleteChatChannel(tenantId, id) {
      const res = await db
        .deleteFrom('notification_chat_channels')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },

    async anyEnabled(tenantId) {
      // One statement for the three kinds of channel: the relay asks this for every PIM message.
      const enabledIn = (
        table: 'notification_chat_channels' | 'notification_email_channels' | 'notification_webhooks',
      ) =>
        db
          .selectFrom(table)
          .select(sql<number>`1`.as('one'))
          .where('tenant_id', '=', tenantId)
          .where('is_enabled', '=', 1);
      const any = await enabledIn('notification_chat_channels')
        .unionAll(enabledIn('notification_email_channels'))
        .unionAll(enabledIn('notification_webhooks'))
        .limit(1)
        .executeTakeFirst();
      return any !== undefined;
    },
  };
}
