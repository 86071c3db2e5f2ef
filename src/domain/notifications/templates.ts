import type { Audience, NotificationEventType } from './event-types.js';
import type { NamedPrincipal, NotificationData, NotificationEvent } from './notification.js';
import { oneLine } from './text.js';

/** An email as sent: subject, plain text and HTML saying the same thing. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** What a template decides: the subject and the first sentence; the details block is shared. */
export interface Wording {
  subject: string;
  headline: string;
}

type Template = (n: Names, audience: Audience, d: NotificationData) => Wording;

/** The names a sentence uses, already chosen (display name, else UPN, else id). */
interface Names {
  role: string;
  principal: string;
  actor: string;
  /** "for 8 hours", or "" when the window has no end. */
  lasting: string;
}

const REASONS: Record<string, string> = {
  deactivated: 'it was deactivated',
  expired: 'its time ran out',
  revoked: 'the eligibility it was made with was removed',
  canceled: 'the request was canceled',
  removed: 'an administrator removed it',
};

const yours = (a: Audience) => a === 'requestor';

/**
 * Every event's wording, in one place: short, plain sentences saying what happened to whom and
 * what, if anything, the reader should do. The details (role, who, why, ticket, window, links)
 * follow in every message. A new event type does not compile until it has its wording here.
 */
