// The portal in a real browser (Debian's Chromium via playwright-core) against Elevate listening on
// localhost and serving the production build of web/ (built here when web/ changed since). Three
// people sign in with password + authenticator app through the portal's own PKCE flow: Ada
// activates a role that needs approval (bad input first: too long a duration, no justification),
// Bob approves it in his own browser context, Ada sees it active with a live countdown and
// deactivates it, Cleo (an administrator) shortens the role's maximum duration in the settings
// editor, and Ada's next activation is held to it. axe-core checks every page (no serious or
// critical violation), no Content-Security-Policy violation happens anywhere, and every main page
// is photographed at desktop and phone widths into docs/screenshots/.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { hash } from '@node-rs/argon2';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildWeb,
  FIRST_PAGE_JS_BUDGET_BYTES,
  firstPageJs,
  ROOT,
  WEB_OUT,
  whyBuildWeb,
} from '../../scripts/build.mjs';
import { totpSeedContext } from '../../src/app/sign-in/ports.js';
import { createElevate, type Elevate } from '../../src/compose.js';
import { newTotpSeed, totpCode, totpStepAt } from '../../src/domain/authn/totp.js';
import { newId } from '../../src/domain/shared/ids.js';
import type { Clock } from '../../src/domain/time/clock.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { createSecretBox, type SecretBox } from '../../src/store/secret-box.js';
import { freshDb } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';
import { browserMissing, freePort, launchChromium } from './support/chromium.js';

const PASSWORD = 'correct horse battery staple';
const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
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

