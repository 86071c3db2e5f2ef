// Chat payload checks and the approver's browser for the approval-link tests.
import { createRequire } from 'node:module';
import { hash } from '@node-rs/argon2';
import type { KnownBlock } from '@slack/types';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { z } from 'zod';
import { newTotpSeed, totpCode, totpStepAt } from '../../src/domain/authn/totp.js';
import { totpSeedContext } from '../../src/app/sign-in/ports.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { Browser, csrfOf, locationOf } from '../identity/support/browser.js';
import { submit } from '../identity/support/sign-in.js';
import { findRule } from '../../src/domain/policy/types.js';
import type { TestServer } from '../helpers/server.js';
import { call as pimCall, ELIGIBILITY_REQUESTS, patchPolicy, USER_ADMINISTRATOR } from '../pim/support.js';
import { addUser, BASE, call, type NotifyServer } from './support.js';

const ROLE = USER_ADMINISTRATOR;
const single = (userId: string) => ({ '@odata.type': '#microsoft.graph.singleUser' as const, userId });

export const PASSWORD = 'correct horse battery staple';

/**
 * Slack Block Kit, as strict as Slack's reference states it (no official schema exists): the
 * block types and elements Elevate sends, each with its documented fields and length limits, and
 * nothing else.
 */
const plainText = (max: number) =>
  z
    .object({
      type: z.literal('plain_text'),
      text: z.string().min(1).max(max),
      emoji: z.boolean().optional(),
    })
    .strict();
const mrkdwn = (max: number) =>
  z
    .object({ type: z.literal('mrkdwn'), text: z.string().min(1).max(max), verbatim: z.boolean().optional() })
    .strict();
const blockId = z.string().min(1).max(255).optional();
const button = z
  .object({
    type: z.literal('button'),
    text: plainText(75),
    action_id: z.string().min(1).max(255).optional(),
    url: z.string().url().max(3000).optional(),
    value: z.string().max(2000).optional(),
    style: z.enum(['primary', 'danger']).optional(),
    accessibility_label: z.string().max(75).optional(),
  })
  .strict();
const slackBlock = z.discriminatedUnion('type', [
  z.object({ type: z.literal('header'), text: plainText(150), block_id: blockId }).strict(),
  z
    .object({
      type: z.literal('section'),
      text: z.union([mrkdwn(3000), plainText(3000)]).optional(),
      fields: z
        .array(z.union([mrkdwn(2000), plainText(2000)]))
        .min(1)
        .max(10)
        .optional(),
      block_id: blockId,
    })
    .strict()
    .refine((s) => s.text !== undefined || s.fields !== undefined, 'a section needs text or fields'),
  z
    .object({ type: z.literal('actions'), elements: z.array(button).min(1).max(25), block_id: blockId })
    .strict(),
  z
    .object({
      type: z.literal('context'),
      elements: z
        .array(z.union([mrkdwn(3000), plainText(3000)]))
        .min(1)
        .max(10),
      block_id: blockId,
    })
    .strict(),
  z.object({ type: z.literal('divider'), block_id: blockId }).strict(),
]);
export const slackMessageSchema = z
  .object({ text: z.string().min(1).max(40_000), blocks: z.array(slackBlock).min(1).max(50) })
  .strict();

/** A Slack incoming-webhook body: valid per the schema above, and typed with `@slack/types`. */
export function parseSlack(body: string): { text: string; blocks: KnownBlock[] } {
  const parsed = slackMessageSchema.parse(JSON.parse(body));
  // Compiles only while the schema is a subset of `@slack/types` KnownBlock.
  const blocks: KnownBlock[] = parsed.blocks;
  return { text: parsed.text, blocks };
}

/** The button URLs of a Slack message, by their label. */
export const slackButtons = (m: { blocks: KnownBlock[] }): { label: string; url: string }[] =>
  m.blocks.flatMap((b) =>
    b.type === 'actions'
      ? b.elements.flatMap((e) => (e.type === 'button' ? [{ label: e.text.text, url: e.url ?? '' }] : []))
      : [],
  );

// The official Adaptive Cards library (its CommonJS build; the ESM one has extensionless imports).
const AC = createRequire(import.meta.url)(
  'adaptivecards/dist/adaptivecards.js',
) as typeof import('adaptivecards');

const teamsEnvelope = z
  .object({
    type: z.literal('message'),
    attachments: z
      .array(
        z
          .object({
            contentType: z.literal('application/vnd.microsoft.card.adaptive'),
            contentUrl: z.null(),
            content: z.record(z.string(), z.unknown()),
          })
          .strict(),
      )
      .length(1),
  })
  .strict();

/**
 * A Teams incoming-webhook body: the message envelope, and its card parsed by the official
 * `adaptivecards` library with no parse or validation event (unknown elements, bad properties,
 * unsupported version), at version 1.4.
 */
