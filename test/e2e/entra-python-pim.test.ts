// The published Entra-style Python client, unchanged but for its two base URLs, against a real
// Elevate server: token, eligible assignment (the example's own body, whose 2025 start is moved to
// now with its 180 days kept), and a service principal activating its own eligible role with its
// own token.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElevate, type Elevate } from '../../src/compose.js';
import { systemClock } from '../../src/domain/time/clock.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { freshDb } from '../helpers/db.js';
import { ENTRA_STYLE_CLIENT, pythonClientSkipped, requirePythonClient } from '../helpers/python-client.js';
import { skipFor } from '../helpers/skip.js';

const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';

const driver = `
import importlib.util, json, sys, requests
path, base, tenant, admin_id, admin_secret, sp_id, sp_app, sp_secret, role = sys.argv[1:10]
spec = importlib.util.spec_from_file_location("entra_style_client", path)
c = importlib.util.module_from_spec(spec); spec.loader.exec_module(c)
c.LOGIN = base; c.GRAPH = base
out = {}
admin = c.get_graph_token(tenant, admin_id, admin_secret)
out["eligible"] = c.create_eligible_assignment(admin, role, sp_id)
r = requests.get(f"{c.GRAPH}/v1.0/roleManagement/directory/roleEligibilityScheduleInstances",
                 headers={"Authorization": f"Bearer {admin}"}, params={"$filter": f"principalId eq '{sp_id}'"})
out["instances"] = r.json()
workload = c.get_graph_token(tenant, sp_app, sp_secret)
out["activated"] = c.activate_role(workload, role, sp_id, "nightly reconciliation job")
print(json.dumps(out))
`;

/** The JSON body of a response, typed by the caller. */
async function json<T>(response: Promise<Response>): Promise<T> {
  return (await (await response).json()) as T;
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (typeof a === 'object' && a ? ok(a.port) : fail(new Error('no port'))));
    });
  });
}

describe('entra_style_client.py drives PIM on a real Elevate server', skipFor(pythonClientSkipped), () => {
  let elevate: Elevate;
  let db: Awaited<ReturnType<typeof freshDb>>;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    db = await freshDb();
    elevate = await createElevate({
      db,
      box: createSecretBox(randomBytes(32)),
      clock: systemClock,
      logger: false,
      publicUrl: base,
      accessTokenTtlSeconds: 600,
      bootstrapAdminUpn: 'admin@contoso.test',
    });
    await elevate.app.listen({ host: '127.0.0.1', port });
  });
  afterAll(async () => {
    await elevate.app.close();
    await db.drop();
  });

  it("accepts the example's eligibility body as sent, then the workload activates its own role", async () => {
    requirePythonClient();
    const boot = elevate.bootstrapped!;
    const token = (await (
      await fetch(`${base}/${boot.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: boot.app.clientId,
          client_secret: boot.app.clientSecret,
          scope: `${base}/.default`,
        }),
      })
    ).json()) as { access_token: string };
    const auth = { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' };
    // The workload: a service principal with a secret.
    const sp = await json<{ id: string; appId: string }>(
      fetch(`${base}/v1.0/servicePrincipals`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ displayName: 'nightly job' }),
      }),
    );
    const pw = await json<{ secretText: string }>(
      fetch(`${base}/v1.0/servicePrincipals/${sp.id}/addPassword`, {
        method: 'POST',
        headers: auth,
        body: '{}',
      }),
    );
    // An application cannot do MFA: the role's activation settings require justification only.
    const filter = encodeURIComponent(
      `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${USER_ADMINISTRATOR}'`,
    );
    const pa = await json<{ value: { policyId: string }[] }>(
      fetch(`${base}/v1.0/policies/roleManagementPolicyAssignments?$filter=${filter}`, {
        headers: auth,
      }),
    );
    const policyId = pa.value[0]!.policyId;
    const patch = await fetch(
      `${base}/v1.0/policies/roleManagementPolicies/${policyId}/rules/Enablement_EndUser_Assignment`,
      {
        method: 'PATCH',
        headers: auth,
        body: JSON.stringify({
          '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
          id: 'Enablement_EndUser_Assignment',
          enabledRules: ['Justification'],
        }),
      },
    );
    expect(patch.status).toBe(204);

    const child = spawn(
      'python3',
      [
        '-c',
        driver,
        ENTRA_STYLE_CLIENT,
        base,
        boot.tenantId,
        boot.app.clientId,
        boot.app.clientSecret,
        sp.id,
        sp.appId,
        pw.secretText,
        USER_ADMINISTRATOR,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((ok) => child.on('close', ok));
    expect(code, stderr).toBe(0);
    const out = JSON.parse(stdout);

    expect(out.eligible).toMatchObject({
      status: 'Provisioned',
      action: 'adminAssign',
      principalId: sp.id,
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P180D', endDateTime: null } },
    });
    // The 2025 start became the processing time, and the 180 days count from there.
    const [instance] = out.instances.value as { startDateTime: string; endDateTime: string }[];
    const startMs = Date.parse(instance!.startDateTime);
    expect(Math.abs(startMs - Date.now())).toBeLessThan(60_000);
    expect(Date.parse(instance!.endDateTime) - startMs).toBe(180 * 24 * 3_600_000);
    expect(out.activated).toMatchObject({
      status: 'Provisioned',
      action: 'selfActivate',
      principalId: sp.id,
      roleDefinitionId: USER_ADMINISTRATOR,
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT8H', endDateTime: null } },
    });
  });
});
