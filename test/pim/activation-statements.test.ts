// The statements one selfActivate runs, counted through the real drivers (better-sqlite3 calls,
// `pg` round trips): pinned, so that a change adding reads or writes to the hot path says so here
// (docs/benchmarks.md, "selfActivate CPU per activation"; ADR 0049).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialectName } from '../helpers/db.js';
import { countStatements, type StatementLog } from '../helpers/statements.js';
import type { TestServer } from '../helpers/server.js';
import {
  appAt,
  ASSIGNMENT_REQUESTS,
  call,
  eligibleForever,
  pimServer,
  setActivationRules,
  USER_ADMINISTRATOR,
  type TestApp,
} from './support.js';
import type { ManualClock } from '../helpers/server.js';

/** Another built-in role whose activation needs only a justification here. */
const HELPDESK_ADMINISTRATOR = '729827e3-9c14-49f7-bb1b-9608f156bbb8';

/**
 * One activation, from the request to its answer: the unit of work's transaction (reads, the
 * schedule, request, audit entry and outbox message, `begin` and `commit`) and the holdings index's
 * refresh after commit, which the request waits for. The relay runs later, outside the request.
 * On SQLite the use case runs in its own savepoint of a group commit (ADR 0050): `savepoint` and
 * `release` are two of its 28.
 */
const PER_ACTIVATION = { sqlite: 28, postgres: 25 } as const;

describe(`statements of one selfActivate on ${dialectName}`, () => {
  let log: StatementLog;
  let s: TestServer;
  let clock: ManualClock;
  let app: TestApp;

  beforeAll(() => {
    log = countStatements();
  });
  afterAll(() => log.restore());
  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    app = await appAt(s, clock);
    for (const role of [USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR]) {
      await setActivationRules(s, role, ['Justification']);
      await eligibleForever(s, clock, app.servicePrincipalId, role);
    }
  });
  afterEach(() => s.close());

  const activate = async (roleDefinitionId: string, headers: Awaited<ReturnType<TestApp['headers']>>) => {
    const res = await call(s, 'POST', ASSIGNMENT_REQUESTS, headers, {
      action: 'selfActivate',
      principalId: app.servicePrincipalId,
      roleDefinitionId,
      directoryScopeId: '/',
      justification: 'on-call fix',
      scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'PT1H' } },
    });
    expect(res.statusCode, res.body).toBe(201);
  };

  it('runs a fixed number of statements, the audit head moved once', async () => {
    // The first activation finds the audit head moved by the eligibilities' own unit of work.
    const headers = await app.headers();
    await activate(USER_ADMINISTRATOR, headers);
    const statements = await log.during(() => activate(HELPDESK_ADMINISTRATOR, headers));
    const listed = statements.map((sql, i) => `${i + 1}. ${sql.slice(0, 120)}`).join('\n');
    expect(statements.length, listed).toBe(PER_ACTIVATION[dialectName]);
    expect(
      statements.filter((sql) => /^update "audit_head"/.test(sql)),
      listed,
    ).toHaveLength(1);
    // The caller is the principal: one account read, by its type, shared with the audit initiator.
    const accounts = statements.filter((sql) => /from "(users|groups|service_principals)"/.test(sql));
    expect(accounts, listed).toEqual([expect.stringMatching(/^select \* from "service_principals"/)]);
  });
});