const TEMPLATES: { readonly [T in NotificationEventType]: Template } = {
  'eligibility.granted': (n, a) =>
    yours(a)
      ? {
          subject: `You are now eligible for ${n.role}`,
          headline: `${n.actor} made you eligible for the ${n.role} role. Activate it when you need it.`,
        }
      : {
          subject: `${n.principal} is now eligible for ${n.role}`,
          headline: `${n.actor} made ${n.principal} eligible for the ${n.role} role.`,
        },
  'eligibility.updated': (n, a) =>
    yours(a)
      ? {
          subject: `Your eligibility for ${n.role} was changed`,
          headline: `${n.actor} changed your eligibility for the ${n.role} role.`,
        }
      : {
          subject: `Eligibility of ${n.principal} for ${n.role} was changed`,
          headline: `${n.actor} changed the eligibility of ${n.principal} for the ${n.role} role.`,
        },
  'eligibility.removed': (n, a, d) =>
    yours(a)
      ? {
          subject: `You are no longer eligible for ${n.role}`,
          headline: `Your eligibility for the ${n.role} role was removed because ${REASONS[d.reason ?? 'removed']}.`,
        }
      : {
          subject: `${n.principal} is no longer eligible for ${n.role}`,
          headline: `The eligibility of ${n.principal} for the ${n.role} role was removed because ${REASONS[d.reason ?? 'removed']}.`,
        },
  'eligibility.expired': (n, a) =>
    yours(a)
      ? {
          subject: `Your eligibility for ${n.role} has expired`,
          headline: `Your eligibility for the ${n.role} role has ended. Ask an administrator if you still need it.`,
        }
      : {
          subject: `Eligibility of ${n.principal} for ${n.role} has expired`,
          headline: `The eligibility of ${n.principal} for the ${n.role} role has ended.`,
        },
  'assignment.granted': (n, a) =>
    yours(a)
      ? {
          subject: `You have been assigned ${n.role}`,
          headline: `${n.actor} assigned you the ${n.role} role${n.lasting}. It is active without activation.`,
        }
      : {
          subject: `${n.principal} was assigned ${n.role}`,
          headline: `${n.actor} assigned the ${n.role} role to ${n.principal}${n.lasting}.`,
        },
  'assignment.updated': (n, a) =>
    yours(a)
      ? {
          subject: `Your assignment of ${n.role} was changed`,
          headline: `${n.actor} changed your assignment of the ${n.role} role.`,
        }
      : {
          subject: `Assignment of ${n.role} to ${n.principal} was changed`,
          headline: `${n.actor} changed the assignment of the ${n.role} role to ${n.principal}.`,
        },
  'assignment.removed': (n, a, d) =>
    yours(a)
      ? {
          subject: `Your assignment of ${n.role} was removed`,
          headline: `You no longer hold the ${n.role} role because ${REASONS[d.reason ?? 'removed']}.`,
        }
      : {
          subject: `${n.principal} no longer holds ${n.role}`,
          headline: `The assignment of the ${n.role} role to ${n.principal} was removed because ${REASONS[d.reason ?? 'removed']}.`,
        },
  'assignment.expired': (n, a) =>
    yours(a)
      ? {
          subject: `Your assignment of ${n.role} has expired`,
          headline: `Your assignment of the ${n.role} role has ended.`,
        }
      : {
          subject: `Assignment of ${n.role} to ${n.principal} has expired`,
          headline: `The assignment of the ${n.role} role to ${n.principal} has ended.`,
        },
  'activation.requested': (n, _a, d) => ({
    subject: `Approval needed: ${n.principal} asks to activate ${n.role}`,
    headline: `${n.principal} asks to activate the ${n.role} role${n.lasting}. Please approve or deny the request${
      d.approval?.deadlineDateTime ? ` before ${when(d.approval.deadlineDateTime)}` : ''
    }; without a decision it is denied.`,
  }),
  'activation.reminder': (n, _a, d) => ({
    subject: `Reminder: ${n.principal} still waits for approval of ${n.role}`,
    headline: `${n.principal} still waits for your decision on activating the ${n.role} role${n.lasting}. Please approve or deny it${
      d.approval?.deadlineDateTime ? ` before ${when(d.approval.deadlineDateTime)}` : ''
    }; without a decision it is denied.`,
  }),
  'activation.escalated': (n, _a, d) => ({
    subject: `Escalated to you: ${n.principal} asks to activate ${n.role}`,
    headline: `Nobody has decided on the request of ${n.principal} to activate the ${n.role} role${n.lasting}, so it was escalated to you. Please approve or deny it${
      d.approval?.deadlineDateTime ? ` before ${when(d.approval.deadlineDateTime)}` : ''
    }; without a decision it is denied.`,
  }),
  'activation.approved': (n, a) =>
    yours(a)
      ? {
          subject: `Your request for ${n.role} was approved`,
          headline: `${n.actor} approved your request to activate the ${n.role} role.`,
        }
      : {
          subject: `Approved: ${n.principal} for ${n.role}`,
          headline: `${n.actor} approved the request of ${n.principal} to activate the ${n.role} role. No other decision is needed.`,
        },
  'activation.denied': (n, a) =>
    yours(a)
      ? {
          subject: `Your request for ${n.role} was denied`,
          headline: `${n.actor} denied your request to activate the ${n.role} role.`,
        }
      : {
          subject: `Denied: ${n.principal} for ${n.role}`,
          headline: `${n.actor} denied the request of ${n.principal} to activate the ${n.role} role. No other decision is needed.`,
        },
  'activation.timedOut': (n, a) =>
    yours(a)
      ? {
          subject: `Your request for ${n.role} expired without a decision`,
          headline: `Nobody decided on your request to activate the ${n.role} role in time, so it was denied. You can ask again.`,
        }
      : {
          subject: `Expired: ${n.principal} for ${n.role}`,
          headline: `The request of ${n.principal} to activate the ${n.role} role expired without a decision and was denied.`,
        },
  'activation.canceled': (n) => ({
    subject: `Canceled: ${n.principal} for ${n.role}`,
    headline: `${n.principal} canceled the request to activate the ${n.role} role. No decision is needed any more.`,
  }),
  'activation.failed': (n, a) =>
    yours(a)
      ? {
          subject: `Your approved request for ${n.role} could not be activated`,
          headline: `Your request to activate the ${n.role} role was approved, but the role could not be activated (for example, the eligibility ended meanwhile).`,
        }
      : {
          subject: `Not activated: ${n.principal} for ${n.role}`,
          headline: `The approved request of ${n.principal} to activate the ${n.role} role could not be carried out.`,
        },
  'activation.activated': (n, a) =>
    yours(a)
      ? {
          subject: `${n.role} is active for you`,
          headline: `Your ${n.role} role is active${n.lasting}. It ends by itself; deactivate it when you are done.`,
        }
      : {
          subject: `${n.principal} activated ${n.role}`,
          headline: `${n.principal} activated the ${n.role} role${n.lasting}.`,
        },
  'activation.endingSoon': (n, _a, d) => ({
    subject: `Your ${n.role} activation ends ${d.endDateTime === null ? 'soon' : `at ${when(d.endDateTime)}`}`,
    headline: `Your activation of the ${n.role} role ends ${d.endDateTime === null ? 'soon' : `at ${when(d.endDateTime)}`}. Extend it now if you still need it, or finish your work.`,
  }),
  'eligibility.expiringSoon': (n, _a, d) => ({
    subject: `Your eligibility for ${n.role} expires ${d.endDateTime === null ? 'soon' : `on ${when(d.endDateTime)}`}`,
    headline: `Your eligibility for the ${n.role} role expires ${d.endDateTime === null ? 'soon' : `on ${when(d.endDateTime)}`}. Ask for an extension if you still need it.`,
  }),
  'assignment.expiringSoon': (n, _a, d) => ({
    subject: `Your ${n.role} assignment expires ${d.endDateTime === null ? 'soon' : `on ${when(d.endDateTime)}`}`,
    headline: `Your active assignment of the ${n.role} role expires ${d.endDateTime === null ? 'soon' : `on ${when(d.endDateTime)}`}. Ask for an extension if you still need it.`,
  }),
  'activation.ended': (n, _a, d) => ({
    subject: `Your ${n.role} activation has ended`,
    headline: `Your activation of the ${n.role} role has ended because ${REASONS[d.reason ?? 'expired']}.`,
  }),
};

const nameOf = (p: NamedPrincipal | null, fallback: string): string =>
  p === null ? fallback : (p.displayName ?? p.userPrincipalName ?? p.id);

