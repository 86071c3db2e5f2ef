import { randomBytes } from 'node:crypto';
import type { Db } from '../../../src/store/db.js';
import { pick } from './budget.js';
import { bearer, send, type Headers, type Reply } from './http.js';
import {
  APPROVALS,
  ASSIGNMENT_REQUESTS,
  ELIGIBILITY_REQUESTS,
  firstStepId,
  ROLES,
  selfActivation,
  type App,
  type Tenant,
} from './tenant.js';

/** Roles workloads activate without approval; the approval role; roles given to burst users. */
export const WORKER_ROLES = [ROLES.billingAdministrator, ROLES.licenseAdministrator, ROLES.reportsReader];
export const APPROVAL_ROLE = ROLES.complianceAdministrator;
export const USER_ROLES = [
  ROLES.sharePointAdministrator,
  ROLES.powerPlatformAdministrator,
  ROLES.serviceSupportAdministrator,
];
/** Nobody is eligible for it: activating it is refused (a failure audit entry, no state). */
export const REFUSED_ROLE = ROLES.teamsAdministrator;
/** Burst users get it as a time-bound active assignment (adminAssign). */
export const ASSIGNED_ROLE = ROLES.exchangeAdministrator;

class NoReplica extends Error {}

/** A write the server acknowledged (2xx): it must be in the database after any crash. */
export type Ack =
  | { kind: 'user'; id: string; displayName: string }
  | { kind: 'group'; id: string }
  | { kind: 'member'; groupId: string; memberId: string }
  | { kind: 'app'; id: string }
  | {
      kind: 'request';
      id: string;
      status: 'Provisioned' | 'PendingApproval';
      schedule: 'eligibility' | 'assignment';
    }
  | { kind: 'approved'; id: string };

/**
 * A rename as sent: until acknowledged (or when its answer was cut) it may or may not have
 * committed, so either name is right afterwards. Not a promise, only a permission.
 */
export interface SentRename {
  id: string;
  displayName: string;
}

export interface Worker {
  app: App;
  headers: Headers;
  unusedRoles: string[];
  approvalAsked: boolean;
}

/** What the burst has made so far (acknowledged objects only), so later writes can build on them. */
interface Made {
  users: {
    id: string;
    displayName: string;
    patched: boolean;
    busy: boolean;
    roles: string[];
    assigned: boolean;
  }[];
  groups: { id: string; members: Set<string> }[];
  pending: { id: string; taken: boolean }[];
}

export interface World {
  tenant: Tenant;
  workers: Worker[];
  approver: Headers;
}

/** Sets up the tenant: role settings, an approver (signed in), workloads eligible for their roles. */
export async function seedWorld(tenant: Tenant, workers: number): Promise<World> {
  for (const role of WORKER_ROLES) await tenant.activationNeedsJustificationOnly(role);
  await tenant.activationNeedsJustificationOnly(REFUSED_ROLE);
  const approverUser = await tenant.createUser('approver');
  await tenant.requireApproval(APPROVAL_ROLE, [approverUser.id]);
  const approver = bearer(await tenant.signIn(approverUser));
  const list: Worker[] = [];
  for (let i = 0; i < workers; i += 1) {
    const app = await tenant.createApp(`worker ${i}`);
    for (const role of [...WORKER_ROLES, APPROVAL_ROLE]) await tenant.makeEligible(app.id, role);
    list.push({
      app,
      headers: bearer(await tenant.tokenOf(app)),
      unusedRoles: [...WORKER_ROLES],
      approvalAsked: false,
    });
  }
  return { tenant, workers: list, approver };
}

/**
 * Concurrent mixed writes against the live replicas until `stop()`: users (created, renamed),
 * groups and memberships, applications, eligibilities, time-bound assignments, workloads' own
 * activations, activations that wait for approval and their approval, and refused activations.
 * Every 2xx is recorded in `acked`; a request cut by a kill is counted in `lost` (its outcome is
 * unknown: the integrity checks make sure it is wholly there or wholly absent). Any other answer
 * is `unexpected`.
 */
