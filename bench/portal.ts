/**
 * `npm run bench:portal`: how long the portal's My roles page waits for its data with 1,000 roles
 * and 10,000 assignments seeded (issue 15's load check), printed as a measurement, not asserted.
 *
 * Starts Elevate in this process on a fresh SQLite file (as `openDatabase` opens it) on
 * 127.0.0.1:<random>, serving the production build of web/ (built first when stale). Seeds custom
 * roles up to 1,000 role definitions (through the API, so each has its settings), 1,000 users with
 * ten PIM schedules each (seven eligibilities, three active assignments: 10,000) straight through
 * the stores, and the requester: a service principal eligible for 20 roles with 5 of them active
 * (an application calls `filterByCurrentUser` exactly as a user does; a user's sign-in needs the
 * interactive pages). Then, RUNS times after WARMUP runs, it times what the browser fetches before
 * My roles can show data, in the order it does:
 *
 *   1. `GET /roles` (index.html) and the page's JavaScript and CSS (in parallel, as the browser does);
 *   2. `GET …/roleDefinitions?$top=1` (the navigation's admin check; it stands in for `GET /v1.0/me`,
 *      which My roles waits for and which a service principal does not have: one small read);
 *   3. the six collections of `web/src/holdings.ts` in parallel (eligible and active roles and
 *      groups, pending requests).
 *
 * What it does not time: the browser parsing the JavaScript and React rendering the rows (one
 * page of at most a few dozen rows), and the sign-in redirect. Every server and temp dir is closed
 * and removed.
 *
 *   npm run bench:portal
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWeb, WEB_OUT, whyBuildWeb } from '../scripts/build.mjs';
import { createElevate } from '../src/compose.js';
import { assignmentInstanceId, eligibilityInstanceId } from '../src/domain/pim/instance-id.js';
import type { Schedule } from '../src/domain/pim/schedule.js';
import { newId } from '../src/domain/shared/ids.js';
import { systemClock } from '../src/domain/time/clock.js';
import { createUnitOfWork } from '../src/modules/unit-of-work.js';
import { openDatabase } from '../src/store/db.js';
import { createSecretBox } from '../src/store/secret-box.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROLES = 1_000;
const USERS = 1_000;
const ELIGIBLE_PER_USER = 7;
const ACTIVE_PER_USER = 3;
const MINE_ELIGIBLE = 20;
const MINE_ACTIVE = 5;
const WARMUP = 3;
const RUNS = Number(process.env.BENCH_PORTAL_RUNS ?? 20);
const HOUR = 3_600_000;
const DIRECTORY = '/v1.0/roleManagement/directory';
const GROUPS = '/v1.0/identityGovernance/privilegedAccess/group';
const MINE = "filterByCurrentUser(on='principal')";
const PENDING = `$filter=${encodeURIComponent("status eq 'PendingApproval'")}`;
/** The calls of `loadMyHoldings` (web/src/holdings.ts), as it makes them. */
const HOLDINGS = [
  `${DIRECTORY}/roleEligibilityScheduleInstances/${MINE}?$expand=roleDefinition`,
  `${DIRECTORY}/roleAssignmentScheduleInstances/${MINE}?$expand=roleDefinition`,
  `${DIRECTORY}/roleAssignmentScheduleRequests/${MINE}?${PENDING}`,
  `${GROUPS}/eligibilityScheduleInstances/${MINE}?$expand=group`,
  `${GROUPS}/assignmentScheduleInstances/${MINE}?$expand=group`,
  `${GROUPS}/assignmentScheduleRequests/${MINE}?${PENDING}`,
];

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  if (whyBuildWeb() !== undefined && buildWeb() !== 0) throw new Error('building web/ failed');
  const dir = mkdtempSync(join(os.tmpdir(), 'elevate-bench-portal-'));
  const db = openDatabase(`sqlite:${join(dir, 'elevate.db')}`);
  try {
    const elevate = await createElevate({
      db,
      box: createSecretBox(randomBytes(32)),
      clock: systemClock,
      logger: false,
      publicUrl: 'http://127.0.0.1:8080',
      accessTokenTtlSeconds: 3600,
      bootstrapAdminUpn: 'admin@contoso.test',
      portalDir: join(ROOT, WEB_OUT),
      auditCheckpointIntervalMs: 0,
      expirySweepIntervalMs: 0,
      outboxRelayIntervalMs: 0,
      accessReviewIntervalMs: 0,
      alertScanIntervalMs: 0,
    });
    try {
      await elevate.app.listen({ host: '127.0.0.1', port: 0 });
      const port = (elevate.app.server.address() as { port: number }).port;
      const base = `http://127.0.0.1:${port}`;
      await run(elevate.bootstrapped!, base, db);
    } finally {
      await elevate.app.close();
    }
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function token(base: string, tenantId: string, clientId: string, secret: string): Promise<string> {
  const res = await fetch(`${base}/${tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
      scope: 'http://127.0.0.1:8080/.default',
    }),
  });
  if (!res.ok) throw new Error(`token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function run(
  boot: { tenantId: string; app: { clientId: string; clientSecret: string } },
  base: string,
  db: ReturnType<typeof openDatabase>,
): Promise<void> {
  const tenantId = boot.tenantId;
  const admin = {
    authorization: `Bearer ${await token(base, tenantId, boot.app.clientId, boot.app.clientSecret)}`,
  };
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...admin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as Record<string, unknown>;
  };

  // Roles: custom ones up to ROLES definitions, each with its settings.
  let seeding = performance.now();
  const existing = (
    (await send('GET', `${DIRECTORY}/roleDefinitions?$select=id`)).value as { id: string }[]
  ).map((r) => r.id);
  const roles = [...existing];
  for (let i = roles.length; i < ROLES; i += 1) {
    const role = await send('POST', `${DIRECTORY}/roleDefinitions`, {
      displayName: `Bench role ${String(i).padStart(4, '0')}`,
      isEnabled: true,
      rolePermissions: [{ allowedResourceActions: ['microsoft.directory/users/basic/update'] }],
    });
    roles.push(role.id as string);
  }
  log(`${roles.length} role definitions in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);

  // The requester: a service principal with a secret.
  const sp = await send('POST', '/v1.0/servicePrincipals', { displayName: 'bench requester' });
  const secret = (await send('POST', `/v1.0/servicePrincipals/${String(sp.id)}/addPassword`, {}))
    .secretText as string;
  const requesterId = sp.id as string;

  // 10,000 schedules of 1,000 users, and the requester's own, straight through the stores.
  seeding = performance.now();
  const uow = createUnitOfWork(db);
  const now = Date.now();
  const schedule = (
    principalId: string,
    principalType: 'user' | 'servicePrincipal',
    roleDefinitionId: string,
    kind: 'eligibility' | 'assignment',
  ): Schedule => {
    const id = newId();
    const active = kind === 'assignment';
    return {
      id,
      tenantId,
      kind,
      resourceType: 'directoryRole',
      origin: 'pim',
      principalId,
      principalType,
      roleDefinitionId,
      directoryScopeId: '/',
      appScopeId: null,
      window: { start: now - HOUR, end: active ? now + 4 * HOUR : null },
      status: 'Provisioned',
      memberType: 'Direct',
      assignmentType: active ? 'Activated' : null,
      createdUsing: id,
      activatedUsing: null,
      instanceId: (active ? assignmentInstanceId : eligibilityInstanceId)(
        roleDefinitionId,
        principalId,
        '/',
        newId,
      ),
      createdAt: now - HOUR,
      modifiedAt: now - HOUR,
      expiryRecordedAt: null,
      version: 1,
    };
  };
  const roleAt = (n: number) => roles[n % roles.length]!;
  for (let batch = 0; batch < USERS; batch += 100) {
    await uow.run(async (tx) => {
      for (let u = batch; u < Math.min(USERS, batch + 100); u += 1) {
        const userId = newId();
        await tx.users.insert({
          id: userId,
          tenantId,
          displayName: `Bench user ${u}`,
          userPrincipalName: `bench-${u}@contoso.test`,
          mail: null,
          givenName: null,
          surname: null,
          jobTitle: null,
          accountEnabled: true,
          passwordHash: null,
          passwordMustChange: false,
          createdAt: now,
          modifiedAt: now,
          version: 1,
        });
        for (let k = 0; k < ELIGIBLE_PER_USER + ACTIVE_PER_USER; k += 1) {
          const kind = k < ELIGIBLE_PER_USER ? 'eligibility' : 'assignment';
          await tx.schedules.insert(schedule(userId, 'user', roleAt(u * 10 + k), kind));
        }
      }
    });
  }
  await uow.run(async (tx) => {
    for (let k = 0; k < MINE_ELIGIBLE; k += 1) {
      const role = roleAt(k * 37);
      await tx.schedules.insert(schedule(requesterId, 'servicePrincipal', role, 'eligibility'));
      if (k < MINE_ACTIVE)
        await tx.schedules.insert(schedule(requesterId, 'servicePrincipal', role, 'assignment'));
    }
  });
  log(
    `${USERS * (ELIGIBLE_PER_USER + ACTIVE_PER_USER)} schedules of ${USERS} users, and the requester's ` +
      `${MINE_ELIGIBLE} eligible + ${MINE_ACTIVE} active, in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
  );

  const requester = {
    authorization: `Bearer ${await token(base, tenantId, sp.appId as string, secret)}`,
  };
  const get = async (path: string, headers: Record<string, string> = requester) => {
    const res = await fetch(`${base}${path}`, { headers: { ...headers, 'accept-encoding': 'gzip' } });
    const body = await res.arrayBuffer();
    return { status: res.status, bytes: body.byteLength, text: () => Buffer.from(body).toString('utf8') };
  };

  // The assets index.html names.
  const html = (await get('/roles', {})).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  if (assets.length === 0) throw new Error('index.html names no assets');

  const timeOnce = async () => {
    const t0 = performance.now();
    await get('/roles', {});
    await Promise.all(assets.map((a) => get(a, {})));
    const t1 = performance.now();
    const nav = await get(`${DIRECTORY}/roleDefinitions?$top=1&$select=id`);
    const t2 = performance.now();
    const data = await Promise.all(HOLDINGS.map((path) => get(path)));
    const t3 = performance.now();
    for (const [i, r] of data.entries()) if (r.status !== 200) throw new Error(`${HOLDINGS[i]}: ${r.status}`);
    if (nav.status !== 200 && nav.status !== 403) throw new Error(`admin check: ${nav.status}`);
    const [eligible, active] = data.map((r) => (JSON.parse(r.text()) as { value: unknown[] }).value.length);
    return { page: t1 - t0, nav: t2 - t1, data: t3 - t2, total: t3 - t0, eligible, active };
  };

  for (let i = 0; i < WARMUP; i += 1) await timeOnce();
  const runs: Awaited<ReturnType<typeof timeOnce>>[] = [];
  for (let i = 0; i < RUNS; i += 1) runs.push(await timeOnce());
  const first = runs[0]!;
  if (first.eligible !== MINE_ELIGIBLE || first.active !== MINE_ACTIVE)
    throw new Error(`My roles shows ${first.eligible} eligible and ${first.active} active, not the seeded`);
  const stat = (key: 'page' | 'nav' | 'data' | 'total') => {
    const xs = runs.map((r) => r[key]).sort((a, b) => a - b);
    const at = (p: number) => xs[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)]!;
    return `median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${xs[xs.length - 1]!.toFixed(1)} ms`;
  };
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
    .version;
  log('');
  log(
    `My roles with ${roles.length} roles and ${USERS * (ELIGIBLE_PER_USER + ACTIVE_PER_USER)} assignments seeded`,
  );
  log(
    `(Elevate ${version}, ${os.cpus().length} cores, Node.js ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; ${RUNS} runs after ${WARMUP} warm-up)`,
  );
  log(`  index.html + assets (${assets.length}):  ${stat('page')}`);
  log(`  admin check:              ${stat('nav')}`);
  log(
    `  the six collections:      ${stat('data')}  (${first.eligible} eligible, ${first.active} active rows)`,
  );
  log(`  until the data is there:  ${stat('total')}  (target: under 1,000 ms)`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
