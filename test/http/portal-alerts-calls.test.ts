// The calls the Alerts page makes (web/src/pages/alerts.tsx and the navigation's probe), against the
// real server: a Global Administrator scans, sees the alerts with their definitions and incidents,
// remediates an incident and dismisses an alert; someone without an alert-reading role is refused,
// which keeps the page out of their navigation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/domain/time/clock.js';
import type { TestServer } from '../helpers/server.js';
import { signedInUser, type TestUser } from '../pim/approval-support.js';
import {
  addUser,
  call,
  GLOBAL_ADMINISTRATOR,
  pimServer,
  PRIVILEGED_ROLE_ADMINISTRATOR,
} from '../pim/support.js';

const ALERTS = '/beta/identityGovernance/roleManagementAlerts/alerts';
const TENANT_SCOPE = `$filter=${encodeURIComponent("scopeId eq '/' and scopeType eq 'DirectoryRole'")}`;
const OUTSIDE_PIM = 'RolesAssignedOutsidePimAlert';

interface AlertJson {
  id: string;
  isActive: boolean;
  incidentCount: number;
  alertDefinition: { displayName: string; severityLevel: string; isRemediatable: boolean };
  alertIncidents: { id: string; assigneeId: string; roleDisplayName: string }[];
}

describe('the Alerts page’s calls', () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: TestUser;
  let holder: string;

  const list = async () => {
    const res = await call(s, 'GET', `${ALERTS}?${TENANT_SCOPE}&$expand=*`, await admin.headers());
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ value: AlertJson[] }>().value;
  };
  const outsidePim = async () => (await list()).find((a) => a.id.endsWith(`_${OUTSIDE_PIM}`))!;
  const scan = async () => {
    const res = await call(s, 'POST', `${ALERTS}/refresh`, await admin.headers(), {
      scopeId: '/',
      scopeType: 'DirectoryRole',
    });
    expect(res.statusCode, res.body).toBe(202);
  };

  beforeAll(async () => {
    ({ s, clock } = await pimServer());
    admin = await signedInUser(s, clock, [GLOBAL_ADMINISTRATOR]);
    holder = await addUser(s, [PRIVILEGED_ROLE_ADMINISTRATOR], 'Direct Holder');
  });
  afterAll(() => s.close());

  it('the navigation probe answers a reader and refuses anyone else', async () => {
    const probe = `${ALERTS}?${TENANT_SCOPE}`;
    const ok = await call(s, 'GET', probe, await admin.headers());
    expect(ok.statusCode, ok.body).toBe(200);
    const nobody = await signedInUser(s, clock);
    const refused = await call(s, 'GET', probe, await nobody.headers());
    expect(refused.statusCode, refused.body).toBe(403);
  });

  it('scan, then the alerts with definitions and incidents; remediate one incident', async () => {
    await scan();
    const alert = await outsidePim();
    expect(alert).toMatchObject({
      isActive: true,
      alertDefinition: { severityLevel: 'high', isRemediatable: true, displayName: expect.any(String) },
    });
    const incident = alert.alertIncidents.find((i) => i.assigneeId === holder)!;
    expect(incident).toMatchObject({ roleDisplayName: 'Privileged Role Administrator' });
    const fixed = await call(
      s,
      'POST',
      `${ALERTS}/${alert.id}/alertIncidents/${encodeURIComponent(incident.id)}/remediate`,
      await admin.headers(),
    );
    expect(fixed.statusCode, fixed.body).toBe(200);
    await scan();
    expect((await outsidePim()).alertIncidents.map((i) => i.assigneeId)).not.toContain(holder);
  });

  it('dismisses an active alert', async () => {
    const alert = await outsidePim();
    expect(alert.isActive).toBe(true); // the administrator's own direct role is still outside PIM
    const res = await call(s, 'PATCH', `${ALERTS}/${alert.id}`, await admin.headers(), { isActive: false });
    expect(res.statusCode, res.body).toBe(204);
    expect((await outsidePim()).isActive).toBe(false);
  });
});
