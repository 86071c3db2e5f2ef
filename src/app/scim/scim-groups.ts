import { AUDIT_ACTIVITIES as A } from '../../domain/audit/activities.js';
import { groupTarget } from '../../domain/audit/targets.js';
import {
  groupCreated,
  groupDeleted,
  groupMemberAdded,
  groupMemberRemoved,
  groupUpdated,
} from '../../domain/directory/directory-events.js';
import { DIRECTORY_RULES } from '../../domain/directory/permissions.js';
import type { Group, PrincipalType } from '../../domain/directory/types.js';
import type { DomainEvent } from '../../domain/events/domain-event.js';
import {
  memberChanges,
  readScimGroup,
  scimGroupJson,
  type ScimGroupInput,
} from '../../domain/scim/scim-group.js';
import { applyPatch, type PatchOperation } from '../../domain/scim/scim-query.js';
import { scimInvalid } from '../../domain/scim/scim-schema.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { principalTargetOf } from '../audit/record.js';
import { authorize } from '../authorization/authorize.js';
import { removePrincipalEverywhere } from '../directory/users.js';
import { makeChange } from '../events/change.js';
import type { Stores, UnitOfWork } from '../ports.js';
import type { ScimNarrowing } from './ports.js';
import type { ScimCaller } from './scim-clients.js';

/** A SCIM group as the edge shows it. */
export interface ScimGroupView {
  group: Group;
  externalId: string | null;
  members: { id: string; type: 'User' | 'Group' }[];
}

const notFound = (id: string) =>
  new NotFoundError(`Resource ${id.slice(0, 100)} not found.`, 'Request_ResourceNotFound');

const writeRule = (g: Group) =>
  g.isAssignableToRole ? DIRECTORY_RULES.writeRoleAssignableGroups : DIRECTORY_RULES.writeGroups;

/** A mail nickname from the display name (Graph requires one; SCIM has none). */
const nicknameOf = (displayName: string): string =>
  displayName.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 64) || 'scim-group';

/**
 * SCIM 2.0 groups (`/scim/v2/Groups`, ADR 0038): security groups of the directory, provisioned by
 * an identity provider, never role-assignable. Members are the users and groups the same client
 * provisioned; each one added or removed is the directory's own member change, audited as such.
 */