export class Burst {
  readonly acked: Ack[] = [];
  /** Renames as sent, acknowledged or not (see {@link SentRename}). */
  readonly sentRenames: SentRename[] = [];
  readonly unexpected: string[] = [];
  lost = 0;
  private stopped = false;
  private loops: Promise<void>[] = [];
  private made: Made = { users: [], groups: [], pending: [] };
  private next = 0;

  constructor(
    private readonly world: World,
    private readonly bases: () => string[],
    private readonly rnd: () => number,
  ) {}

  start(concurrency: number): void {
    this.stopped = false;
    for (let i = 0; i < concurrency; i += 1) this.loops.push(this.loop());
  }

  /** Issues no new write (those in flight go on). */
  stopIssuing(): void {
    this.stopped = true;
  }

  /** Stops issuing writes and waits for every one in flight to settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    this.loops = [];
  }

  private base(): string {
    const all = this.bases();
    if (all.length === 0) throw new NoReplica();
    this.next = (this.next + 1) % all.length;
    return all[this.next]!;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.one();
      } catch (error) {
        if (error instanceof NoReplica) return;
        // A connection cut by the kill.
        this.lost += 1;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  private async admin(method: string, path: string, json?: unknown): Promise<Reply> {
    return send(this.base(), method, path, { headers: await this.world.tenant.admin(), json });
  }

  private check(what: string, res: Reply, expected: number): boolean {
    if (res.status === expected) return true;
    this.unexpected.push(`${what}: ${res.status} ${res.text.slice(0, 300)}`);
    return false;
  }

  /** One write, chosen at random among those possible now. */
  private async one(): Promise<void> {
    const r = this.rnd();
    const { users, groups, pending } = this.made;
    const idle = users.filter((u) => !u.busy);
    const worker = pick(this.rnd, this.world.workers);
    if (r < 0.2) return this.createUser();
    if (r < 0.27) return this.createGroup();
    if (r < 0.32) return this.createApp();
    if (r < 0.4 && idle.length > 0 && groups.length > 0)
      return this.addMember(pick(this.rnd, groups), pick(this.rnd, idle));
    if (r < 0.5 && idle.some((u) => !u.patched))
      return this.renameUser(
        pick(
          this.rnd,
          idle.filter((u) => !u.patched),
        ),
      );
    if (r < 0.6 && idle.some((u) => u.roles.length < USER_ROLES.length))
      return this.makeEligible(
        pick(
          this.rnd,
          idle.filter((u) => u.roles.length < USER_ROLES.length),
        ),
      );
    if (r < 0.65 && idle.some((u) => !u.assigned))
      return this.assign(
        pick(
          this.rnd,
          idle.filter((u) => !u.assigned),
        ),
      );
    if (r < 0.8 && worker.unusedRoles.length > 0) return this.activate(worker);
    if (r < 0.87 && !worker.approvalAsked) return this.askApproval(worker);
    if (r < 0.94 && pending.some((p) => !p.taken))
      return this.approve(
        pick(
          this.rnd,
          pending.filter((p) => !p.taken),
        ),
      );
    if (r < 0.97) return this.refused(worker);
    return this.createUser();
  }

  private async createUser(): Promise<void> {
    const name = `burst-${randomBytes(5).toString('hex')}`;
    const res = await this.admin('POST', '/v1.0/users', {
      accountEnabled: true,
      displayName: name,
      mailNickname: name,
      userPrincipalName: `${name}@contoso.test`,
    });
    if (!this.check('create user', res, 201)) return;
    const id = (res.json as { id: string }).id;
    this.acked.push({ kind: 'user', id, displayName: name });
    this.made.users.push({ id, displayName: name, patched: false, busy: false, roles: [], assigned: false });
  }

  private async createGroup(): Promise<void> {
    const nick = `g-${randomBytes(5).toString('hex')}`;
    const res = await this.admin('POST', '/v1.0/groups', {
      displayName: `Burst ${nick}`,
      mailNickname: nick,
      mailEnabled: false,
      securityEnabled: true,
    });
    if (!this.check('create group', res, 201)) return;
    const id = (res.json as { id: string }).id;
    this.acked.push({ kind: 'group', id });
    this.made.groups.push({ id, members: new Set() });
  }

