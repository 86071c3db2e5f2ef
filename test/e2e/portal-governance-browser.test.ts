// The portal's governance pages in a real browser (Debian's Chromium via playwright-core) against
// Elevate serving the production build of web/: Cleo, a Global Administrator, reviews Ada's and
// Bob's User Administrator eligibilities (one decision by hand with a reason, the rest by accepting
// the recommendations; both checked in the API), and reads Groups, Resources (Ada's Contributor at
// /prod, inherited at /prod/db), Notification channels, Connectors and Break-glass accounts; Bob,
// with no administrator role, is offered none of the admin pages and sees an empty review list.
// axe-core checks every page at desktop and phone widths, no page reports a CSP violation, and each
// page is photographed into docs/screenshots/.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { hash } from '@node-rs/argon2';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, WEB_OUT } from '../../scripts/build.mjs';
import { ensureWebBuilt } from './support/web-build.js';
import { totpSeedContext } from '../../src/app/sign-in/ports.js';
import { createElevate, type Elevate } from '../../src/compose.js';
import { newTotpSeed, totpCode, totpStepAt } from '../../src/domain/authn/totp.js';
import { newId } from '../../src/domain/shared/ids.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { createSecretBox, type SecretBox } from '../../src/store/secret-box.js';
import { freshDb } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';
import { browserMissing, freePort, launchChromium } from './support/chromium.js';

const PASSWORD = 'correct horse battery staple';
const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const REVIEWS = '/v1.0/identityGovernance/accessReviews/definitions';
const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