describe('the portal in Chromium', skipFor(browserMissing('the portal in a real browser')), () => {
  let db: Awaited<ReturnType<typeof freshDb>>;
  let box: SecretBox;
  let elevate: Elevate;
  let browser: Browser;
  let base: string;
  let appToken: string;
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
  // The server's clock runs with the wall clock, and jumps ahead when the test skips the five
  // minutes an activation must last before it may be deactivated.
  let aheadMs = 0;
  const clock: Clock = { now: () => Date.now() + aheadMs };

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

  async function policyRules(roleId: string) {
    const filter = encodeURIComponent(
      `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${roleId}'`,
    );
    const res = await graph(
      'GET',
      `/v1.0/policies/roleManagementPolicyAssignments?$filter=${filter}&$expand=policy($expand=rules)`,
    );
    const policy = (res.json.value as { policy: { id: string; rules: Record<string, unknown>[] } }[])[0]!
      .policy;
    return policy;
  }

  beforeAll(async () => {
    if (whyBuildWeb() !== undefined) expect(buildWeb()).toBe(0);
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
      accessReviewIntervalMs: 0,
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

    // Ada may activate User Administrator, with Bob's approval; Cleo is a Global Administrator.
    const eligible = await graph('POST', '/v1.0/roleManagement/directory/roleEligibilityScheduleRequests', {
      action: 'adminAssign',
      principalId: ada.id,
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      justification: 'on call',
      scheduleInfo: { expiration: { type: 'noExpiration' } },
    });
    expect(eligible.status).toBe(201);
    const admin = await graph('POST', '/v1.0/roleManagement/directory/roleAssignmentScheduleRequests', {
      action: 'adminAssign',
      principalId: cleo.id,
      roleDefinitionId: GLOBAL_ADMINISTRATOR,
      directoryScopeId: '/',
      justification: 'administrator of the portal test',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
    });
    expect(admin.status, JSON.stringify(admin.json)).toBe(201);
    // … and may activate her membership of a PIM for Groups group.
    const group = await graph('POST', '/v1.0/groups', {
      displayName: 'Ops on call',
      mailNickname: `ops-${tag}`,
      mailEnabled: false,
      securityEnabled: true,
    });
    expect(group.status, JSON.stringify(group.json)).toBe(201);
    const member = await graph(
      'POST',
      '/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests',
      {
        action: 'adminAssign',
        accessId: 'member',
        principalId: ada.id,
        groupId: group.json.id,
        justification: 'on call rota',
        scheduleInfo: { expiration: { type: 'noExpiration' } },
      },
    );
    expect(member.status, JSON.stringify(member.json)).toBe(201);
    const policy = await policyRules(USER_ADMINISTRATOR);
    const approval = policy.rules.find((r) => r.id === 'Approval_EndUser_Assignment')! as {
      setting: { approvalStages: Record<string, unknown>[] };
    };
    const patched = await graph(
      'PATCH',
      `/v1.0/policies/roleManagementPolicies/${policy.id}/rules/Approval_EndUser_Assignment`,
      {
        ...approval,
        setting: {
          ...approval.setting,
          isApprovalRequired: true,
          approvalMode: 'SingleStage',
          approvalStages: [
            {
              ...approval.setting.approvalStages[0],
              primaryApprovers: [{ '@odata.type': '#microsoft.graph.singleUser', userId: bob.id }],
            },
          ],
        },
      },
    );
    expect(patched.status, JSON.stringify(patched.json)).toBe(204);
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await elevate?.app.close();
    await db?.drop();
  });

  /** A fresh browser context (light or dark system scheme) recording every CSP violation its pages report. */
  async function newPage(colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const context = await browser.newContext({ viewport: DESKTOP, colorScheme });
    contexts.push(context);
    await context.addInitScript(() => {
      interface Violation {
        violatedDirective: string;
        blockedURI: string;
      }
      const page = globalThis as unknown as {
        cspViolations: string[];
        document: { addEventListener(type: string, listener: (e: Violation) => void): void };
      };
      page.cspViolations = [];
      page.document.addEventListener('securitypolicyviolation', (e) =>
        page.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    return context.newPage();
  }

  /** Signs in through the portal: the sign-in page, password, then the authenticator-app code. */
  async function signIn(page: Page, p: Person, path = '/roles') {
    await page.goto(`${base}${path}`);
    await page.waitForURL(/\/identity\/interaction\//);
    await page.getByLabel('User name').fill(p.upn);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('Code from your authenticator app').fill(totpCode(p.seed, totpStepAt(clock.now())));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${base}${path}`);
    await expect.poll(() => page.getByText(p.name).first().isVisible()).toBe(true);
  }

  /** axe-core on the page as it is: no serious or critical violation. */
  async function checkAccessibility(page: Page, name: string) {
    // evaluate() runs outside the page's CSP, which would refuse an injected script element.
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
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

  /** The page at desktop and phone widths, into docs/screenshots/<name>-desktop|phone.png. */
  async function photograph(page: Page, name: string) {
    await checkAccessibility(page, `${name} (desktop)`);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-desktop.png`) });
    await page.setViewportSize(PHONE);
    await checkAccessibility(page, `${name} (phone)`);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-phone.png`) });
    await page.setViewportSize(DESKTOP);
  }

  const cspViolations = (page: Page) =>
    page.evaluate(() => (globalThis as unknown as { cspViolations: string[] }).cspViolations);

  const adaRequests = async () =>
    (
      await graph(
        'GET',
        `/v1.0/roleManagement/directory/roleAssignmentScheduleRequests?$filter=${encodeURIComponent(
          `principalId eq '${ada.id}'`,
        )}`,
      )
    ).json.value as { status: string; action: string }[];

  it('keeps the first page’s JavaScript under 500 kB gzipped', () => {
    const { bytes, files } = firstPageJs();
    expect(files.length).toBeGreaterThan(0);
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(FIRST_PAGE_JS_BUDGET_BYTES);
  });

  it('activation with approval, decision, countdown, deactivation and a role setting, end to end', async () => {
    // Ada signs in and sees what she may activate.
    const adaPage = await newPage();
    await signIn(adaPage, ada);
    const eligibleRow = adaPage.locator('tr[data-role="User Administrator"]');
    await expect.poll(() => eligibleRow.isVisible()).toBe(true);
    expect(await adaPage.getByRole('link', { name: 'Admin — Roles' }).count()).toBe(0);
    await photograph(adaPage, 'my-roles');

    // The keyboard alone: the dialog opens from a focused button, starts on the duration, and Escape
    // closes it.
    await adaPage.getByRole('button', { name: 'Activate User Administrator' }).focus();
    await adaPage.keyboard.press('Enter');
    await expect.poll(() => adaPage.getByRole('dialog').isVisible()).toBe(true);
    await expect
      .poll(() =>
        adaPage.evaluate(
          () =>
            (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement
              .id,
        ),
      )
      .toBe(await adaPage.getByRole('dialog').getByLabel('Duration (hours)').getAttribute('id'));
    await adaPage.keyboard.press('Escape');
    await expect.poll(() => adaPage.getByRole('dialog').count()).toBe(0);

    // Bad input: too long a duration and no justification. The server's messages appear next to
    // the fields, and nothing is created.
    await adaPage.getByRole('button', { name: 'Activate User Administrator' }).click();
    const dialog = adaPage.getByRole('dialog');
    await dialog.getByLabel('Duration (hours)').fill('100');
    await dialog.getByRole('button', { name: 'Activate' }).click();
    const durationInput = dialog.getByLabel('Duration (hours)');
    await expect.poll(() => durationInput.getAttribute('aria-invalid')).toBe('true');
    const justificationInput = dialog.getByLabel('Justification');
    await expect.poll(() => justificationInput.getAttribute('aria-invalid')).toBe('true');
    const durationMessage = await dialog.locator('.mantine-NumberInput-error').innerText();
    const justificationMessage = await dialog.locator('.mantine-Textarea-error').innerText();
    expect(durationMessage.length).toBeGreaterThan(10);
    expect(justificationMessage.length).toBeGreaterThan(10);
    await photograph(adaPage, 'activate-refused');
    expect(await adaRequests()).toEqual([]);

    // A good request waits for Bob.
    await durationInput.fill('2');
    await justificationInput.fill('INC-4711 password resets for the service desk');
    await dialog.getByRole('button', { name: 'Activate' }).click();
    await expect
      .poll(() => adaPage.getByText('User Administrator: waiting for approval').isVisible())
      .toBe(true);
    await expect.poll(() => eligibleRow.getByText('waiting for approval').isVisible()).toBe(true);
    expect((await adaRequests()).map((r) => r.status)).toEqual(['PendingApproval']);

    await adaPage.getByRole('link', { name: 'My requests' }).click();
    await expect.poll(() => adaPage.getByRole('cell', { name: 'PendingApproval' }).isVisible()).toBe(true);
    await photograph(adaPage, 'my-requests');

    // Bob, in his own browser context, approves.
    // (His system is in dark mode: the portal follows it, and axe checks it too.)
    const bobPage = await newPage('dark');
    await signIn(bobPage, bob, '/approvals');
    const row = bobPage.getByRole('row', { name: /Ada Example/ });
    await expect.poll(() => row.isVisible()).toBe(true);
    expect(await row.getByText('INC-4711 password resets for the service desk').isVisible()).toBe(true);
    expect(await bobPage.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
    await photograph(bobPage, 'approvals');
    await row.getByLabel('Your reason for Ada Example').fill('checked INC-4711');
    await row.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => bobPage.getByText('Approved: User Administrator for Ada Example.').isVisible())
      .toBe(true);
    await expect.poll(() => bobPage.getByText('Nothing waits for your decision.').isVisible()).toBe(true);

    // Ada sees the role active, its countdown running, then deactivates it.
    await adaPage.getByRole('link', { name: 'My roles' }).click();
    const countdown = adaPage.getByTestId('countdown');
    await expect.poll(() => countdown.first().isVisible(), { timeout: 10_000 }).toBe(true);
    const first = await countdown.first().innerText();
    expect(first).toMatch(/^1 h 59 min \d\d s$|^2 h 00 min 00 s$/);
    await expect.poll(() => countdown.first().innerText(), { timeout: 5_000 }).not.toBe(first);
    await photograph(adaPage, 'my-roles-active');
    await adaPage.getByRole('button', { name: 'Deactivate User Administrator' }).click();
    await expect
      .poll(() =>
        adaPage.getByText('The Active duration is too short. Minimum Required is 5 minutes.').isVisible(),
      )
      .toBe(true);
    aheadMs = 6 * 60_000;
    await adaPage.getByRole('button', { name: 'Deactivate User Administrator' }).click();
    await expect.poll(() => adaPage.getByText('User Administrator is deactivated.').isVisible()).toBe(true);
    await expect.poll(() => countdown.count()).toBe(0);

    // Cleo, an administrator, lowers the role's maximum activation to one hour.
    const cleoPage = await newPage();
    await signIn(cleoPage, cleo);
    await cleoPage.getByRole('link', { name: 'Admin — Roles' }).click();
    await expect
      .poll(() => cleoPage.getByRole('link', { name: 'User Administrator' }).isVisible())
      .toBe(true);
    await photograph(cleoPage, 'admin-roles');
    await cleoPage.getByRole('link', { name: 'User Administrator' }).click();
    await expect
      .poll(() => cleoPage.getByRole('heading', { name: 'User Administrator' }).isVisible())
      .toBe(true);
    await expect
      .poll(() => cleoPage.getByRole('cell', { name: 'Ada Example', exact: true }).isVisible())
      .toBe(true);
    await photograph(cleoPage, 'admin-role-assignments');

    // Assignments: an unknown user is refused in the API's words next to the field, nothing added;
    // Bob is made eligible, then removed again.
    const eligibleTable = cleoPage.getByRole('table', { name: 'eligible holders' });
    const userField = cleoPage.getByLabel('User', { exact: true });
    await userField.fill(`nobody-${tag}@contoso.test`);
    await cleoPage.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => userField.getAttribute('aria-invalid')).toBe('true');
    expect(await cleoPage.locator('.mantine-TextInput-error').innerText()).toMatch(
      /^Resource does not exist.* No user signs in as “nobody-/,
    );
    expect(await eligibleTable.getByRole('row').count()).toBe(2); // the header and Ada
    await userField.fill(bob.upn);
    await cleoPage.getByLabel('Justification').fill('second on call');
    await cleoPage.getByRole('button', { name: 'Add', exact: true }).click();
    await expect
      .poll(() => cleoPage.getByText('Bob Example is now eligible for this role.').isVisible())
      .toBe(true);
    await expect.poll(() => eligibleTable.getByRole('row').count()).toBe(3);
    await cleoPage.getByRole('button', { name: 'Remove Bob Example' }).click();
    await expect.poll(() => cleoPage.getByText('Bob Example is no longer eligible.').isVisible()).toBe(true);
    await expect.poll(() => eligibleTable.getByRole('row').count()).toBe(2);
    await cleoPage.getByRole('tab', { name: 'Settings' }).click();
    const maximum = cleoPage.getByLabel('Maximum activation duration (hours)');
    await expect.poll(() => maximum.isVisible()).toBe(true);
    await maximum.fill('1');
    await photograph(cleoPage, 'admin-role-settings');
    await cleoPage.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => cleoPage.getByText('The settings are saved.').isVisible()).toBe(true);
    const rules = (await policyRules(USER_ADMINISTRATOR)).rules;
    expect(rules.find((r) => r.id === 'Expiration_EndUser_Assignment')).toMatchObject({
      maximumDuration: 'PT1H',
    });

    // Ada's next activation is held to the new maximum: two hours are refused, one is accepted.
    expect(await cspViolations(adaPage)).toEqual([]); // before the reload starts a new list
    await adaPage.reload();
    await adaPage.getByRole('button', { name: 'Activate User Administrator' }).click();
    await dialog.getByLabel('Duration (hours)').fill('2');
    await dialog.getByLabel('Justification').fill('INC-4712 more resets');
    await dialog.getByRole('button', { name: 'Activate' }).click();
    await expect.poll(() => dialog.getByLabel('Duration (hours)').getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.locator('.mantine-NumberInput-error').innerText()).toMatch(/PT1H|1 hour|one hour/i);
    expect((await adaRequests()).filter((r) => r.status === 'PendingApproval')).toEqual([]);
    await dialog.getByLabel('Duration (hours)').fill('1');
    await dialog.getByRole('button', { name: 'Activate' }).click();
    await expect
      .poll(() => adaPage.getByText('User Administrator: waiting for approval').isVisible())
      .toBe(true);

    // PIM for Groups on the same page: Ada activates her group membership, which needs no approval.
    await adaPage.getByRole('button', { name: 'Activate Ops on call' }).click();
    await dialog.getByLabel('Duration (hours)').fill('1');
    await dialog.getByLabel('Justification').fill('INC-4713 on call tonight');
    await dialog.getByRole('button', { name: 'Activate' }).click();
    await expect.poll(() => adaPage.getByText('Ops on call is active now.').isVisible()).toBe(true);
    const groupRow = adaPage.locator('section[aria-labelledby="active-heading"] tr[data-role="Ops on call"]');
    // One hour from the server's now, which runs six minutes ahead of the browser's since the jump.
    await expect.poll(() => groupRow.getByTestId('countdown').innerText()).toMatch(/^1 h 0[56] min \d\d s$/);

    expect(await cspViolations(adaPage)).toEqual([]);

    // Signing out ends the session at Elevate too: the next visit asks to sign in again.
    await adaPage.getByRole('button', { name: 'Sign out' }).click();
    await adaPage.getByRole('button', { name: 'Sign out' }).click(); // Elevate's confirmation page
    await expect.poll(() => adaPage.getByText('You are signed out').isVisible()).toBe(true);
    await adaPage.getByRole('link', { name: 'Sign in' }).click();
    await adaPage.waitForURL(/\/identity\/interaction\//);

    for (const page of [bobPage, cleoPage]) expect(await cspViolations(page)).toEqual([]);
  }, 180_000);
});
