// Renders docs/images/notification-{email,slack,teams}.png from the real payloads: the email HTML
// of `renderEmail`, a faithful HTML preview of the Slack Block Kit message of `slackMessage`, and
// the Adaptive Card of `teamsMessage` rendered by the official `adaptivecards` renderer, each in
// Debian's Chromium (`/usr/bin/chromium`). Run: npx tsx scripts/render-notification-previews.ts
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access --
   The previews walk Block Kit JSON loosely and drive the browser's `AdaptiveCards` global, which has no types in this script. */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { newApprovalLinkId, signApprovalLink } from '../src/domain/notifications/approval-link.js';
import {
  slackMessage,
  teamsMessage,
  type ApproverButtons,
} from '../src/domain/notifications/chat-messages.js';
import type { NotificationEvent } from '../src/domain/notifications/notification.js';
import { escapeHtml, renderEmail } from '../src/domain/notifications/templates.js';

const PUBLIC_URL = 'https://pim.contoso.com';
const REQUEST_ID = '5f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
const OUT = 'docs/images';

const event: NotificationEvent = {
  type: 'activation.requested',
  data: {
    eventId: '0b7c9d2e-1f3a-5b4c-8d6e-7f8a9b0c1d2e',
    tenantId: 'c7b8092e-fbf8-400d-bd1b-92b736a68acf',
    occurredDateTime: '2026-11-27T10:15:00.000Z',
    role: { id: 'fe930be7-5e62-47db-91af-98c3a49a38b1', displayName: 'User Administrator' },
    directoryScopeId: '/',
    principal: { id: 'ada', type: 'user', displayName: 'Ada Lovelace', userPrincipalName: 'ada@contoso.com' },
    actor: { id: 'ada', type: 'user', displayName: 'Ada Lovelace', userPrincipalName: 'ada@contoso.com' },
    request: {
      id: REQUEST_ID,
      action: 'selfActivate',
      status: 'PendingApproval',
      justification: 'Reset passwords for the help desk',
      ticketNumber: 'INC-4711',
      ticketSystem: 'ServiceNow',
    },
    startDateTime: '2026-11-27T10:15:00.000Z',
    endDateTime: '2026-11-27T12:15:00.000Z',
    schedule: null,
    approval: {
      id: REQUEST_ID,
      stage: 1,
      approverJustification: null,
      deadlineDateTime: '2026-11-27T14:15:00.000Z',
    },
    reason: null,
    links: {
      request: `${PUBLIC_URL}/v1.0/roleManagement/directory/roleAssignmentScheduleRequests/${REQUEST_ID}`,
      approval: `${PUBLIC_URL}/beta/roleManagement/directory/roleAssignmentApprovals/${REQUEST_ID}`,
      schedule: null,
    },
  },
};

const key = randomBytes(32);
const link = (approverId: string, decision: 'Approve' | 'Deny') =>
  `${PUBLIC_URL}/approvals/link/${signApprovalLink(key, {
    id: newApprovalLinkId(),
    tenantId: event.data.tenantId,
    requestId: REQUEST_ID,
    stepId: 'step-1',
    stage: 1,
    approverId,
    decision,
    expiresAt: Date.parse('2026-11-27T14:15:00Z'),
  })}`;
const buttons: ApproverButtons[] = [
  { name: 'Bob Approver', approveUrl: link('bob', 'Approve'), denyUrl: link('bob', 'Deny') },
  { name: 'Cy Approver', approveUrl: link('cy', 'Approve'), denyUrl: link('cy', 'Deny') },
];

/** Slack `mrkdwn` as Slack shows it: `*bold*`, `<url|label>` links, line breaks; text is already escaped. */
const mrkdwn = (text: string) =>
  text
    .replace(/<([^|>]+)\|([^>]+)>/g, '<a href="$1">$2</a>')
    .replace(/\*([^*\n]+)\*/g, '<b>$1</b>')
    .replace(/\n/g, '<br>');