interface Person {
  id: string;
  upn: string;
  name: string;
  seed: Buffer;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

describe(
  'the portal’s governance pages in Chromium',
  skipFor(browserMissing('the portal in a real browser')),
  () => {
    let db: Awaited<ReturnType<typeof freshDb>>;
    let box: SecretBox;
    let elevate: Elevate;
    let browser: Browser;
    let base: string;
    let appToken: string;
    let definitionId: string;
    const tag = randomBytes(3).toString('hex');
    const person = (name: string): Person => ({
      id: newId(),
      upn: `${name.toLowerCase()}-${tag}@contoso.test`,
      name: `${name} Example`,
      seed: newTotpSeed(),
    });
    const ada = person('Ada');
    const bob = person('Bob');
    const cleo = person('Cleo');
    const contexts: BrowserContext[] = [];
    let aheadMs = 0;
    const clock = { now: () => Date.now() + aheadMs };

    const graph = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${appToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, json: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
    };
    const created = async (method: string, path: string, body: unknown, status = 201) => {
      const res = await graph(method, path, body);
      expect(res.status, `${path}: ${JSON.stringify(res.json)}`).toBe(status);
      return res.json;
    };

    async function addPerson(p: Person) {
      const tenantId = elevate.bootstrapped!.tenantId;
      const passwordHash = await hash(PASSWORD, { algorithm: 2 });
      await createUnitOfWork(db).run(async (tx) => {
        await tx.users.insert({
          id: p.id,
          tenantId,
          displayName: p.name,
          userPrincipalName: p.upn,
          mail: null,
          givenName: null,
          surname: null,
          jobTitle: null,
          accountEnabled: true,
          passwordHash,
          passwordMustChange: false,
          createdAt: 0,
          modifiedAt: 0,
          version: 1,
        });
        await tx.factors.putTotp({
          userId: p.id,
          tenantId,
          sealedSeed: box.seal(p.seed.toString('base64'), totpSeedContext(p.id)),
          confirmed: true,
          lastUsedStep: null,
          createdAt: 0,
        });
      });
    }

    beforeAll(async () => {
      await ensureWebBuilt();
      const port = await freePort();
      base = `http://localhost:${port}`;
      db = await freshDb();
      box = createSecretBox(randomBytes(32));
      elevate = await createElevate({
        db,
        box,
        clock,
        logger: false,
        publicUrl: base,
        accessTokenTtlSeconds: 600,
        bootstrapAdminUpn: 'admin@contoso.test',
        portalDir: join(ROOT, WEB_OUT),
        outboxRelayIntervalMs: 0,
        // The review scheduler starts the review below within a second.
        accessReviewIntervalMs: 300,
      });
      await elevate.sweeper.stop();
      await elevate.app.listen({ host: '127.0.0.1', port });
      for (const p of [ada, bob, cleo]) await addPerson(p);

      const boot = elevate.bootstrapped!;
      const token = await fetch(`${base}/${boot.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: boot.app.clientId,
          client_secret: boot.app.clientSecret,
          scope: `${base}/.default`,
        }),
      });
      appToken = ((await token.json()) as { access_token: string }).access_token;

      // Cleo administers; Ada and Bob are eligible for User Administrator (what Cleo reviews).
      await created('POST', '/v1.0/roleManagement/directory/roleAssignmentScheduleRequests', {
        action: 'adminAssign',
        principalId: cleo.id,
        roleDefinitionId: GLOBAL_ADMINISTRATOR,
        directoryScopeId: '/',
        justification: 'administrator of the portal test',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
      });
      for (const p of [ada, bob])
        await created('POST', '/v1.0/roleManagement/directory/roleEligibilityScheduleRequests', {
          action: 'adminAssign',
          principalId: p.id,
          roleDefinitionId: USER_ADMINISTRATOR,
          directoryScopeId: '/',
          justification: 'service desk',
          scheduleInfo: { expiration: { type: 'noExpiration' } },
        });
      const definition = await created('POST', REVIEWS, {
        displayName: 'User Administrator review',
        descriptionForReviewers: 'Keep only who still needs it',
        scope: {
          '@odata.type': '#microsoft.graph.principalResourceMembershipsScope',
          principalScopes: [{ query: '/users', queryType: 'MicrosoftGraph' }],
          resourceScopes: [{ query: `/roleManagement/directory/roleDefinitions/${USER_ADMINISTRATOR}` }],
        },
        reviewers: [{ query: `/users/${cleo.id}`, queryType: 'MicrosoftGraph' }],
        settings: { recommendationsEnabled: true, recommendationLookBackDuration: 'P30D' },
      });
      definitionId = definition.id as string;

      // A PIM group: Ada an eligible member, Bob an active owner.
      const group = await created('POST', '/v1.0/groups', {
        displayName: 'Ops on call',
        mailNickname: `ops-${tag}`,
        mailEnabled: false,
        securityEnabled: true,
      });
      for (const [kind, p, accessId] of [
        ['eligibility', ada, 'member'],
        ['assignment', bob, 'owner'],
      ] as const)
        await created('POST', `/v1.0/identityGovernance/privilegedAccess/group/${kind}ScheduleRequests`, {
          action: 'adminAssign',
          accessId,
          principalId: p.id,
          groupId: group.id,
          justification: 'on call rota',
          scheduleInfo: { expiration: { type: 'noExpiration' } },
        });

      // Resources: /prod and /prod/db; Ada is eligible for Contributor at /prod.
      for (const [id, displayName] of [
        ['/prod', 'Production'],
        ['/prod/db', 'Databases'],
      ])
        await created('POST', '/v1.0/elevate/resourceScopes', { id, displayName, type: 'environment' });
      await created(
        'PUT',
        `/arm/prod/providers/Microsoft.Authorization/roleEligibilityScheduleRequests/${randomUUID()}?api-version=2020-10-01`,
        {
          properties: {
            principalId: ada.id,
            roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR}`,
            requestType: 'AdminAssign',
            justification: 'database on call',
            scheduleInfo: { expiration: { type: 'NoExpiration' } },
          },
        },
      );

      // Channels, a connector, and Bob marked as a break-glass account.
      await created('POST', '/v1.0/elevate/notifications/webhooks', {
        url: 'https://siem.contoso.test/elevate',
        description: 'SIEM',
      });
      await created('POST', '/v1.0/elevate/notifications/chatChannels', {
        kind: 'slack',
        displayName: '#pim-approvals',
        url: 'https://hooks.slack.test/services/T0/B0/x',
      });
      const connector = await created('POST', '/v1.0/elevate/connectors', {
        displayName: 'Billing cache',
        type: 'redis',
        settings: { host: '127.0.0.1', port: 1 },
        isEnabled: false,
      });
      await created('POST', `/v1.0/elevate/connectors/${connector.id as string}/mappings`, {
        source: 'directoryRole',
        sourceId: USER_ADMINISTRATOR,
        targetGrant: '+@read',
      });
      // An enabled connector whose target does not answer: its first reconcile fails at once.
      const failing = await created('POST', '/v1.0/elevate/connectors', {
        displayName: 'Orders cache',
        type: 'redis',
        settings: { host: '127.0.0.1', port: 1 },
      });
      await created('POST', `/v1.0/elevate/connectors/${failing.id as string}/mappings`, {
        source: 'directoryRole',
        sourceId: USER_ADMINISTRATOR,
        targetGrant: '+@read',
      });
      const failures = async () =>
        (
          (await graph('GET', `/v1.0/elevate/connectors/${failing.id as string}`)).json.status as {
            consecutiveFailures: number;
          } | null
        )?.consecutiveFailures ?? 0;
      for (let tries = 0; (await failures()) === 0; tries += 1) {
        if (tries > 150) throw new Error('the failing connector was never reconciled');
        await new Promise((r) => setTimeout(r, 100));
      }
      await created('POST', '/v1.0/elevate/breakGlassAccounts', { userId: bob.id });

      mkdirSync(SCREENSHOTS, { recursive: true });
      browser = await launchChromium();
    }, 120_000);

