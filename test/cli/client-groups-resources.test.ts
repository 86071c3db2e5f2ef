// The person-facing commands for group memberships and resource roles (ADR 0053): the built bin as
// its own process against a real Elevate. A person lists her eligible group membership and resource
// role with their kinds, activates both with --wait while the approver, in other processes, finds
// both in `elevate approvals` and approves each; `requests` shows them with their kinds; names
// resolve in any case, a miss suggests the closest and exits "not found"; flags that name nothing
// clear are usage errors. Every --json output validates against docs/cli/output.schema.json.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRule } from '../../src/domain/policy/types.js';
import { addGroup, GLOBAL_ADMINISTRATOR, inTx } from '../pim/support.js';
import { READER, requireResourceApproval, send } from '../resources/support.js';
import { cli, ensureBuilt, startCli, userEnv, type CliRun } from './support/cli-process.js';
import { cliOutput, cliFailure } from './support/expect-cli.js';
import {
  bootstrapAppHeaders,
  addUser,
  cliServer,
  completeDeviceSignIn,
  type CliServer,
} from './support/cli-server.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The command's `--json` output, valid by its schema definition. */
const output = (run: CliRun, definition: string) => cliOutput(run, definition) as Json;

const AUTH = 'providers/Microsoft.Authorization';
const V = 'api-version=2020-10-01';
const GROUPS_PIM = '/v1.0/identityGovernance/privilegedAccess/group';

let server: CliServer;
let env: Record<string, string>;
let admin: Record<string, string>;
let alice: { id: string; upn: string };
let bob: { id: string; upn: string };
let groupId: string;
let groupName: string;

async function deviceLogin(profile: string, user: { upn: string }): Promise<void> {
  const login = startCli(['login', '--server', server.base, '--profile', profile, '--json'], env);
  const prompt = await login.waitForStderr(/open (\S+) in a browser and enter the code (\S+) /);
  await completeDeviceSignIn(server, prompt[1] ?? '', prompt[2] ?? '', user);
  output(await login.done, 'login');
}

beforeAll(async () => {
  await ensureBuilt();
  server = await cliServer();
  env = userEnv();
  admin = await bootstrapAppHeaders(server);
  alice = await addUser(server.s);
  // bob holds Global Administrator: the default approver of a group whose approval names nobody.
  bob = await addUser(server.s, [GLOBAL_ADMINISTRATOR]);

  // A group alice may activate her membership of, with one approval.
  groupId = await addGroup(server.s);
  groupName = `PIM group ${groupId.slice(0, 8)}`;
  const eligibleMember = await send(server.s, 'POST', `${GROUPS_PIM}/eligibilityScheduleRequests`, admin, {
    action: 'adminAssign',
    accessId: 'member',
    principalId: alice.id,
    groupId,
    justification: 'on call',
    scheduleInfo: { expiration: { type: 'noExpiration' } },
  });
  expect(eligibleMember.statusCode, eligibleMember.body).toBe(201);
  await inTx(server.s, async (tx) => {
    const policy = (await tx.policies.forRole(server.s.boot.tenantId, 'Group', groupId, 'member'))!;
    const rules = structuredClone(policy.rules);
    findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification'];
    const setting = findRule(rules, 'Approval_EndUser_Assignment')!.setting;
    setting.isApprovalRequired = true;
    setting.approvalMode = 'SingleStage';
    await tx.policies.update({ ...policy, rules }, policy.version);
  });

  // Reader at /prod (so at /prod/db too) for alice, approved by bob.
  for (const id of ['/prod', '/prod/db']) {
    const scope = await send(server.s, 'POST', '/v1.0/elevate/resourceScopes', admin, {
      id,
      displayName: id,
      type: 'test',
    });
    expect(scope.statusCode, scope.body).toBe(201);
  }
  const eligibleReader = await send(
    server.s,
    'PUT',
    `/arm/prod/${AUTH}/roleEligibilityScheduleRequests/${randomUUID()}?${V}`,
    admin,
    {
      properties: {
        principalId: alice.id,
        requestType: 'AdminAssign',
        roleDefinitionId: `/prod/${AUTH}/roleDefinitions/${READER}`,
        justification: 'reads production',
        scheduleInfo: { expiration: { type: 'NoExpiration' } },
      },
    },
  );
  expect(eligibleReader.statusCode, eligibleReader.body).toBe(201);
  await requireResourceApproval(server.s, admin, '/prod', READER, bob.id);

  await deviceLogin('alice', alice);
  await deviceLogin('bob', bob);
}, 240_000);
afterAll(async () => server.close());