function slackHtml(): string {
  const m = slackMessage(event, buttons);
  const blocks = m.blocks.map((b) => {
    const block = b as Record<string, any>;
    switch (block.type) {
      case 'header':
        return `<div class="header">${escapeHtml(block.text.text)}</div>`;
      case 'section':
        return `<div class="section">${block.text ? `<div>${mrkdwn(block.text.text)}</div>` : ''}${
          block.fields
            ? `<div class="fields">${block.fields.map((f: { text: string }) => `<div>${mrkdwn(f.text)}</div>`).join('')}</div>`
            : ''
        }</div>`;
      case 'actions':
        return `<div class="actions">${block.elements
          .map(
            (e: any) =>
              `<a class="btn ${e.style ?? ''}" href="${escapeHtml(e.url)}">${escapeHtml(e.text.text)}</a>`,
          )
          .join('')}</div>`;
      case 'context':
        return `<div class="context">${block.elements.map((e: { text: string }) => mrkdwn(e.text)).join(' ')}</div>`;
      default:
        return '';
    }
  });
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{font-family:Lato,Helvetica,Arial,sans-serif;font-size:15px;color:#1d1c1d;background:#fff;margin:0;padding:16px;width:720px}
.msg{display:flex;gap:8px}.avatar{width:36px;height:36px;border-radius:4px;background:#4a154b;color:#fff;font-weight:700;display:flex;align-items:center;justify-content:center}
.name{font-weight:900}.app{font-size:10px;background:#e8e8e8;color:#616061;padding:1px 3px;border-radius:2px;margin-left:4px}.time{color:#616061;font-size:12px;margin-left:6px}
.header{font-size:18px;font-weight:900;margin:6px 0}.section{margin:6px 0;line-height:1.45}.fields{display:grid;grid-template-columns:1fr 1fr;gap:8px 16px;margin-top:4px}
.actions{margin:8px 0;display:flex;gap:8px}.btn{border:1px solid #bbb;border-radius:4px;padding:4px 12px;font-weight:700;font-size:13px;color:#1d1c1d;text-decoration:none}
.btn.primary{background:#007a5a;border-color:#007a5a;color:#fff}.btn.danger{color:#e01e5a;border-color:#bbb}
.context{color:#616061;font-size:12px;margin-top:8px;line-height:1.5}.context a{color:#1264a3;text-decoration:none}
</style></head><body><div class="msg"><div class="avatar">E</div><div><div><span class="name">Elevate PIM</span><span class="app">APP</span><span class="time">10:15 AM</span></div>
${blocks.join('\n')}
</div></div></body></html>`;
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 760, height: 600 }, deviceScaleFactor: 1 });

    await page.setContent(renderEmail(event, 'approver').html);
    await page.screenshot({ path: `${OUT}/notification-email.png`, fullPage: true });

    await page.setContent(slackHtml());
    await page.screenshot({ path: `${OUT}/notification-slack.png`, fullPage: true });

    const require = createRequire(import.meta.url);
    await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>
body{font-family:"Segoe UI",Helvetica,Arial,sans-serif;background:#f5f5f5;margin:0;padding:16px;width:720px}
#card{background:#fff;border-radius:4px;box-shadow:0 1px 2px rgba(0,0,0,.2);max-width:560px}
</style></head><body><div id="card"></div></body></html>`);
    await page.addStyleTag({ path: require.resolve('adaptivecards/dist/adaptivecards.css') });
    await page.addScriptTag({ path: require.resolve('adaptivecards/dist/adaptivecards.min.js') });
    const card = teamsMessage(event, buttons).attachments[0]!.content;
    await page.evaluate((json) => {
      const g = globalThis as any;
      const AC = g.AdaptiveCards;
      const c = new AC.AdaptiveCard();
      c.hostConfig = new AC.HostConfig({
        fontFamily: 'Segoe UI, Helvetica Neue, sans-serif',
        spacing: { small: 4, default: 8, medium: 16, large: 24, extraLarge: 32, padding: 16 },
        actions: { actionsOrientation: 'horizontal', buttonSpacing: 8, maxActions: 6 },
      });
      c.parse(json);
      g.document.getElementById('card').appendChild(c.render());
    }, card);
    await page.locator('#card').screenshot({ path: `${OUT}/notification-teams.png` });
  } finally {
    await browser.close();
  }
}

await main();
