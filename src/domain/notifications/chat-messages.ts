import type { ChatKind } from './event-types.js';
import type { NotificationEvent } from './notification.js';
import { describeNotification, type Row } from './templates.js';

/** The Approve / Deny links of one approver, each a signed, single-use approval link. */
export interface ApproverButtons {
  /** The approver's display name (the link only works when this person signs in). */
  name: string;
  approveUrl: string;
  denyUrl: string;
}

/** Most approvers a message carries buttons for (Slack allows 50 blocks; a card stays readable). */
export const MAX_APPROVER_BUTTONS = 10;

const cut = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** Slack `mrkdwn` text: `&`, `<` and `>` escaped, so user input cannot form links or mentions. */
export const slackEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Adaptive Card text is Markdown in Teams: user input must not become a link (`[x](url)`) or an
 * autolink (`<url>`), so brackets next to parentheses and angle brackets are spaced out.
 */
export const cardEscape = (s: string): string =>
  s.replace(/\]\(/g, '] (').replace(/</g, '‹').replace(/>/g, '›');

/** Who a chat message is written for: the channel reads it as a third party (an administrator). */
const AUDIENCE = 'admin' as const;

/** The rows of a chat message: the shared details plus the approval stage. */
function chatRows(event: NotificationEvent): Row[] {
  const { rows } = describeNotification(event, AUDIENCE);
  const stage = event.data.approval?.stage;
  if (stage == null) return rows;
  const at = rows.findIndex(([label]) => label === 'Decide by');
  const stageRow: Row = ['Approval stage', String(stage)];
  return at < 0 ? [...rows, stageRow] : [...rows.slice(0, at), stageRow, ...rows.slice(at)];
}

/** Button labels: "Approve" alone for one approver, "Approve as <name>" when there are several. */
const labels = (b: ApproverButtons, several: boolean) =>
  several
    ? { approve: cut(`Approve as ${b.name}`, 75), deny: cut(`Deny as ${b.name}`, 75) }
    : { approve: 'Approve', deny: 'Deny' };

/** A Slack Block Kit message as an incoming webhook takes it (`text` is the notification fallback). */
export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

/**
 * The Slack incoming-webhook message of a notification: a header (the subject), the sentence of
 * what happened, the details as fields (role, who, why, ticket, window, stage, deadline), one row
 * of Approve / Deny link buttons per approver when it asks for a decision, and a context line with
 * the links. Every value from users is escaped; lengths are kept within Block Kit's limits.
 */
export function slackMessage(event: NotificationEvent, buttons: readonly ApproverButtons[]): SlackMessage {
  const { wording, links, footer } = describeNotification(event, AUDIENCE);
  const rows = chatRows(event);
  const several = buttons.length > 1;
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(wording.subject, 150), emoji: false } },
    { type: 'section', text: { type: 'mrkdwn', text: cut(slackEscape(wording.headline), 3000) } },
  ];
  for (let i = 0; i < rows.length; i += 10) {
    blocks.push({
      type: 'section',
      fields: rows.slice(i, i + 10).map(([label, value]) => ({
        type: 'mrkdwn',
        text: cut(`*${slackEscape(label)}*\n${slackEscape(value)}`, 2000),
      })),
    });
  }
  buttons.slice(0, MAX_APPROVER_BUTTONS).forEach((b, i) => {
    const l = labels(b, several);
    blocks.push({
      type: 'actions',
      block_id: `decide-${i + 1}`,
      elements: [
        {
          type: 'button',
          action_id: `approve-${i + 1}`,
          text: { type: 'plain_text', text: l.approve, emoji: false },
          url: b.approveUrl,
          style: 'primary',
        },
        {
          type: 'button',
          action_id: `deny-${i + 1}`,
          text: { type: 'plain_text', text: l.deny, emoji: false },
          url: b.denyUrl,
          style: 'danger',
        },
      ],
    });
  });
  const linkText = links.map(([label, url]) => `<${url}|${slackEscape(label)}>`).join(' · ');
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: cut([linkText, slackEscape(footer)].filter(Boolean).join('\n'), 3000) },
    ],
  });
  return { text: cut(wording.subject, 3000), blocks };
}

/** A Teams incoming-webhook message: one Adaptive Card attachment. */
export interface TeamsMessage {
  type: 'message';
  attachments: {
    contentType: 'application/vnd.microsoft.card.adaptive';
    contentUrl: null;
    content: Record<string, unknown>;
  }[];
}

/** The Adaptive Card version Elevate writes (what Teams renders everywhere). */
export const ADAPTIVE_CARD_VERSION = '1.4';

/**
 * The Teams incoming-webhook message of a notification: an Adaptive Card with the subject, the
 * sentence, the details as a FactSet, one row of Approve / Deny `Action.OpenUrl` buttons per
 * approver when it asks for a decision, and the links.
 */
export function teamsMessage(event: NotificationEvent, buttons: readonly ApproverButtons[]): TeamsMessage {
  const { wording, links, footer } = describeNotification(event, AUDIENCE);
  const rows = chatRows(event);
  const several = buttons.length > 1;
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: cardEscape(wording.subject), weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text: cardEscape(wording.headline), wrap: true },
    {
      type: 'FactSet',
      facts: rows.map(([title, value]) => ({ title: cardEscape(title), value: cardEscape(value) })),
    },
  ];
  for (const b of buttons.slice(0, MAX_APPROVER_BUTTONS)) {
    const l = labels(b, several);
    body.push({
      type: 'ActionSet',
      actions: [
        { type: 'Action.OpenUrl', title: l.approve, url: b.approveUrl, style: 'positive' },
        { type: 'Action.OpenUrl', title: l.deny, url: b.denyUrl, style: 'destructive' },
      ],
    });
  }
  body.push({ type: 'TextBlock', text: cardEscape(footer), isSubtle: true, size: 'Small', wrap: true });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: ADAPTIVE_CARD_VERSION,
          body,
          actions: links.map(([label, url]) => ({
            type: 'Action.OpenUrl',
            title: `Open the ${label.toLowerCase()}`,
            url,
          })),
        },
      },
    ],
  };
}

/** The JSON body a chat platform's incoming webhook takes for a notification. */
export function chatBody(
  kind: ChatKind,
  event: NotificationEvent,
  buttons: readonly ApproverButtons[],
): string {
  return JSON.stringify(kind === 'slack' ? slackMessage(event, buttons) : teamsMessage(event, buttons));
}
