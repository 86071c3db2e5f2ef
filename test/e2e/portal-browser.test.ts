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
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_PAGE_JS_BUDGET_BYTES, firstPageJs, ROOT, WEB_OUT } from '../../scripts/build.mjs';
import { ensureWebBuilt } from './support/web-build.js';
import { totpSeedContext } from '../../src/app/sign-in/ports.js';
import { createElevate, type Elevate } from '../../src/compose.js';
import { ALERT_NAMES } from '../../src/domain/alerts/definitions.js';
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
const HELPDESK_ADMINISTRATOR = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
const PASSWORD_ADMINISTRATOR = '966707d0-3269-4727-9be2-8c3a10f19b9d';
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
    // Ada's Helpdesk Administrator eligibility ends in ten days (she may ask to extend it), her
    // Password Administrator one in five minutes (she may ask to renew it once it has ended).
    for (const [roleDefinitionId, duration] of [
      [HELPDESK_ADMINISTRATOR, 'P10D'],
      [PASSWORD_ADMINISTRATOR, 'PT5M'],
    ] as const) {
      const timeBound = await graph(
        'POST',
        '/v1.0/roleManagement/directory/roleEligibilityScheduleRequests',
        {
          action: 'adminAssign',
          principalId: ada.id,
          roleDefinitionId,
          directoryScopeId: '/',
          justification: 'cover for the service desk',
          scheduleInfo: { expiration: { type: 'afterDuration', duration } },
        },
      );
      expect(timeBound.status, JSON.stringify(timeBound.json)).toBe(201);
    }
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
    // Both of Ada's User Administrator and Helpdesk Administrator activations need Bob's approval.
    for (const roleId of [USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR]) {
      const policy = await policyRules(roleId);
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
    }
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

  /** The authenticator-app time step each person last signed in with. */
  const lastStep = new Map<string, number>();

  /**
   * Signs in through the portal: the sign-in page, password, then the authenticator-app code. A
   * code is accepted once, so a second sign-in of a person within the same 30 s step first moves
   * the server's clock to the next step (as a person would wait for the next code).
   */
  async function signIn(page: Page, p: Person, path = '/roles') {
    const step = () => totpStepAt(clock.now());
    if (lastStep.get(p.upn) === step()) aheadMs += 30_000;
    // Every API call of the page finds no token; between them they send the browser to the
    // sign-in once (a second redirect would abort the first and replace its PKCE verifier).
    const authorizes: string[] = [];
    const countAuthorize = (r: Request) => {
      if (r.isNavigationRequest() && r.url().includes('/oauth2/v2.0/authorize')) authorizes.push(r.url());
    };
    page.on('request', countAuthorize);
    await page.goto(`${base}${path}`);
    await page.waitForURL(/\/identity\/interaction\//);
    await page.getByLabel('User name').fill(p.upn);
    page.off('request', countAuthorize);
    expect(authorizes, `redirects to the sign-in from ${path}`).toHaveLength(1);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const used = step();
    lastStep.set(p.upn, used);
    await page.getByLabel('Code from your authenticator app').fill(totpCode(p.seed, used));
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
    // The settings are read up front: the maximum is shown and is the duration offered.
    await expect
      .poll(() => adaPage.getByRole('dialog').getByText('At most 8 hours for this role.').isVisible())
      .toBe(true);
    expect(await adaPage.getByRole('dialog').getByLabel('Duration (hours)').inputValue()).toBe('8');
    expect(await adaPage.getByRole('dialog').getByLabel('Ticket number').count()).toBe(0);
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
    await expect.poll(() => dialog.getByText('At most 1 hour for this role.').isVisible()).toBe(true);
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

  it('extend near the end, renew after it, and my activation history', async () => {
    const requestsOf = async (kind: 'Eligibility' | 'Assignment') =>
      (
        await graph(
          'GET',
          `/v1.0/roleManagement/directory/role${kind}ScheduleRequests?$filter=${encodeURIComponent(
            `principalId eq '${ada.id}'`,
          )}`,
        )
      ).json.value as { status: string; action: string; roleDefinitionId: string }[];
    const page = await newPage();
    await signIn(page, ada);
    const helpdesk = page.locator(
      'section[aria-labelledby="eligible-heading"] tr[data-role="Helpdesk Administrator"]',
    );
    await expect.poll(() => helpdesk.isVisible()).toBe(true);
    // Ending within 14 days: Extend is offered there, and not where the end is far or none.
    expect(await page.getByRole('button', { name: 'Extend User Administrator' }).count()).toBe(0);
    // My activation history: the first test's activations, newest first, with their reasons.
    const history = page.getByRole('table', { name: 'My activation history' });
    await expect
      .poll(() =>
        history.getByRole('cell', { name: 'INC-4711 password resets for the service desk' }).isVisible(),
      )
      .toBe(true);
    expect(await history.getByRole('cell', { name: '2 h' }).count()).toBeGreaterThan(0);
    await photograph(page, 'my-roles-history');

    await page.getByRole('button', { name: 'Extend Helpdesk Administrator' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('For how many days from now').fill('30');
    await dialog.getByLabel('Justification').fill('the service desk needs cover another month');
    await photograph(page, 'extend');
    await dialog.getByRole('button', { name: 'Ask to extend' }).click();
    await expect
      .poll(() =>
        page
          .getByText("Helpdesk Administrator: the extension waits for an administrator's decision.")
          .isVisible(),
      )
      .toBe(true);
    expect(
      (await requestsOf('Eligibility')).filter((r) => r.action === 'selfExtend').map((r) => r.status),
    ).toEqual(['PendingAdminDecision']);

    // Ada asks for Helpdesk Administrator too; Bob approves everything waiting for him at once.
    await page.getByRole('button', { name: 'Activate Helpdesk Administrator' }).click();
    await dialog.getByLabel('Duration (hours)').fill('1');
    await dialog.getByLabel('Justification').fill('INC-4714 queue of locked accounts');
    await dialog.getByRole('button', { name: 'Activate' }).click();
    await expect
      .poll(() => page.getByText('Helpdesk Administrator: waiting for approval').isVisible())
      .toBe(true);
    const waiting = (await adaRequests()).filter((r) => r.status === 'PendingApproval').length;
    expect(waiting).toBeGreaterThanOrEqual(1);
    const bobPage = await newPage();
    await signIn(bobPage, bob, '/approvals');
    await expect
      .poll(() =>
        bobPage.getByRole('checkbox', { name: 'Select Helpdesk Administrator for Ada Example' }).isVisible(),
      )
      .toBe(true);
    await bobPage.getByRole('checkbox', { name: 'Select every request' }).check();
    await bobPage.getByLabel(`Your reason for the ${waiting} selected`).fill('checked the queue');
    await photograph(bobPage, 'approvals-bulk');
    await bobPage.getByRole('button', { name: `Approve ${waiting} selected` }).click();
    await expect
      .poll(() =>
        bobPage.getByText(`Approved ${waiting} ${waiting === 1 ? 'request' : 'requests'}.`).isVisible(),
      )
      .toBe(true);
    await expect.poll(() => bobPage.getByText('Nothing waits for your decision.').isVisible()).toBe(true);
    expect((await adaRequests()).filter((r) => r.status === 'PendingApproval')).toEqual([]);
    expect(await cspViolations(bobPage)).toEqual([]);

    // Six minutes on (the server's clock, and this browser's) the Password Administrator eligibility
    // has ended: Renew is offered. (Further would outlive the access tokens, minted on the wall clock.)
    aheadMs = Math.max(aheadMs, 6 * 60_000);
    const later = await newPage();
    await later.clock.setFixedTime(Date.now() + aheadMs);
    await signIn(later, ada);
    const ended = later.getByRole('table', { name: 'Ended recently' });
    await expect
      .poll(() => ended.getByRole('row', { name: /Password Administrator/ }).isVisible())
      .toBe(true);
    await photograph(later, 'my-roles-renew');
    await later.getByRole('button', { name: 'Renew Password Administrator' }).click();
    await later.getByRole('dialog').getByLabel('Justification').fill('still on the service desk');
    await later.getByRole('dialog').getByRole('button', { name: 'Ask to renew' }).click();
    await expect
      .poll(() =>
        later
          .getByText("Password Administrator: the renewal waits for an administrator's decision.")
          .isVisible(),
      )
      .toBe(true);
    expect(
      (await requestsOf('Eligibility'))
        .filter((r) => r.action === 'selfRenew')
        .map((r) => [r.roleDefinitionId, r.status]),
    ).toEqual([[PASSWORD_ADMINISTRATOR, 'PendingAdminDecision']]);
    for (const p of [page, later]) expect(await cspViolations(p)).toEqual([]);
  }, 120_000);

  it('the other role settings, Audit, the compliance report and Alerts for an administrator; none offered to others', async () => {
    const page = await newPage();
    await signIn(page, cleo);
    // The settings editor's other rules: too long an active assignment is refused next to its
    // field (nothing changed), then a good value and a notification address are saved.
    await page.getByRole('link', { name: 'Admin — Roles' }).click();
    await page.getByRole('link', { name: 'User Administrator' }).click();
    await page.getByRole('tab', { name: 'Settings' }).click();
    const activeDays = page.getByLabel('Active assignments last at most (days)');
    await expect.poll(() => activeDays.isVisible()).toBe(true);
    await activeDays.fill('5000');
    const saveRules = page.getByRole('button', { name: 'Save assignment and notification settings' });
    await saveRules.click();
    await expect.poll(() => activeDays.getAttribute('aria-invalid')).toBe('true');
    expect(
      (await policyRules(USER_ADMINISTRATOR)).rules.find((r) => r.id === 'Expiration_Admin_Assignment'),
    ).toMatchObject({
      maximumDuration: 'P180D',
    });
    await activeDays.fill('90');
    await page.getByLabel('Also send to: Someone activates, approvers').fill(`oncall-${tag}@contoso.test`);
    await photograph(page, 'admin-role-rules');
    await saveRules.click();
    await expect
      .poll(() => page.getByText('Assignment and notification settings saved.').isVisible())
      .toBe(true);
    const saved = (await policyRules(USER_ADMINISTRATOR)).rules;
    expect(saved.find((r) => r.id === 'Expiration_Admin_Assignment')).toMatchObject({
      maximumDuration: 'P90D',
    });
    expect(saved.find((r) => r.id === 'Notification_Approver_EndUser_Assignment')).toMatchObject({
      notificationRecipients: [`oncall-${tag}@contoso.test`],
    });

    await page.getByRole('link', { name: 'Audit' }).click();
    const entries = page.getByRole('table', { name: 'Audit entries' });
    await expect.poll(() => entries.getByRole('row').count()).toBeGreaterThan(1);
    await page.getByLabel('Activity').fill('Update role setting in PIM');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect
      .poll(async () => {
        const cells = await entries.locator('tbody tr td:nth-child(2)').allInnerTexts();
        return cells.length > 0 && cells.every((c) => c === 'Update role setting in PIM');
      })
      .toBe(true);
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await expect.poll(() => page.getByRole('status').getByText('intact').isVisible()).toBe(true);
    await photograph(page, 'audit');

    await page.getByRole('link', { name: 'Compliance report' }).click();
    const checks = page.getByRole('table', { name: 'Checks' });
    await expect.poll(() => checks.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await checks.getByRole('row').count()).toBeGreaterThan(1);
    expect(await page.getByText('The audit chain is intact').isVisible()).toBe(true);
    await photograph(page, 'compliance');
    expect(await cspViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.getByRole('button', { name: 'Scan now' }).click();
    await expect.poll(() => page.getByText('Scanned now.').isVisible()).toBe(true);
    expect(await page.locator('section[data-alert]').count()).toBe(ALERT_NAMES.length);
    await photograph(page, 'alerts');
    expect(await cspViolations(page)).toEqual([]);

    const other = await newPage();
    await signIn(other, bob);
    expect(await other.getByRole('link', { name: 'Alerts' }).count()).toBe(0);
    expect(await other.getByRole('link', { name: 'Audit' }).count()).toBe(0);
    expect(await other.getByRole('link', { name: 'Compliance report' }).count()).toBe(0);
  }, 120_000);
});
