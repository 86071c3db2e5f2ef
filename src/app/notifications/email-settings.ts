import {
  checkEmailSettings,
  type EmailSettings,
  type SmtpSecurity,
} from '../../domain/notifications/channel-config.js';
import {
  emailChannelChanged,
  emailChannelRemoved,
  NOTIFICATION_ACTIVITIES,
} from '../../domain/notifications/notification-events.js';
import type { EmailChannelState } from '../../domain/notifications/notification-events.js';
import { NOTIFICATION_RULES } from '../../domain/notifications/permissions.js';
import { ValidationError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { makeChange } from '../events/change.js';
import type { UnitOfWork } from '../ports.js';
import { emailPasswordContext, type EmailChannel, type Sealer } from './ports.js';

/** The email channel as the API shows it: never the password, only whether one is set. */
export interface EmailChannelView {
  isConfigured: boolean;
  isEnabled: boolean;
  host: string | null;
  port: number | null;
  security: SmtpSecurity | null;
  username: string | null;
  hasPassword: boolean;
  fromAddress: string | null;
  fromDisplayName: string | null;
  lastModifiedAt: number | null;
}

/** `PATCH …/notifications/email`: what is given changes; `null` clears an optional setting. */
export interface EmailChannelPatch {
  isEnabled?: boolean;
  host?: string;
  port?: number;
  security?: SmtpSecurity;
  username?: string | null;
  password?: string | null;
  fromAddress?: string;
  fromDisplayName?: string | null;
}

const UNCONFIGURED: EmailChannelView = {
  isConfigured: false,
  isEnabled: false,
  host: null,
  port: null,
  security: null,
  username: null,
  hasPassword: false,
  fromAddress: null,
  fromDisplayName: null,
  lastModifiedAt: null,
};

export const emailView = (c: EmailChannel | undefined): EmailChannelView =>
  c === undefined
    ? UNCONFIGURED
    : {
        isConfigured: true,
        isEnabled: c.isEnabled,
        host: c.host,
        port: c.port,
        security: c.security,
        username: c.username,
        hasPassword: c.sealedPassword !== null,
        fromAddress: c.fromAddress,
        fromDisplayName: c.fromDisplayName,
        lastModifiedAt: c.modifiedAt,
      };

const stateOf = (c: EmailChannel): EmailChannelState => ({
  isEnabled: c.isEnabled,
  host: c.host,
  port: c.port,
  security: c.security,
  username: c.username,
  hasPassword: c.sealedPassword !== null,
  fromAddress: c.fromAddress,
  fromDisplayName: c.fromDisplayName,
});

/** The usual port of each security mode, when a new channel names none. */
const DEFAULT_PORT: Record<SmtpSecurity, number> = { tls: 465, starttls: 587, none: 25 };

/** Merges a patch into the stored channel (or a new one). @throws ValidationError */
function merged(
  before: EmailChannel | undefined,
  p: EmailChannelPatch,
): EmailSettings & { isEnabled: boolean } {
  const security = p.security ?? before?.security ?? 'starttls';
  const host = p.host ?? before?.host;
  const fromAddress = p.fromAddress ?? before?.fromAddress;
  if (host === undefined) throw new ValidationError('host is required to set up the email channel.', 'host');
  if (fromAddress === undefined)
    throw new ValidationError('fromAddress is required to set up the email channel.', 'fromAddress');
  return {
    isEnabled: p.isEnabled ?? before?.isEnabled ?? true,
    host,
    port: p.port ?? before?.port ?? DEFAULT_PORT[security],
    security,
    // Clearing the user name clears the password with it.
    username: p.username !== undefined ? p.username : (before?.username ?? null),
    fromAddress,
    fromDisplayName: p.fromDisplayName !== undefined ? p.fromDisplayName : (before?.fromDisplayName ?? null),
  };
}

/**
 * The tenant's email channel (SMTP): read, change (a partial update validated as a whole), remove.
 * The password is sealed with the data key, bound to the tenant, and never returned. Changes are
 * audited (`Update notification email channel`), refusals as `authorization.denied`.
 */
export function makeEmailSettings(deps: { uow: UnitOfWork; clock: Clock; sealer: Sealer }) {
  const change = makeChange(deps);
  const target = (tenantId: string) => [
    {
      id: tenantId,
      displayName: 'notification email channel',
      type: 'Other' as const,
      userPrincipalName: null,
      modifiedProperties: [],
    },
  ];
  return {
    async get(caller: Caller): Promise<EmailChannelView> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, NOTIFICATION_RULES.read, deps.clock.now());
        return emailView(await tx.notificationChannels.email(caller.tenantId));
      });
    },

    /** @throws ValidationError, ForbiddenError, ConflictError */
    async update(caller: Caller, patch: EmailChannelPatch): Promise<EmailChannelView> {
      return change(caller, {
        attempt: { activity: NOTIFICATION_ACTIVITIES.emailChannelUpdate, targets: target(caller.tenantId) },
        check: async (tx, now) => {
          await authorize(tx, caller, NOTIFICATION_RULES.write, now);
          const before = await tx.notificationChannels.email(caller.tenantId);
          const settings = merged(before, patch);
          const keepPassword = patch.password === undefined && settings.username !== null;
          const hasPassword = patch.password != null || (keepPassword && before?.sealedPassword != null);
          checkEmailSettings(settings, hasPassword);
          return { before, settings, keepPassword };
        },
        apply: async ({ tx, now, record }, { before, settings, keepPassword }) => {
          const tenantId = caller.tenantId;
          const sealedPassword =
            patch.password != null
              ? deps.sealer.seal(patch.password, emailPasswordContext(tenantId))
              : keepPassword
                ? (before?.sealedPassword ?? null)
                : null;
          const after: EmailChannel = {
            tenantId,
            ...settings,
            sealedPassword,
            createdAt: before?.createdAt ?? now,
            modifiedAt: now,
            version: (before?.version ?? 0) + 1,
          };
          await tx.notificationChannels.saveEmail(after, before?.version ?? null);
          const passwordChanged =
            patch.password !== undefined && (patch.password !== null || before?.sealedPassword != null);
          record(
            emailChannelChanged(tenantId, before ? stateOf(before) : null, stateOf(after), passwordChanged),
          );
          return emailView(after);
        },
      });
    },

    /** Removes the channel (no more email deliveries; those waiting end dead). Idempotent. */
    async remove(caller: Caller): Promise<void> {
      await change(caller, {
        attempt: { activity: NOTIFICATION_ACTIVITIES.emailChannelDelete, targets: target(caller.tenantId) },
        check: (tx, now) => authorize(tx, caller, NOTIFICATION_RULES.write, now),
        apply: async ({ tx, record }) => {
          if (await tx.notificationChannels.deleteEmail(caller.tenantId))
            record(emailChannelRemoved(caller.tenantId));
        },
      });
    },
  };
}