export function parseTeams(body: string): Record<string, unknown> {
  const env = teamsEnvelope.parse(JSON.parse(body));
  const content = env.attachments[0]!.content;
  const card = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  card.parse(content, ctx);
  const events = Array.from({ length: ctx.eventCount }, (_, i) => ctx.getEventAt(i).message);
  expect(events).toEqual([]);
  expect(card.validateProperties().validationEvents.map((e) => e.message)).toEqual([]);
  expect(card.version?.toString()).toBe('1.4');
  expect(content.$schema).toBe('http://adaptivecards.io/schemas/adaptive-card.json');
  return content;
}

/** `Action.OpenUrl` actions anywhere in a card. */
export function teamsButtons(card: Record<string, unknown>): { label: string; url: string }[] {
  const out: { label: string; url: string }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'Action.OpenUrl') out.push({ label: String(o.title), url: String(o.url) });
      Object.values(o).forEach(walk);
    }
  };
  walk([card.body, card.actions]);
  return out;
}

/** A user who signs in with a password and an authenticator app (seed returned for codes). */
export async function addApprover(s: NotifyServer, name: string) {
  const u = await addUser(s, name);
  const seed = newTotpSeed();
  const passwordHash = await hash(PASSWORD, { algorithm: 2 });
  await s.db.kysely
    .updateTable('users')
    .set({ password_hash: passwordHash })
    .where('id', '=', u.id)
    .execute();
  await createUnitOfWork(s.db).run(async (tx) => {
    await tx.factors.putTotp({
      userId: u.id,
      tenantId: s.boot.tenantId,
      sealedSeed: s.box.seal(seed.toString('base64'), totpSeedContext(u.id)),
      confirmed: true,
      lastUsedStep: null,
      createdAt: 0,
    });
  });
  return { ...u, seed };
}

/**
 * Follows an approval link in a fresh browser (or `b`), signing in when Elevate asks: password,
 * then the authenticator-app code (`mfa: false` stops after the password). Returns the last answer.
 */
export async function followLink(
  s: NotifyServer,
  link: string,
  who: { upn: string; seed: Buffer },
  b: Browser = new Browser(s),
): Promise<{ res: LightMyRequestResponse; b: Browser; signedIn: boolean }> {
  let res = await b.get(link);
  let at = locationOf(res);
  let signedIn = false;
  for (let hops = 0; hops < 20; hops += 1) {
    if (res.statusCode === 302 || res.statusCode === 303) {
      at = locationOf(res);
      res = await b.get(at);
      continue;
    }
    if (res.statusCode === 200 && at.startsWith('/identity/interaction/')) {
      const csrf = csrfOf(res.body);
      if (res.body.includes('name="password"')) {
        res = await submit(b, at, csrf, 'password', { username: who.upn, password: PASSWORD });
        signedIn = true;
        continue;
      }
      if (res.body.includes('authenticator app')) {
        res = await submit(b, at, csrf, 'totp', { code: totpCode(who.seed, totpStepAt(s.clock.now())) });
        continue;
      }
    }
    break;
  }
  return { res, b, signedIn };
}

/** Posts the decision form of a link page shown in `b`. */
export async function postDecision(b: Browser, link: string, page: string, justification: string) {
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  return b.post(link, { csrf, justification });
}

/** Adds a Slack or Teams channel through the API. */
export async function addChat(
  s: NotifyServer,
  kind: 'slack' | 'teams',
  url: string,
  extra: Record<string, unknown> = {},
) {
  const res = await call(s, 'POST', `${BASE}/chatChannels`, await s.admin(), {
    kind,
    displayName: `#pim-${kind}`,
    url,
    ...extra,
  });
  if (res.statusCode !== 201) throw new Error(`chat channel: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string; urlHost: string; kind: string; eventTypes: string[] }>();
}

/** Ada eligible for User Administrator; activation needs one approval of Bob or Cy (4 hours, ticket and reason required). */
export async function approvalSetup(s: NotifyServer) {
  const ada = await addUser(s, 'Ada Lovelace');
  const bob = await addApprover(s, 'Bob Approver');
  const cy = await addApprover(s, 'Cy Approver');
  const made = await pimCall(s, 'POST', ELIGIBILITY_REQUESTS, await s.admin(), {
    action: 'adminAssign',
    justification: 'Joins the help desk rota',
    roleDefinitionId: ROLE,
    directoryScopeId: '/',
    principalId: ada.id,
    scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
  });
  expect(made.statusCode, made.body).toBe(201);
  await patchPolicy(s as unknown as TestServer, ROLE, (rules) => {
    findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification', 'Ticketing'];
    const setting = findRule(rules, 'Approval_EndUser_Assignment')!.setting;
    setting.isApprovalRequired = true;
    setting.approvalStages = [
      {
        approvalStageTimeOutInDays: 1,
        approvalStageTimeOutInHours: 4,
        approvalsRequired: 1,
        isApproverJustificationRequired: false,
        isEscalationEnabled: false,
        escalationTimeInMinutes: 0,
        primaryApprovers: [single(bob.id), single(cy.id)],
        escalationApprovers: [],
      },
    ];
  });
  return { ada, bob, cy };
}