  private async createApp(): Promise<void> {
    const res = await this.admin('POST', '/v1.0/servicePrincipals', {
      displayName: `burst app ${randomBytes(4).toString('hex')}`,
    });
    if (!this.check('create application', res, 201)) return;
    this.acked.push({ kind: 'app', id: (res.json as { id: string }).id });
  }

  private async addMember(group: Made['groups'][number], user: Made['users'][number]): Promise<void> {
    if (group.members.has(user.id)) return;
    group.members.add(user.id);
    const res = await this.admin('POST', `/v1.0/groups/${group.id}/members/$ref`, {
      '@odata.id': `${this.world.tenant.d.publicUrl}/v1.0/directoryObjects/${user.id}`,
    });
    if (this.check('add member', res, 204))
      this.acked.push({ kind: 'member', groupId: group.id, memberId: user.id });
  }

  private async renameUser(user: Made['users'][number]): Promise<void> {
    user.patched = true;
    user.busy = true;
    const displayName = `${user.displayName} (renamed)`;
    try {
      this.sentRenames.push({ id: user.id, displayName });
      const res = await this.admin('PATCH', `/v1.0/users/${user.id}`, { displayName });
      if (this.check('rename user', res, 204)) this.acked.push({ kind: 'user', id: user.id, displayName });
    } finally {
      user.busy = false;
    }
  }

  private async makeEligible(user: Made['users'][number]): Promise<void> {
    const role = USER_ROLES.find((r) => !user.roles.includes(r))!;
    user.roles.push(role);
    const res = await this.admin('POST', ELIGIBILITY_REQUESTS, {
      action: 'adminAssign',
      principalId: user.id,
      roleDefinitionId: role,
      directoryScopeId: '/',
      justification: 'burst',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
    });
    if (this.check('eligibility', res, 201))
      this.acked.push({
        kind: 'request',
        id: (res.json as { id: string }).id,
        status: 'Provisioned',
        schedule: 'eligibility',
      });
  }

  private async assign(user: Made['users'][number]): Promise<void> {
    user.assigned = true;
    const res = await this.admin('POST', ASSIGNMENT_REQUESTS, {
      action: 'adminAssign',
      principalId: user.id,
      roleDefinitionId: ASSIGNED_ROLE,
      directoryScopeId: '/',
      justification: 'burst',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P1D' } },
    });
    if (this.check('active assignment', res, 201))
      this.acked.push({
        kind: 'request',
        id: (res.json as { id: string }).id,
        status: 'Provisioned',
        schedule: 'assignment',
      });
  }

  private async activate(worker: Worker): Promise<void> {
    const role = worker.unusedRoles.pop()!;
    const res = await send(this.base(), 'POST', ASSIGNMENT_REQUESTS, {
      headers: worker.headers,
      json: selfActivation(worker.app.id, role),
    });
    if (this.check('selfActivate', res, 201))
      this.acked.push({
        kind: 'request',
        id: (res.json as { id: string }).id,
        status: 'Provisioned',
        schedule: 'assignment',
      });
  }

  private async askApproval(worker: Worker): Promise<void> {
    worker.approvalAsked = true;
    const res = await send(this.base(), 'POST', ASSIGNMENT_REQUESTS, {
      headers: worker.headers,
      json: selfActivation(worker.app.id, APPROVAL_ROLE),
    });
    if (!this.check('selfActivate awaiting approval', res, 201)) return;
    const id = (res.json as { id: string }).id;
    this.acked.push({ kind: 'request', id, status: 'PendingApproval', schedule: 'assignment' });
    this.made.pending.push({ id, taken: false });
  }

  private async approve(p: Made['pending'][number]): Promise<void> {
    p.taken = true;
    const base = this.base();
    const stepId = await firstStepId(base, this.world.approver, p.id);
    const res = await send(base, 'PATCH', `${APPROVALS}/${p.id}/steps/${stepId}`, {
      headers: this.world.approver,
      json: { reviewResult: 'Approve', justification: 'burst' },
    });
    if (this.check('approve', res, 204)) this.acked.push({ kind: 'approved', id: p.id });
  }