    afterAll(async () => {
      for (const context of contexts) await context.close();
      await browser?.close();
      await elevate?.app.close();
      await db?.drop();
    });

    /** A fresh browser context recording every CSP violation its pages report. */
    async function newPage(): Promise<Page> {
      const context = await browser.newContext({ viewport: DESKTOP });
      contexts.push(context);
      await context.addInitScript(() => {
        const page = globalThis as unknown as {
          cspViolations: string[];
          document: {
            addEventListener(
              type: string,
              listener: (e: { violatedDirective: string; blockedURI: string }) => void,
            ): void;
          };
        };
        page.cspViolations = [];
        page.document.addEventListener('securitypolicyviolation', (e) =>
          page.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
        );
      });
      return context.newPage();
    }

    const lastStep = new Map<string, number>();

    /** Password, then the authenticator-app code (the next 30 s step when this one was used). */
    async function signIn(page: Page, p: Person, path: string) {
      const step = () => totpStepAt(clock.now());
      if (lastStep.get(p.upn) === step()) aheadMs += 30_000;
      await page.goto(`${base}${path}`);
      await page.waitForURL(/\/identity\/interaction\//);
      await page.getByLabel('User name').fill(p.upn);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      const used = step();
      lastStep.set(p.upn, used);
      await page.getByLabel('Code from your authenticator app').fill(totpCode(p.seed, used));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL(`${base}${path}`);
      await expect.poll(() => page.getByText(p.name).first().isVisible()).toBe(true);
    }

    async function checkAccessibility(page: Page, name: string) {
      await page.evaluate(axeSource);
      const violations = await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } })
          .axe;
        return (await axe.run()).violations;
      });
      const grave = violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map(
          (v) =>
            `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join(', ')}`,
        );
      expect(grave, name).toEqual([]);
    }

    async function photograph(page: Page, name: string) {
      await checkAccessibility(page, `${name} (desktop)`);
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-desktop.png`), fullPage: true });
      await page.setViewportSize(PHONE);
      await checkAccessibility(page, `${name} (phone)`);
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-phone.png`) });
      await page.setViewportSize(DESKTOP);
    }

    const cspViolations = (page: Page) =>
      page.evaluate(() => (globalThis as unknown as { cspViolations: string[] }).cspViolations);

    /** The review's decision items, as the application reads them. */
    async function decisions() {
      const instances = (await graph('GET', `${REVIEWS}/${definitionId}/instances`)).json.value as {
        id: string;
      }[];
      const items = await graph('GET', `${REVIEWS}/${definitionId}/instances/${instances[0]!.id}/decisions`);
      return Object.fromEntries(
        (
          items.json.value as { principal: { id: string }; decision: string; justification: string | null }[]
        ).map((d) => [d.principal.id, [d.decision, d.justification]]),
      );
    }

    it('access reviews, groups, resources, channels, connectors and break-glass for an administrator', async () => {
      // The scheduler has started the review with one item each for Ada and Bob.
      await expect.poll(async () => Object.keys(await decisions()).length, { timeout: 10_000 }).toBe(2);

      const page = await newPage();
      await signIn(page, cleo, '/reviews');
      const review = page.getByRole('region', { name: 'User Administrator review', exact: true });
      await expect.poll(() => review.isVisible()).toBe(true);
      // Neither activated within the look-back period: the recommendation is Deny, and says why.
      const adaRow = review.locator(`tr[data-item="Ada Example User Administrator"]`);
      expect(await adaRow.locator('.mantine-Badge-label').textContent()).toBe('Deny');
      expect(await adaRow.getByText('Not activated within the look-back period.').isVisible()).toBe(true);
      // Every review, for a review reader: the definition and its instance in progress.
      const definitions = page.getByRole('table', { name: 'Review definitions' });
      await expect
        .poll(() =>
          definitions
            .getByRole('row', { name: /^User Administrator review InProgress InProgress / })
            .isVisible(),
        )
        .toBe(true);
      await photograph(page, 'access-reviews');

      // Ada is kept, by hand, with a reason; Bob takes the recommendation.
      await adaRow
        .getByLabel('Your reason for Ada Example, User Administrator')
        .fill('still on the service desk');
      await adaRow.getByRole('button', { name: 'Approve: Ada Example, User Administrator' }).click();
      await expect.poll(() => page.getByText('Recorded: Approve for Ada Example.').isVisible()).toBe(true);
      await review.getByRole('button', { name: 'Accept recommendations' }).click();
      await expect
        .poll(() =>
          page.getByText('The recommendations are accepted for every item you had not decided.').isVisible(),
        )
        .toBe(true);
      expect(await decisions()).toEqual({
        [ada.id]: ['Approve', 'still on the service desk'],
        [bob.id]: ['Deny', expect.anything()],
      });
      await expect.poll(() => review.getByText('0 of 2 to decide', { exact: false }).isVisible()).toBe(true);

      await page.getByRole('link', { name: 'Groups' }).click();
      const group = page.getByRole('region', { name: 'Ops on call', exact: true });
      await expect.poll(() => group.isVisible()).toBe(true);
      expect(
        await group.getByText('Members: 1 eligible, 0 active · Owners: 0 eligible, 1 active').isVisible(),
      ).toBe(true);
      expect(await group.getByRole('row', { name: /Ada Example member eligible/ }).isVisible()).toBe(true);
      expect(
        await group.getByRole('row', { name: /Bob Example owner active \(assigned\)/ }).isVisible(),
      ).toBe(true);
      await photograph(page, 'groups');

      await page.getByRole('link', { name: 'Resources' }).click();
      await page.getByRole('button', { name: 'Databases' }).click();
      const holders = page.getByRole('table', { name: 'Holders at Databases' });
      await expect.poll(() => holders.isVisible()).toBe(true);
      expect(
        await holders
          .getByRole('row', { name: /Ada Example Contributor eligible inherited from \/prod/ })
          .isVisible(),
      ).toBe(true);
      await page.getByRole('button', { name: 'Production' }).click();
      const atProd = page.getByRole('table', { name: 'Holders at Production' });
      await expect
        .poll(() => atProd.getByRole('row', { name: /Ada Example Contributor eligible direct/ }).isVisible())
        .toBe(true);
      await photograph(page, 'resources');

      await page.getByRole('link', { name: 'Notification channels' }).click();
      const channels = page.getByRole('table', { name: 'Channels' });
      await expect.poll(() => channels.isVisible()).toBe(true);
      expect(
        await channels
          .getByRole('row', { name: /SIEM siem\.contoso\.test webhook enabled none yet none/ })
          .isVisible(),
      ).toBe(true);
      expect(
        await channels
          .getByRole('row', { name: /#pim-approvals hooks\.slack\.test slack enabled/ })
          .isVisible(),
      ).toBe(true);
      await photograph(page, 'notification-channels');

      await page.getByRole('link', { name: 'Connectors' }).click();
      const connector = page.getByRole('region', { name: 'Billing cache', exact: true });
      await expect.poll(() => connector.isVisible()).toBe(true);
      expect(await connector.getByText('disabled').isVisible()).toBe(true);
      expect(
        await connector
          .getByText(/redis at 127\.0\.0\.1:1 · 0 granted, 0 waiting for the target, 0 revoked/)
          .isVisible(),
      ).toBe(true);
      expect(await connector.getByRole('cell', { name: '+@read' }).isVisible()).toBe(true);
      expect(await connector.getByText('Not reconciled yet.').isVisible()).toBe(true);
      // The enabled one shows its last reconcile: failing, with the reason.
      const orders = page.getByRole('region', { name: 'Orders cache', exact: true });
      expect(await orders.getByText('failing').isVisible()).toBe(true);
      expect(await orders.getByText(/Last reconcile .* failed \(\d+ in a row\): /).isVisible()).toBe(true);
      await photograph(page, 'connectors');

      await page.getByRole('link', { name: 'Break-glass accounts' }).click();
      const accounts = page.getByRole('table', { name: 'Break-glass accounts' });
      await expect.poll(() => accounts.isVisible()).toBe(true);
      expect(
        await accounts
          .getByRole('row', { name: /Bob Example/ })
          .getByText('never')
          .count(),
      ).toBe(2);
      await photograph(page, 'break-glass');
      expect(await cspViolations(page)).toEqual([]);
    }, 180_000);

    it('offers no admin page to someone without an administrator role, and an empty review list', async () => {
      const page = await newPage();
      await signIn(page, ada, '/reviews');
      await expect
        .poll(() => page.getByText('Nothing waits for your review.', { exact: false }).isVisible())
        .toBe(true);
      for (const name of [
        'Admin — Directory',
        'Groups',
        'Resources',
        'Notification channels',
        'Connectors',
        'Break-glass accounts',
      ])
        expect(await page.getByRole('link', { name }).count(), name).toBe(0);
      expect(await page.getByRole('table', { name: 'Review definitions' }).count()).toBe(0);
      await photograph(page, 'access-reviews-empty');
      expect(await cspViolations(page)).toEqual([]);
    }, 120_000);

    it('Admin — Directory: search, a refused and a good new user, disable and enable, reset sign-in methods', async () => {
      const page = await newPage();
      await signIn(page, cleo, '/admin/directory');
      const users = page.getByRole('table', { name: 'Users' });
      await expect.poll(() => users.getByRole('row').count()).toBeGreaterThan(3);
      await page.getByLabel('Find users').fill('Ada');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect.poll(() => users.getByRole('row').count()).toBe(2); // the header and Ada
      expect(await users.getByText(ada.upn).isVisible()).toBe(true);

      // A sign-in name that is not one: the API's words next to the field, and nobody created.
      const form = page.getByRole('form', { name: 'Create a user' });
      await form.getByLabel('Display name').fill('Dan Example');
      const upnField = form.getByLabel('Sign-in name');
      await upnField.fill('dan-without-a-domain');
      await form.getByRole('button', { name: 'Create user' }).click();
      await expect.poll(() => upnField.getAttribute('aria-invalid')).toBe('true');
      expect(await form.locator('.mantine-TextInput-error').innerText()).toMatch(/name@domain/);
      const dans = async () =>
        (
          (await graph('GET', `/v1.0/users?$filter=${encodeURIComponent("displayName eq 'Dan Example'")}`))
            .json.value as { accountEnabled: boolean }[]
        ).length;
      expect(await dans()).toBe(0);
      await upnField.fill(`dan-${tag}@contoso.test`);
      await form.getByLabel('First password').fill('a long first password 1');
      await form.getByRole('button', { name: 'Create user' }).click();
      await expect
        .poll(() => page.getByText(`Dan Example (dan-${tag}@contoso.test) is created.`).isVisible())
        .toBe(true);
      expect(await dans()).toBe(1);
      await photograph(page, 'admin-directory');

      // Ada disabled, then enabled again; Bob's sign-in methods reset (audited).
      const enabled = async (id: string) => (await graph('GET', `/v1.0/users/${id}`)).json.accountEnabled;
      await page.getByRole('button', { name: 'Disable Ada Example' }).click();
      await expect
        .poll(() => page.getByText('Ada Example is disabled', { exact: false }).isVisible())
        .toBe(true);
      expect(await enabled(ada.id)).toBe(false);
      await page.getByRole('button', { name: 'Enable Ada Example' }).click();
      await expect.poll(() => enabled(ada.id)).toBe(true);
      await page.getByLabel('Find users').fill('Bob');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('button', { name: 'Reset sign-in methods of Bob Example' }).click();
      await expect
        .poll(() =>
          page
            .getByText("Bob Example's authenticator app, passkeys and recovery codes are removed", {
              exact: false,
            })
            .isVisible(),
        )
        .toBe(true);
      const audits = await graph(
        'GET',
        `/v1.0/auditLogs/directoryAudits?$filter=${encodeURIComponent("activityDisplayName eq 'Admin deleted security info'")}`,
      );
      expect((audits.json.value as unknown[]).length).toBe(1);

      await page.getByRole('tab', { name: 'Groups' }).click();
      await expect
        .poll(() =>
          page.getByRole('table', { name: 'Directory groups' }).getByText('Ops on call').isVisible(),
        )
        .toBe(true);
      await page.getByRole('tab', { name: 'Applications' }).click();
      await expect
        .poll(() => page.getByRole('table', { name: 'Applications' }).getByRole('row').count())
        .toBeGreaterThan(1);
      await photograph(page, 'admin-directory-applications');
      expect(await cspViolations(page)).toEqual([]);
    }, 120_000);

    it('the settings editor: two serial approval stages and an authentication context, refusals next to their fields', async () => {
      const rules = async () => {
        const filter = encodeURIComponent(
          `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${USER_ADMINISTRATOR}'`,
        );
        const res = await graph(
          'GET',
          `/v1.0/policies/roleManagementPolicyAssignments?$filter=${filter}&$expand=policy($expand=rules)`,
        );
        const [assignment] = res.json.value as { policy: { rules: Record<string, unknown>[] } }[];
        return Object.fromEntries(assignment!.policy.rules.map((r) => [r.id as string, r]));
      };
      const before = await rules();
      const page = await newPage();
      await signIn(page, cleo, '/admin/roles');
      await page.getByRole('link', { name: 'User Administrator' }).click();
      await page.getByRole('tab', { name: 'Settings' }).click();
      const approval = page.getByLabel('Require approval to activate');
      await expect.poll(() => approval.isVisible()).toBe(true);
      if (!(await approval.isChecked())) await approval.check();
      await page.getByLabel('Approvers, stage 1').fill(ada.upn);
      await page.getByRole('button', { name: 'Add a second stage' }).click();
      const second = page.getByLabel('Approvers, stage 2');
      // An unknown approver, then too long a wait: each refused next to its own field, nothing saved.
      await second.fill(`nobody-${tag}@contoso.test`);
      const save = page.getByRole('button', { name: 'Save settings' });
      await save.click();
      await expect.poll(() => second.getAttribute('aria-invalid')).toBe('true');
      expect(
        await page
          .getByText(`No user signs in as “nobody-${tag}@contoso.test”`, { exact: false })
          .isVisible(),
      ).toBe(true);
      await second.fill(bob.upn);
      const days = page.getByLabel('Days to decide, stage 2');
      await days.fill('30');
      await save.click();
      await expect.poll(() => days.getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('.mantine-NumberInput-error').innerText()).toMatch(
        /approvalStageTimeOutInDays|7/,
      );
      expect((await rules()).Approval_EndUser_Assignment).toEqual(before.Approval_EndUser_Assignment);
      // Good values, and the passkey context c1 for every activation.
      await days.fill('2');
      await page.getByLabel('Authentication context').selectOption('c1');
      await photograph(page, 'admin-role-stages');
      await save.click();
      await expect.poll(() => page.getByText('The settings are saved.').isVisible()).toBe(true);
      const after = await rules();
      expect(after.Approval_EndUser_Assignment).toMatchObject({
        setting: {
          isApprovalRequired: true,
          approvalMode: 'Serial',
          approvalStages: [
            { primaryApprovers: [expect.objectContaining({ userId: ada.id })] },
            {
              approvalStageTimeOutInDays: 2,
              primaryApprovers: [expect.objectContaining({ userId: bob.id })],
            },
          ],
        },
      });
      expect(after.AuthenticationContext_EndUser_Assignment).toMatchObject({
        isEnabled: true,
        claimValue: 'c1',
      });
      // Read back as saved: two stages, and the context chosen.
      await page.reload();
      await page.getByRole('tab', { name: 'Settings' }).click();
      await expect.poll(() => page.getByLabel('Approvers, stage 2').inputValue()).toBe(bob.upn);
      expect(await page.getByLabel('Authentication context').inputValue()).toBe('c1');
      expect(await cspViolations(page)).toEqual([]);
    }, 120_000);

    it('Approvals shows the requester’s earlier activations of the role while the request waits', async () => {
      // User Administrator: one stage with Cleo as approver, no authentication context.
      const filter = encodeURIComponent(
        `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${USER_ADMINISTRATOR}'`,
      );
      const assignments = await graph(
        'GET',
        `/v1.0/policies/roleManagementPolicyAssignments?$filter=${filter}&$expand=policy($expand=rules)`,
      );
      const policy = (
        assignments.json.value as { policy: { id: string; rules: Record<string, unknown>[] } }[]
      )[0]!.policy;
      const approval = policy.rules.find((r) => r.id === 'Approval_EndUser_Assignment') as {
        setting: { approvalStages: Record<string, unknown>[] };
      };
      const rulesUrl = `/v1.0/policies/roleManagementPolicies/${policy.id}/rules`;
      await created(
        'PATCH',
        `${rulesUrl}/Approval_EndUser_Assignment`,
        {
          ...approval,
          setting: {
            ...approval.setting,
            isApprovalRequired: true,
            approvalMode: 'SingleStage',
            approvalStages: [
              {
                ...approval.setting.approvalStages[0],
                primaryApprovers: [{ '@odata.type': '#microsoft.graph.singleUser', userId: cleo.id }],
              },
            ],
          },
        },
        204,
      );
      await created(
        'PATCH',
        `${rulesUrl}/AuthenticationContext_EndUser_Assignment`,
        {
          '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule',
          id: 'AuthenticationContext_EndUser_Assignment',
          isEnabled: false,
          claimValue: null,
        },
        204,
      );

      const adaPage = await newPage();
      await signIn(adaPage, ada, '/roles');
      const askFor = async (justification: string) => {
        await adaPage.getByRole('button', { name: 'Activate User Administrator' }).click();
        const dialog = adaPage.getByRole('dialog');
        await dialog.getByLabel('Duration (hours)').fill('1');
        await dialog.getByLabel('Justification').fill(justification);
        await dialog.getByRole('button', { name: 'Activate' }).click();
        await expect
          .poll(() => adaPage.getByText('User Administrator: waiting for approval').isVisible())
          .toBe(true);
      };
      await askFor('INC-9 first request');

      // Cleo decides Ada's first request: no earlier activation of the role; she denies it.
      const cleoPage = await newPage();
      await signIn(cleoPage, cleo, '/approvals');
      const row = cleoPage.getByRole('row', { name: /Ada Example/ });
      await expect.poll(() => row.getByText('First activation of this role.').isVisible()).toBe(true);
      await row.getByLabel('Your reason for Ada Example').fill('not on call this week');
      await row.getByRole('button', { name: 'Deny' }).click();
      await expect.poll(() => cleoPage.getByText('Nothing waits for your decision.').isVisible()).toBe(true);

      // Ada asks again; Cleo now sees the denied one among Ada's earlier activations.
      await adaPage.reload();
      await askFor('INC-10 second request');
      await cleoPage.reload();
      const earlier = cleoPage.getByRole('group', { name: 'Earlier activations of this role' });
      await expect.poll(() => earlier.getByText('Earlier activations (1)').isVisible()).toBe(true);
      expect(await earlier.getByText(/Denied · INC-9 first request$/).isVisible()).toBe(true);
      await photograph(cleoPage, 'approvals-history');
      for (const p of [adaPage, cleoPage]) expect(await cspViolations(p)).toEqual([]);
    }, 120_000);

    it('visuals: a role’s activations per day and its holders’ timeline, my roles over time, the compliance status chart', async () => {
      const page = await newPage();
      await signIn(page, cleo, '/admin/roles');
      await page.getByRole('link', { name: 'User Administrator' }).click();
      await page.getByRole('tab', { name: 'Activity' }).click();
      // Ada asked for User Administrator twice in the approvals step (one denied, one waiting).
      await expect
        .poll(() => page.getByRole('img', { name: /^Activations per day: [2-9]\d* in all/ }).isVisible())
        .toBe(true);
      const timeline = page.getByRole('img', {
        name: /^Eligibility and activations per holder: [2-9]\d* holders$/,
      });
      await expect.poll(() => timeline.isVisible()).toBe(true);
      expect(await timeline.getByText('Ada Example').count()).toBe(1);
      await photograph(page, 'admin-role-activity');

      await page.getByRole('link', { name: 'Compliance report' }).click();
      await expect
        .poll(() => page.getByRole('img', { name: /^\d+ of \d+ checks pass, \d+ fail$/ }).isVisible(), {
          timeout: 20_000,
        })
        .toBe(true);
      await photograph(page, 'compliance-chart');
      expect(await cspViolations(page)).toEqual([]);

      const adaPage = await newPage();
      await signIn(adaPage, ada, '/roles');
      const mine = adaPage.getByRole('img', { name: /^My eligibility and activations per role: [1-9]/ });
      await expect.poll(() => mine.isVisible()).toBe(true);
      expect(await mine.getByText('User Administrator').count()).toBe(1);
      await photograph(adaPage, 'my-roles-timeline');
      expect(await cspViolations(adaPage)).toEqual([]);
    }, 120_000);
  },
);
