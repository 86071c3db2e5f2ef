import {
  APPROVAL_LINK_PATH,
  MAX_APPROVAL_LINK_MS,
  newApprovalLinkId,
  signApprovalLink,
} from '../../domain/notifications/approval-link.js';
import { subscribes } from '../../domain/notifications/channel-config.js';
import {
  chatBody,
  MAX_APPROVER_BUTTONS,
  type ApproverButtons,
} from '../../domain/notifications/chat-messages.js';
import type { ChatKind, NotificationEventType } from '../../domain/notifications/event-types.js';
import type { ApprovalStep } from '../../domain/pim/approval.js';
import { PIM_ADMIN_ROLES } from '../../domain/pim/permissions.js';
import type { Stores } from '../ports.js';
import { PermanentDeliveryError, type NotificationChannel } from './channel.js';
import { chatUrlContext, type Sealer } from './ports.js';

/** Posts a JSON body to an incoming webhook (`jobs/notification-chat.ts`). Resolves on a 2xx answer. */
export interface ChatTransport {
  post(url: string, body: string): Promise<void>;
}

/** Events that ask approvers to decide: their chat messages carry Approve / Deny buttons. */
const ASKING: ReadonlySet<NotificationEventType> = new Set([
  'activation.requested',
  'activation.reminder',
  'activation.escalated',
]);

/** An approver a message offers buttons to. */
export interface LinkApprover {
  id: string;
  name: string;
}

/** The waiting stage a message asks about, with the approvers who may decide it now. */
export interface WaitingStage {
  step: ApprovalStep;
  approvers: LinkApprover[];
}

/**
 * The stage `stage` (1-based) of a request if it still waits for a decision at `now`, and the
 * users who may decide it: the users it names and the user members of the groups it names (read
 * now), the escalation approvers once it escalated (only them for an escalation message), or the
 * Privileged Role / Global Administrators when it names nobody; never the requestor, nobody who
 * already decided, no disabled account.
 */
export async function waitingStage(
  tx: Stores,
  tenantId: string,
  requestId: string,
  stage: number,
  now: number,
  escalationOnly: boolean,
): Promise<WaitingStage | undefined> {
  const request =
    (await tx.scheduleRequests.get(tenantId, 'assignment', requestId)) ??
    (await tx.scheduleRequests.get(tenantId, 'eligibility', requestId));
  if (request === undefined || request.status !== 'PendingApproval') return undefined;
  const step = (await tx.approvalSteps.list(tenantId, request.id)).find(
    (s) => s.stageIndex === stage - 1 && s.status === 'InProgress',
  );
  if (step === undefined || step.deadlineAt === null || step.deadlineAt <= now) return undefined;
  const escalated = step.escalationAt !== null && step.escalationAt <= now;
  const refs = escalationOnly
    ? step.escalationApprovers
    : [...step.approvers, ...(escalated ? step.escalationApprovers : [])];
  const dir = tx.notificationDirectory;
  const ids: string[] = [];
  if (refs.length === 0) ids.push(...(await dir.roleHolders(tenantId, PIM_ADMIN_ROLES, now)));
  ids.push(...refs.filter((a) => a.type === 'user').map((a) => a.id));
  const groups = refs.filter((a) => a.type === 'group').map((a) => a.id);
  if (groups.length > 0) ids.push(...(await dir.userMembers(tenantId, groups)));
  const decided = new Set(step.decisions.map((d) => d.approverId));
  const wanted = [...new Set(ids)].filter(
    (id) => id !== request.principalId && id !== request.createdBy.id && !decided.has(id),
  );
  const boxes = await dir.mailboxes(tenantId, wanted.slice(0, 200));
  const approvers = boxes
    .filter((m) => m.accountEnabled)
    .map((m) => ({ id: m.id, name: m.displayName || m.userPrincipalName }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
    .slice(0, MAX_APPROVER_BUTTONS);
  return { step, approvers };
}

/**
 * Slack or Teams: one delivery per enabled channel of its kind whose filter includes the event
 * type. The message is built when it is sent: a request for a decision carries, per approver who
 * may decide the waiting stage then, an Approve and a Deny button, each a signed, single-use
 * approval link bound to the stage, the approver and the decision, valid until the stage's
 * deadline (at most a day). Later events (approved, denied, canceled, timed out, escalated) go to
 * the same channels as follow-up messages, so a channel never shows a stale request.
 */
export function makeChatChannel(deps: {
  kind: ChatKind;
  transport: ChatTransport;
  sealer: Sealer;
  publicUrl: string;
  /** The link-signing key (derived from the data key). */
  linkKey: Buffer;
}): NotificationChannel {
  const base = `${deps.publicUrl.replace(/\/+$/, '')}${APPROVAL_LINK_PATH}`;
  return {
    kind: deps.kind,

    async plan(ctx) {
      const channels = await ctx.tx.notificationChannels.enabledChatChannels(ctx.tenantId, deps.kind);
      return channels
        .filter((c) => subscribes(c.eventTypes, ctx.event.type))
        .map((c) => ({ recipient: c.id, audience: null }));
    },

    async send(d, ctx) {
      const c = await ctx.read(`chat:${d.tenantId}:${d.recipient}`, (tx) =>
        tx.notificationChannels.chatChannel(d.tenantId, d.recipient),
      );
      if (c === undefined) throw new PermanentDeliveryError(`the ${deps.kind} channel was deleted`);
      if (!c.isEnabled) throw new PermanentDeliveryError(`the ${deps.kind} channel is turned off`);
      const buttons: ApproverButtons[] = [];
      const request = d.data.request;
      const stage = d.data.approval?.stage;
      if (ASKING.has(d.eventType) && request !== null && stage != null) {
        const waiting = await ctx.read(`waiting:${d.tenantId}:${request.id}:${stage}:${d.eventType}`, (tx) =>
          waitingStage(tx, d.tenantId, request.id, stage, ctx.now, d.eventType === 'activation.escalated'),
        );
        if (waiting !== undefined) {
          const expiresAt = Math.min(waiting.step.deadlineAt ?? ctx.now, ctx.now + MAX_APPROVAL_LINK_MS);
          const link = (approverId: string, decision: 'Approve' | 'Deny') =>
            `${base}/${signApprovalLink(deps.linkKey, {
              id: newApprovalLinkId(),
              tenantId: d.tenantId,
              requestId: request.id,
              stepId: waiting.step.id,
              stage,
              approverId,
              decision,
              expiresAt,
            })}`;
          for (const a of waiting.approvers)
            buttons.push({ name: a.name, approveUrl: link(a.id, 'Approve'), denyUrl: link(a.id, 'Deny') });
        }
      }
      const url = deps.sealer.open(c.sealedUrl, chatUrlContext(c.id));
      await deps.transport.post(url, chatBody(deps.kind, { type: d.eventType, data: d.data }, buttons));
    },
  };
}