  private async refused(worker: Worker): Promise<void> {
    const res = await send(this.base(), 'POST', ASSIGNMENT_REQUESTS, {
      headers: worker.headers,
      json: selfActivation(worker.app.id, REFUSED_ROLE),
    });
    this.check('refused selfActivate', res, 400);
  }
}

/** The acknowledged writes that the database does not hold (one line each). */
export async function missingAcks(
  db: Db,
  acked: readonly Ack[],
  sentRenames: readonly SentRename[] = [],
): Promise<string[]> {
  const k = db.kysely;
  const users = new Map(
    (await k.selectFrom('users').select(['id', 'display_name']).execute()).map((u) => [u.id, u.display_name]),
  );
  const groups = new Set((await k.selectFrom('groups').select('id').execute()).map((g) => g.id));
  const apps = new Set((await k.selectFrom('service_principals').select('id').execute()).map((a) => a.id));
  const members = new Set(
    (await k.selectFrom('group_members').select(['group_id', 'member_id']).execute()).map(
      (m) => `${m.group_id}|${m.member_id}`,
    ),
  );
  const requests = new Map(
    (
      await k.selectFrom('pim_schedule_requests').select(['id', 'status', 'target_schedule_id']).execute()
    ).map((r) => [r.id, r]),
  );
  const schedules = new Map(
    (await k.selectFrom('pim_schedules').select(['id', 'kind']).execute()).map((s) => [s.id, s.kind]),
  );
  const payloads = (await k.selectFrom('outbox_messages').select('payload').execute())
    .map((m) => m.payload)
    .join('\n');
  // The name a user must have: the last acknowledged one, or one sent after it whose answer was cut.
  const names = new Map<string, string>();
  for (const a of acked) if (a.kind === 'user') names.set(a.id, a.displayName);
  const mayBe = new Map<string, Set<string>>();
  for (const [id, name] of names) mayBe.set(id, new Set([name]));
  for (const r of sentRenames) mayBe.get(r.id)?.add(r.displayName);
  const approved = new Set(acked.filter((a) => a.kind === 'approved').map((a) => a.id));

  const missing: string[] = [];
  const published = (id: string, what: string) => {
    if (!payloads.includes(id)) missing.push(`${what} ${id} has no outbox message`);
  };
  for (const a of acked) {
    switch (a.kind) {
      case 'user':
        if (!users.has(a.id)) missing.push(`user ${a.id}`);
        else if (!mayBe.get(a.id)?.has(users.get(a.id) ?? ''))
          missing.push(`user ${a.id} is named '${users.get(a.id)}', acknowledged '${names.get(a.id)}'`);
        published(a.id, 'user');
        break;
      case 'group':
        if (!groups.has(a.id)) missing.push(`group ${a.id}`);
        published(a.id, 'group');
        break;
      case 'app':
        if (!apps.has(a.id)) missing.push(`application ${a.id}`);
        published(a.id, 'application');
        break;
      case 'member':
        if (!members.has(`${a.groupId}|${a.memberId}`))
          missing.push(`membership of ${a.memberId} in ${a.groupId}`);
        break;
      case 'request': {
        const row = requests.get(a.id);
        published(a.id, 'request');
        if (!row) {
          missing.push(`request ${a.id}`);
          break;
        }
        const granted = a.status === 'Provisioned' || approved.has(a.id);
        if (granted) {
          if (!['Provisioned', 'Granted'].includes(row.status))
            missing.push(`request ${a.id} is ${row.status}`);
          const kind = row.target_schedule_id === null ? undefined : schedules.get(row.target_schedule_id);
          if (kind !== a.schedule) missing.push(`request ${a.id} has no ${a.schedule} schedule`);
        } else if (row.status !== 'PendingApproval' && !['Provisioned', 'Granted'].includes(row.status)) {
          // An approval in flight at the kill may have landed after all; anything else is lost state.
          missing.push(`pending request ${a.id} is ${row.status}`);
        }
        break;
      }
      case 'approved':
        break; // checked with its request
    }
  }
  return missing;
}