export function makeScimGroups(deps: { uow: UnitOfWork; clock: Clock; newId: () => string }) {
  const change = makeChange(deps);

  const viewOf = async (tx: Stores, group: Group, externalId: string | null): Promise<ScimGroupView> => {
    const members = await tx.scim.standingMembers(group.tenantId, group.id);
    return {
      group,
      externalId,
      members: members
        .filter((m) => m.type === 'user' || m.type === 'group')
        .map((m) => ({ id: m.id, type: m.type === 'user' ? 'User' : 'Group' })),
    };
  };

  /** The client's group. @throws NotFoundError */
  const ownedGroup = async (tx: Stores, s: ScimCaller, id: string) => {
    const owned = await tx.scim.owned('Group', s.clientId, id);
    const group = owned && (await tx.groups.get(s.caller.tenantId, id));
    if (!owned || !group) throw notFound(id);
    return { group, externalId: owned.externalId };
  };

  /** The type of a member the client provisioned. @throws ValidationError (`invalidValue`) */
  const memberType = async (tx: Stores, s: ScimCaller, group: Group, id: string): Promise<PrincipalType> => {
    if (await tx.scim.owned('User', s.clientId, id)) return 'user';
    if (id !== group.id && (await tx.scim.owned('Group', s.clientId, id))) return 'group';
    throw scimInvalid(
      'invalidValue',
      `Member ${id.slice(0, 100)} is not a user or group this client provisioned.`,
    );
  };

  /** Sets the members: `target` exactly (when given), then `add`, then `remove`. Returns the events. */
  const changeMembers = async (
    tx: Stores,
    s: ScimCaller,
    group: Group,
    now: number,
    plan: { replaceWith: string[] | null; add: string[]; remove: string[] },
  ): Promise<DomainEvent[]> => {
    const current = new Map(
      (await tx.scim.standingMembers(group.tenantId, group.id)).map((m) => [m.id, m.type]),
    );
    const wanted = new Set(plan.replaceWith ?? current.keys());
    for (const id of plan.add) wanted.add(id);
    for (const id of plan.remove) wanted.delete(id);
    const events: DomainEvent[] = [];
    for (const id of wanted) {
      if (current.has(id)) continue;
      const type = await memberType(tx, s, group, id);
      await tx.groups.addMember(group.tenantId, { groupId: group.id, memberId: id, memberType: type }, now);
      const target = await principalTargetOf(tx, group.tenantId, id, type);
      events.push(groupMemberAdded({ group, memberId: id, memberType: type, target }));
    }
    for (const [id, type] of current) {
      if (wanted.has(id)) continue;
      await tx.groups.removeMember(group.tenantId, group.id, id);
      const target = await principalTargetOf(tx, group.tenantId, id, type);
      events.push(groupMemberRemoved({ group, memberId: id, memberType: type, target }));
    }
    return events;
  };

  /** Renames and sets the `externalId` of an owned group. */
  const rename = async (
    tx: Stores,
    group: Group,
    externalId: string | null,
    input: Pick<ScimGroupInput, 'displayName' | 'externalId'>,
    now: number,
  ): Promise<{ group: Group; events: DomainEvent[] }> => {
    if (input.externalId !== externalId) await tx.scim.setExternalId('Group', group.id, input.externalId);
    if (input.displayName === group.displayName) return { group, events: [] };
    const next: Group = {
      ...group,
      displayName: input.displayName,
      modifiedAt: now,
      version: group.version + 1,
    };
    await tx.groups.update(next, group.version);
    return { group: next, events: [groupUpdated(group, next)] };
  };

  /** A change of an owned group: `plan` decides names and members from the current group. */
  const modify = (
    s: ScimCaller,
    id: string,
    plan: (current: { group: Group; externalId: string | null; members: () => string[] }) => {
      names: Pick<ScimGroupInput, 'displayName' | 'externalId'>;
      members: { replaceWith: string[] | null; add: string[]; remove: string[] };
    },
  ) =>
    change(s.caller, {
      attempt: {
        activity: A.groupUpdate,
        targets: [groupTarget({ id: id.slice(0, 200), displayName: null })],
      },
      check: async (tx, now) => {
        const owned = await ownedGroup(tx, s, id);
        await authorize(tx, s.caller, writeRule(owned.group), now);
        const members = (await tx.scim.standingMembers(owned.group.tenantId, id)).map((m) => m.id);
        return { ...owned, decided: plan({ ...owned, members: () => members }) };
      },
      apply: async ({ tx, now, record }, { group, externalId, decided }) => {
        const renamed = await rename(tx, group, externalId, decided.names, now);
        const events = await changeMembers(tx, s, renamed.group, now, decided.members);
        record(...renamed.events, ...events);
        return viewOf(tx, renamed.group, decided.names.externalId);
      },
    });

  return {
    /** `POST /Groups`. @throws ValidationError (a member the client did not provision), ForbiddenError */
    async create(s: ScimCaller, input: ScimGroupInput): Promise<ScimGroupView> {
      return change(s.caller, {
        attempt: {
          activity: A.groupCreate,
          targets: [groupTarget({ id: null, displayName: input.displayName })],
        },
        check: (tx, now) => authorize(tx, s.caller, DIRECTORY_RULES.writeGroups, now),
        apply: async ({ tx, now, record }) => {
          const group: Group = {
            id: deps.newId(),
            tenantId: s.caller.tenantId,
            displayName: input.displayName,
            description: null,
            mailNickname: nicknameOf(input.displayName),
            mailEnabled: false,
            securityEnabled: true,
            isAssignableToRole: false,
            createdAt: now,
            modifiedAt: now,
            version: 1,
          };
          await tx.groups.insert(group);
          await tx.scim.own('Group', {
            tenantId: group.tenantId,
            clientId: s.clientId,
            objectId: group.id,
            externalId: input.externalId,
            createdAt: now,
          });
          const events = await changeMembers(tx, s, group, now, {
            replaceWith: input.members ?? [],
            add: [],
            remove: [],
          });
          record(groupCreated(group), ...events);
          return viewOf(tx, group, input.externalId);
        },
      });
    },

    /** @throws NotFoundError */
    async get(s: ScimCaller, id: string): Promise<ScimGroupView> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, s.caller, DIRECTORY_RULES.readGroups, deps.clock.now());
        const owned = await ownedGroup(tx, s, id);
        return viewOf(tx, owned.group, owned.externalId);
      });
    },

    async list(s: ScimCaller, narrow: ScimNarrowing | null): Promise<ScimGroupView[]> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, s.caller, DIRECTORY_RULES.readGroups, deps.clock.now());
        const owned = await tx.scim.ownedGroups(s.clientId, narrow ?? undefined);
        const views: ScimGroupView[] = [];
        for (const o of owned) views.push(await viewOf(tx, o.group, o.externalId));
        return views;
      });
    },

    /** `PUT /Groups/{id}`: name and `externalId` replaced; members too when the body has `members`. */
    replace: (s: ScimCaller, id: string, input: ScimGroupInput) =>
      modify(s, id, () => ({
        names: input,
        members: { replaceWith: input.members, add: [], remove: [] },
      })),

    /**
     * `PATCH /Groups/{id}`: member operations change members one by one; the others apply to the
     * group's SCIM representation, read again like a PUT. @throws ValidationError
     */
    patch: (s: ScimCaller, id: string, ops: readonly PatchOperation[], baseUrl: string) =>
      modify(s, id, ({ group, externalId, members }) => {
        const split = memberChanges(ops, members);
        const doc = scimGroupJson(group, externalId, [], baseUrl);
        delete doc['members'];
        const names = readScimGroup(applyPatch(doc, split.attributeOps));
        return { names, members: split };
      }),

    /** `DELETE /Groups/{id}`: the group leaves the directory, with its members and PIM schedules. */
    async delete(s: ScimCaller, id: string): Promise<void> {
      await change(s.caller, {
        attempt: {
          activity: A.groupDelete,
          targets: [groupTarget({ id: id.slice(0, 200), displayName: null })],
        },
        check: async (tx, now) => {
          const { group } = await ownedGroup(tx, s, id);
          await authorize(tx, s.caller, writeRule(group), now);
          return group;
        },
        apply: async ({ tx, now, record }, group) => {
          const removed = await removePrincipalEverywhere(tx, group.tenantId, group.id, now);
          await tx.groups.delete(group.tenantId, group.id);
          record(groupDeleted(group, removed));
        },
      });
    },
  };
}