/** `2026-11-27 10:15 UTC` from an ISO date-time. */
export function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** `8 hours`, `1 day 2 hours`, `45 minutes`. */
export function lengthOf(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const parts: [number, string][] = [
    [Math.floor(minutes / 1440), 'day'],
    [Math.floor((minutes % 1440) / 60), 'hour'],
    [minutes % 60, 'minute'],
  ];
  const text = parts
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}${n === 1 ? '' : 's'}`)
    .join(' ');
  return text === '' ? 'less than a minute' : text;
}

const lastingOf = (d: NotificationData): string => {
  if (d.startDateTime === null || d.endDateTime === null) return '';
  const ms = Date.parse(d.endDateTime) - Date.parse(d.startDateTime);
  return Number.isFinite(ms) && ms > 0 ? ` for ${lengthOf(ms)}` : '';
};

/** One labelled fact of the details block. */
export type Row = readonly [label: string, value: string];

function detailRows(d: NotificationData): Row[] {
  const rows: Row[] = [];
  const principal = d.principal;
  rows.push(['Role', d.role.displayName ?? d.role.id]);
  rows.push([
    'Who',
    principal.userPrincipalName !== null && principal.displayName !== null
      ? `${principal.displayName} (${principal.userPrincipalName})`
      : nameOf(principal, principal.id),
  ]);
  rows.push(['Scope', d.directoryScopeId === '/' ? 'Whole directory (/)' : d.directoryScopeId]);
  if (d.actor !== null) rows.push(['By', nameOf(d.actor, d.actor.id)]);
  if (d.request?.justification) rows.push(['Why', d.request.justification]);
  const ticket = [d.request?.ticketSystem, d.request?.ticketNumber].filter(Boolean).join(' ');
  if (ticket !== '') rows.push(['Ticket', ticket]);
  if (d.startDateTime !== null || d.endDateTime !== null) {
    const from = d.startDateTime === null ? 'now' : when(d.startDateTime);
    const to = d.endDateTime === null ? 'no end (permanent)' : when(d.endDateTime);
    const span = lastingOf(d);
    rows.push(['When', `${from} to ${to}${span === '' ? '' : ` (${span.slice(' for '.length)})`}`]);
  }
  if (d.approval?.approverJustification) rows.push(["Approver's reason", d.approval.approverJustification]);
  if (d.approval?.deadlineDateTime) rows.push(['Decide by', when(d.approval.deadlineDateTime)]);
  return rows;
}

function linkRows(d: NotificationData): Row[] {
  const rows: Row[] = [];
  if (d.links.approval !== null) rows.push(['Approval', d.links.approval]);
  if (d.links.request !== null) rows.push(['Request', d.links.request]);
  if (d.links.schedule !== null) rows.push(['Schedule', d.links.schedule]);
  return rows;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
/** HTML-escapes text (justifications and names are user input). */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** What every channel says of a notification: the wording, the details, the links, the footer. */
export interface Described {
  wording: Wording;
  rows: Row[];
  links: Row[];
  footer: string;
}

/** The wording and details of a notification for one audience, shared by email and chat messages. */
export function describeNotification(event: NotificationEvent, audience: Audience): Described {
  const d = event.data;
  const names: Names = {
    role: d.role.displayName ?? d.role.id,
    principal: nameOf(d.principal, d.principal.id),
    actor: nameOf(d.actor, 'Elevate'),
    lasting: lastingOf(d),
  };
  return {
    wording: TEMPLATES[event.type](names, audience, d),
    rows: detailRows(d),
    links: linkRows(d),
    footer: `You get this message because of the notification settings of the ${names.role} role in Elevate.`,
  };
}

/**
 * The email of a notification for one audience: a subject, then one sentence of what happened,
 * then the details (role, who, scope, by whom, why, ticket, window, the approver's reason, the
 * deadline) and the links, as plain text and as HTML with every value escaped.
 */
export function renderEmail(event: NotificationEvent, audience: Audience): RenderedEmail {
  const { wording: w, rows, links, footer } = describeNotification(event, audience);
  const text = [
    w.headline,
    '',
    ...rows.map(([label, value]) => `${label}: ${value}`),
    ...(links.length > 0 ? ['', ...links.map(([label, url]) => `${label}: ${url}`)] : []),
    '',
    footer,
    '',
  ].join('\n');
  const cell = 'padding:4px 12px 4px 0;vertical-align:top';
  const html = [
    '<!doctype html>',
    '<html><body style="font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1b1b1b">',
    `<p style="font-size:16px">${escapeHtml(w.headline)}</p>`,
    '<table style="border-collapse:collapse">',
    ...rows.map(
      ([label, value]) =>
        `<tr><th style="${cell};text-align:left;color:#555">${escapeHtml(label)}</th><td style="${cell}">${escapeHtml(value)}</td></tr>`,
    ),
    '</table>',
    ...(links.length > 0
      ? [
          '<p>',
          links
            .map(
              ([label, url]) =>
                `<a href="${escapeHtml(url)}">${escapeHtml(`Open the ${label.toLowerCase()}`)}</a>`,
            )
            .join(' &middot; '),
          '</p>',
        ]
      : []),
    `<p style="color:#666;font-size:12px">${escapeHtml(footer)}</p>`,
    '</body></html>',
    '',
  ].join('\n');
  return { subject: oneLine(w.subject, 200), text, html };
}
