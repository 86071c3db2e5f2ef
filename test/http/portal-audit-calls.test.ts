// The calls the Audit and Compliance report pages make, as web/src makes them (the filter from
// web/src/audit-filter.ts), answered by the real server: an audit reader gets the filtered log,
// the chain's verification, a CSV export and the report; a user without the role is refused, which
// is also what keeps both pages out of their navigation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/domain/time/clock.js';
import { auditFilter } from '../../web/src/audit-filter.js';
import type { TestServer } from '../helpers/server.js';
import { signedInUser, type TestUser } from '../pim/approval-support.js';
import { call, GLOBAL_ADMINISTRATOR, pimServer } from '../pim/support.js';

const AUDITS = '/v1.0/auditLogs/directoryAudits';

describe('the Audit and Compliance report pages’ calls', () => {
  let s: TestServer;
  let clock: ManualClock;
  let reader: TestUser;
  let nobody: TestUser;

  beforeAll(async () => {
    ({ s, clock } = await pimServer());
    reader = await signedInUser(s, clock, [GLOBAL_ADMINISTRATOR]);
    nobody = await signedInUser(s, clock);
  });
  afterAll(() => s.close());

  it('builds a $filter the API reads, and finds exactly that activity within the dates', async () => {
    const h = await reader.headers();
    const all = await call(s, 'GET', `${AUDITS}?$top=50`, h);
    expect(all.statusCode, all.body).toBe(200);
    const activities = all
      .json<{ value: { activityDisplayName: string }[] }>()
      .value.map((e) => e.activityDisplayName);
    expect(activities.length).toBeGreaterThan(0);
    const activity = activities[0]!;
    const today = new Date(clock.now()).toISOString().slice(0, 10);
    const filter = auditFilter({ activity, result: 'success', from: today, to: today });
    expect(filter).toBe(
      `activityDisplayName eq '${activity}' and result eq 'success' and activityDateTime ge ${today}T00:00:00Z and activityDateTime le ${today}T23:59:59Z`,
    );
    const res = await call(s, 'GET', `${AUDITS}?$top=50&$filter=${encodeURIComponent(filter!)}`, h);
    expect(res.statusCode, res.body).toBe(200);
    const found = res.json<{ value: { activityDisplayName: string; result: string }[] }>().value;
    expect(found.length).toBeGreaterThan(0);
    for (const e of found) expect(e).toMatchObject({ activityDisplayName: activity, result: 'success' });

    const quoted = auditFilter({ activity: "Nobody's activity", result: '', from: '', to: '' });
    const none = await call(s, 'GET', `${AUDITS}?$top=50&$filter=${encodeURIComponent(quoted!)}`, h);
    expect(none.statusCode, none.body).toBe(200);
    expect(none.json<{ value: unknown[] }>().value).toStrictEqual([]);
    expect(auditFilter({ activity: ' ', result: '', from: '', to: '' })).toBeUndefined();
  });

  it('verifies the chain, exports a period as CSV and makes the report, for a reader', async () => {
    const h = await reader.headers();
    const verify = await call(s, 'GET', '/v1.0/auditLogs/verify', h);
    expect(verify.statusCode, verify.body).toBe(200);
    expect(verify.json()).toMatchObject({
      ok: true,
      count: expect.any(Number),
      headHash: expect.any(String),
    });
    const day = new Date(clock.now()).toISOString().slice(0, 10);
    const from = `${day}T00:00:00Z`;
    const to = new Date(Date.parse(from) + 86_400_000).toISOString();
    const csv = await call(
      s,
      'GET',
      `/v1.0/auditLogs/export?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&format=csv`,
      h,
    );
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.split('\n').length).toBeGreaterThan(1);
    const report = await call(s, 'GET', '/v1.0/elevate/complianceReport', h);
    expect(report.statusCode, report.body.slice(0, 300)).toBe(200);
    const body = report.json<{
      summary: { total: number };
      items: { id: string; status: string; evidence: object }[];
    }>();
    expect(body.summary.total).toBe(body.items.length);
    for (const item of body.items) expect(['pass', 'fail']).toContain(item.status);
    const html = await call(s, 'GET', '/v1.0/elevate/complianceReport?format=html', h);
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
  });

  it('refuses a user without an audit reader role (403): the navigation probe fails, the pages say why', async () => {
    const h = await nobody.headers();
    for (const url of [
      `${AUDITS}?$top=1&$select=id`,
      '/v1.0/auditLogs/verify',
      '/v1.0/elevate/complianceReport',
    ]) {
      const res = await call(s, 'GET', url, h);
      expect(res.statusCode, `${url} ${res.body}`).toBe(403);
    }
    const probe = await call(s, 'GET', `${AUDITS}?$top=1&$select=id`, await reader.headers());
    expect(probe.statusCode, probe.body).toBe(200);
  });
});