const as = (profile: string, args: string[]) => cli([...args, '--profile', profile], env);

describe(
  'elevate roles / activate / approvals for groups and resource roles (built CLI)',
  { timeout: 300_000 },
  () => {
    it('lists the group membership and the resource role with their kinds', async () => {
      const roles = output(await as('alice', ['roles', '--json']), 'roles');
      expect(roles).toEqual({
        eligible: expect.arrayContaining([
          expect.objectContaining({ kind: 'group', groupId, groupName, accessId: 'member' }),
          expect.objectContaining({
            kind: 'resourceRole',
            roleName: 'Reader',
            roleDefinitionId: READER,
            scope: '/prod',
          }),
        ]),
        active: [],
      });
      expect(roles.eligible).toHaveLength(2);
      const human = await as('alice', ['roles']);
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout).toMatch(/KIND\s+NAME\s+SCOPE \/ ACCESS\s+TYPE\s+UNTIL/);
      expect(human.stdout).toMatch(new RegExp(`group\\s+${groupName}\\s+member`));
      expect(human.stdout).toMatch(/resource role\s+Reader\s+\/prod\s/);
    });

    it('a miss suggests the closest name and exits "not found"; unclear flags are usage errors', async () => {
      cliFailure(
        await as('alice', ['activate', '--group', groupName.replace('group', 'grup'), '--reason', 'x']),
        4,
        new RegExp(`no eligible group membership .*did you mean "${groupName}"\\?`),
      );
      cliFailure(
        await as('alice', ['activate', 'Reedr', '--resource', '/prod/db', '--reason', 'x']),
        4,
        /no eligible resource role "Reedr"; did you mean "Reader"\?/,
      );
      // Eligible at /prod: a scope elsewhere is not covered.
      cliFailure(
        await as('alice', ['activate', 'Reader', '--resource', '/staging', '--reason', 'x']),
        4,
        /"Reader" is not held at scope \/staging/,
      );
      // She is a member, not an owner.
      cliFailure(
        await as('alice', ['activate', '--group', groupName, '--as', 'owner', '--reason', 'x']),
        4,
        /no eligible group ownership/,
      );
      cliFailure(
        await as('alice', ['activate', 'Reader', '--group', groupName]),
        2,
        /--group names the group/,
      );
      cliFailure(
        await as('alice', ['activate', 'Reader', '--resource', '/prod', '--scope', '/']),
        2,
        /--scope is the directory scope/,
      );
      cliFailure(
        await as('alice', ['activate', '--group', groupName, '--as', 'guest']),
        2,
        /--as takes member or owner/,
      );
      cliFailure(await as('alice', ['activate', '--resource', '/prod']), 2, /name the resource role/);
      cliFailure(await as('alice', ['activate']), 2, /name a role, or a group with --group/);
    });

    it('activates a group membership and a resource role with --wait while the approver approves each from the CLI', async () => {
      const group = startCli(
        [
          'activate',
          '--group',
          groupName.toUpperCase(),
          '--for',
          '1h',
          '--reason',
          'INC-2 restore backups',
          '--wait',
          '--poll-interval',
          '1s',
          '--json',
          '--profile',
          'alice',
        ],
        env,
      );
      const resource = startCli(
        [
          'activate',
          'reader',
          '--resource',
          '/prod/db',
          '--for',
          '2h',
          '--reason',
          'INC-3 read the orders table',
          '--wait',
          '--poll-interval',
          '1s',
          '--json',
          '--profile',
          'alice',
        ],
        env,
      );
      await group.waitForStderr(new RegExp(`member of ${groupName}: PendingApproval`));
      await resource.waitForStderr(/Reader at \/prod\/db: PendingApproval/);

      // alice's requests, with their kinds.
      const requests = output(
        await as('alice', ['requests', '--status', 'PendingApproval', '--json']),
        'requests',
      );
      expect(requests).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            kind: 'group',
            groupId,
            groupName,
            accessId: 'member',
            action: 'selfActivate',
          }),
          expect.objectContaining({
            kind: 'resourceRole',
            roleName: 'Reader',
            scope: '/prod/db',
            action: 'selfActivate',
          }),
        ]),
      );
      expect(requests).toHaveLength(2);
      expect((await as('alice', ['requests'])).stdout).toMatch(
        /resource role\s+selfActivate\s+Reader at \/prod\/db\s+PendingApproval/,
      );

      // bob's inbox holds both; alice's holds none of her own.
      const inbox = output(await as('bob', ['approvals', '--json']), 'approvals') as Json[];
      const groupApproval = inbox.find((a) => a.kind === 'group');
      const resourceApproval = inbox.find((a) => a.kind === 'resourceRole');
      expect(groupApproval).toMatchObject({
        principalId: alice.id,
        principalName: alice.upn,
        groupId,
        groupName,
        accessId: 'member',
        justification: 'INC-2 restore backups',
        duration: 'PT1H',
      });
      expect(resourceApproval).toMatchObject({
        principalId: alice.id,
        roleName: 'Reader',
        scope: '/prod/db',
        justification: 'INC-3 read the orders table',
        duration: 'PT2H',
      });
      expect(inbox).toHaveLength(2);
      expect(output(await as('alice', ['approvals', '--json']), 'approvals')).toEqual([]);
      const table = await as('bob', ['approvals']);
      expect(table.stdout).toMatch(new RegExp(`group\\s+${alice.upn}\\s+member of ${groupName}`));
      expect(table.stdout).toMatch(/resource role\s+\S+\s+Reader at \/prod\/db/);

      // alice cannot decide her own; an unknown id is "not found" on all three surfaces.
      cliFailure(
        await as('alice', ['approve', resourceApproval!.id, '--reason', 'me']),
        5,
        /no stage waiting for your decision|approve/i,
      );
      cliFailure(await as('bob', ['approve', randomUUID(), '--reason', 'x']), 4, /not found|does not exist/i);

      const decidedGroup = output(
        await as('bob', ['approve', groupApproval!.id, '--reason', 'backups are due', '--json']),
        'approve',
      );
      expect(decidedGroup).toMatchObject({ id: groupApproval!.id, kind: 'group', reviewResult: 'Approve' });
      const decidedResource = output(
        await as('bob', ['approve', resourceApproval!.id, '--reason', 'incident is real', '--json']),
        'approve',
      );
      expect(decidedResource).toMatchObject({
        id: resourceApproval!.id,
        kind: 'resourceRole',
        reviewResult: 'Approve',
      });

      const groupDone = await group.done;
      expect(output(groupDone, 'activate')).toMatchObject({
        kind: 'group',
        status: 'Provisioned',
        groupName,
        duration: 'PT1H',
      });
      expect(groupDone.stderr).toContain(`member of ${groupName}: Provisioned`);
      const resourceDone = await resource.done;
      expect(output(resourceDone, 'activate')).toMatchObject({
        kind: 'resourceRole',
        status: 'Provisioned',
        roleName: 'Reader',
        scope: '/prod/db',
      });
      expect(resourceDone.stderr).toContain('Reader at /prod/db: Provisioned');

      expect(output(await as('bob', ['approvals', '--json']), 'approvals')).toEqual([]);
      const after = output(await as('alice', ['roles', '--json']), 'roles');
      expect(after.active).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            kind: 'group',
            groupId,
            accessId: 'member',
            assignmentType: 'activated',
          }),
          expect.objectContaining({
            kind: 'resourceRole',
            roleName: 'Reader',
            scope: '/prod/db',
            assignmentType: 'Activated',
          }),
        ]),
      );

      // Ended early, each by its own flags (the server's minimum activation is five minutes).
      server.clock.advance(6 * 60_000);
      const endGroup = output(await as('alice', ['deactivate', '--group', groupId, '--json']), 'deactivate');
      expect(endGroup).toMatchObject({ kind: 'group', action: 'selfDeactivate', groupId });
      const endReader = output(
        await as('alice', ['deactivate', 'READER', '--resource', '/prod/db', '--json']),
        'deactivate',
      );
      expect(endReader).toMatchObject({ kind: 'resourceRole', action: 'selfDeactivate', scope: '/prod/db' });
      expect(output(await as('alice', ['roles', '--json']), 'roles').active).toEqual([]);
    });

    it('denies a resource-role activation from the CLI; --wait ends with the documented code', async () => {
      const resource = startCli(
        [
          'activate',
          'Reader',
          '--resource',
          '/prod',
          '--reason',
          'INC-4 look around',
          '--wait',
          '--poll-interval',
          '1s',
          '--profile',
          'alice',
        ],
        env,
      );
      await resource.waitForStderr(/Reader at \/prod: PendingApproval/);
      const inbox = output(await as('bob', ['approvals', '--json']), 'approvals') as Json[];
      expect(inbox).toEqual([expect.objectContaining({ kind: 'resourceRole', scope: '/prod' })]);
      const denied = output(
        await as('bob', ['deny', inbox[0]!.id, '--reason', 'no incident 4', '--json']),
        'deny',
      );
      expect(denied).toMatchObject({ kind: 'resourceRole', reviewResult: 'Deny', requestStatus: 'Denied' });
      const done = await resource.done;
      expect(done.code, done.stderr).toBe(6);
      expect(done.stderr).toContain('the activation of Reader at /prod ended without a grant: Denied');
    });

    it('asks to extend a group membership and a resource role assignment that end soon', async () => {
      const member = await send(server.s, 'POST', `${GROUPS_PIM}/assignmentScheduleRequests`, admin, {
        action: 'adminAssign',
        accessId: 'member',
        principalId: alice.id,
        groupId,
        justification: 'rota this week',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P7D' } },
      });
      expect(member.statusCode, member.body).toBe(201);
      const reader = await send(
        server.s,
        'PUT',
        `/arm/prod/db/${AUTH}/roleAssignmentScheduleRequests/${randomUUID()}?${V}`,
        admin,
        {
          properties: {
            principalId: alice.id,
            requestType: 'AdminAssign',
            roleDefinitionId: `/prod/db/${AUTH}/roleDefinitions/${READER}`,
            justification: 'quarter-end checks',
            scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'P7D' } },
          },
        },
      );
      expect(reader.statusCode, reader.body).toBe(201);

      const group = output(
        await as('alice', ['extend', '--group', groupName, '--reason', 'rota continues', '--json']),
        'extend',
      );
      expect(group).toMatchObject({ kind: 'group', action: 'selfExtend', groupId, accessId: 'member' });
      const resource = output(
        await as('alice', [
          'extend',
          'reader',
          '--resource',
          '/prod/db',
          '--reason',
          'checks run late',
          '--json',
        ]),
        'extend',
      );
      expect(resource).toMatchObject({
        kind: 'resourceRole',
        action: 'selfExtend',
        scope: '/prod/db',
        roleName: 'Reader',
      });
      // Only where it is held.
      cliFailure(
        await as('alice', ['extend', 'Reader', '--resource', '/prod', '--reason', 'x']),
        4,
        /"Reader" is not held at scope \/prod/,
      );
    });
  },
);
