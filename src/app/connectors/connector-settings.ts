import {
  checkConnectorName,
  checkConnectorSecret,
  checkLogin,
  MAX_LOGINS_PER_CONNECTOR,
  type ConnectorLogin,
  checkSettings,
  checkTargetGrant,
  connectorSecretContext,
  MAX_CONNECTORS_PER_TENANT,
  MAX_MAPPINGS_PER_CONNECTOR,
  type Connector,
  type ConnectorMapping,
  type ConnectorSettings,
  type ConnectorType,
  type LoginSource,
  type MappingSource,
} from '../../domain/connectors/connector.js';
import {
  CONNECTOR_ACTIVITIES,
  connectorCreated,
  connectorDeleted,
  connectorUpdated,
  loginRemoved,
  loginSet,
  mappingCreated,
  mappingDeleted,
} from '../../domain/connectors/connector-events.js';
import type { TargetGrantRecord } from '../../domain/connectors/grant.js';
import { CONNECTOR_RULES } from '../../domain/connectors/permissions.js';
import { BadRequestError, NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { makeChange } from '../events/change.js';
import type { Page, Stores, UnitOfWork } from '../ports.js';
import type { ConnectorStatus, Sealer, TargetCheck, TargetSystemFactory } from './ports.js';

/** A connector as the API shows it: never its secret, only whether it has one. */
export interface ConnectorView {
  id: string;
  displayName: string;
  type: ConnectorType;
  settings: ConnectorSettings;
  loginSource: LoginSource;
  isEnabled: boolean;
  hasSecret: boolean;
  createdAt: number;
  modifiedAt: number;
  /** What its last reconcile did; null before the first. */
  status: ConnectorStatus | null;
}

export interface CreateConnector {
  displayName: string;
  type: ConnectorType;
  settings: Partial<ConnectorSettings>;
  secret: string | undefined;
  loginSource: LoginSource | undefined;
  isEnabled: boolean | undefined;
}

export type UpdateConnector = Partial<{
  displayName: string;
  settings: Partial<ConnectorSettings>;
  secret: string | null;
  loginSource: LoginSource;
  isEnabled: boolean;
}>;

export interface CreateMapping {
  source: MappingSource;
  sourceId: string;
  directoryScopeId: string | undefined;
  targetGrant: string;
}

export const connectorView = (c: Connector, status: ConnectorStatus | null = null): ConnectorView => ({
  id: c.id,
  displayName: c.displayName,
  type: c.type,
  settings: c.settings,
  loginSource: c.loginSource,
  isEnabled: c.isEnabled,
  hasSecret: c.sealedSecret !== null,
  createdAt: c.createdAt,
  modifiedAt: c.modifiedAt,
  status,
});

const notFound = () => new NotFoundError('The connector does not exist.', 'Request_ResourceNotFound');

function checkSecret(type: ConnectorType, secret: string | null | undefined): string | null {
  if (secret === undefined || secret === null || secret === '') return null;
  return checkConnectorSecret(type, secret);
}

/** The secret a connector signs in with now, or null. */
export const connectorSecret = (c: Connector, sealer: Sealer): string | null =>
  c.sealedSecret === null ? null : sealer.open(c.sealedSecret, connectorSecretContext(c.id, c.secretVersion));

/**
 * Connectors of the caller's tenant (`/v1.0/elevate/connectors`) and their mappings: list, create,
 * read, change, delete, and `test` (reaches the target, checks credentials, privileges and every
 * mapped target). The password is sealed with the data key bound to the connector and its
 * generation, and never returned. Every change is audited; `changed` wakes the reconciler.
 */
export function makeConnectorSettings(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  sealer: Sealer;
  targets: TargetSystemFactory;
  /** The operator accepts `http://` connector URLs (`ELEVATE_NOTIFICATIONS_ALLOW_HTTP`). */
  allowHttp?: boolean;
  changed?: (connectorId: string) => void;
}) {
  const allowHttp = deps.allowHttp === true;
  const change = makeChange(deps);
  const requested = (id: string | null, name = '') => [
    {
      id,
      displayName: name.slice(0, 200),
      type: 'Other' as const,
      userPrincipalName: null,
      modifiedProperties: [],
    },
  ];
  const writable = async (tx: Stores, caller: Caller, id: string, now: number) => {
    await authorize(tx, caller, CONNECTOR_RULES.write, now);
    const c = await tx.connectors.get(caller.tenantId, id);
    if (c === undefined) throw notFound();
    return c;
  };
  const readable = async (tx: Stores, caller: Caller, id: string, now: number) => {
    await authorize(tx, caller, CONNECTOR_RULES.read, now);
    const c = await tx.connectors.get(caller.tenantId, id);
    if (c === undefined) throw notFound();
    return c;
  };
  const seal = (secret: string, id: string, generation: number) =>
    deps.sealer.seal(secret, connectorSecretContext(id, generation));
  const wake = (id: string) => deps.changed?.(id);

  return {
    async list(caller: Caller, q: CollectionQuery): Promise<Page<ConnectorView>> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, CONNECTOR_RULES.read, now);
        const page = await tx.connectors.list(caller.tenantId, q);
        const statuses = await tx.connectors.statuses(page.items.map((c) => c.id));
        return { ...page, items: page.items.map((c) => connectorView(c, statuses.get(c.id) ?? null)) };
      });
    },

    /** @throws NotFoundError, ForbiddenError */
    async get(caller: Caller, id: string): Promise<ConnectorView> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        const c = await readable(tx, caller, id, now);
        return connectorView(c, (await tx.connectors.statuses([c.id])).get(c.id) ?? null);
      });
    },

    /** @throws ValidationError, BadRequestError (too many), ForbiddenError */
    async create(caller: Caller, cmd: CreateConnector): Promise<ConnectorView> {
      const displayName = checkConnectorName(cmd.displayName);
      const settings = checkSettings(cmd.type, cmd.settings, allowHttp);
      const secret = checkSecret(cmd.type, cmd.secret);
      const view = await change(caller, {
        attempt: { activity: CONNECTOR_ACTIVITIES.create, targets: requested(null, displayName) },
        check: async (tx, now) => {
          await authorize(tx, caller, CONNECTOR_RULES.write, now);
          if ((await tx.connectors.count(caller.tenantId)) >= MAX_CONNECTORS_PER_TENANT)
            throw new BadRequestError(
              'Request_BadRequest',
              `A tenant can have at most ${MAX_CONNECTORS_PER_TENANT} connectors.`,
            );
        },
        apply: async ({ tx, now, record }) => {
          const id = deps.newId();
          const c: Connector = {
            id,
            tenantId: caller.tenantId,
            displayName,
            type: cmd.type,
            settings,
            loginSource: cmd.loginSource ?? 'userPrincipalNameLocalPart',
            isEnabled: cmd.isEnabled ?? true,
            sealedSecret: secret === null ? null : seal(secret, id, 1),
            secretVersion: 1,
            createdAt: now,
            modifiedAt: now,
            version: 1,
          };
          await tx.connectors.insert(c);
          record(connectorCreated(c));
          return connectorView(c);
        },
      });
      wake(view.id);
      return view;
    },

    /** @throws NotFoundError, ValidationError, ForbiddenError, ConflictError */
    async update(caller: Caller, id: string, patch: UpdateConnector): Promise<ConnectorView> {
      const displayName = patch.displayName === undefined ? undefined : checkConnectorName(patch.displayName);
      const view = await change(caller, {
        attempt: { activity: CONNECTOR_ACTIVITIES.update, targets: requested(id) },
        check: (tx, now) => writable(tx, caller, id, now),
        apply: async ({ tx, now, record }, before) => {
          const secret = patch.secret === undefined ? undefined : checkSecret(before.type, patch.secret);
          const settings =
            patch.settings === undefined
              ? before.settings
              : checkSettings(before.type, { ...before.settings, ...patch.settings }, allowHttp);
          const generation = secret === undefined ? before.secretVersion : before.secretVersion + 1;
          const after: Connector = {
            ...before,
            displayName: displayName ?? before.displayName,
            settings,
            loginSource: patch.loginSource ?? before.loginSource,
            isEnabled: patch.isEnabled ?? before.isEnabled,
            sealedSecret:
              secret === undefined
                ? before.sealedSecret
                : secret === null
                  ? null
                  : seal(secret, id, generation),
            secretVersion: generation,
            modifiedAt: now,
            version: before.version + 1,
          };
          await tx.connectors.update(after, before.version);
          record(connectorUpdated(before, after, secret !== undefined));
          return connectorView(after, (await tx.connectors.statuses([id])).get(id) ?? null);
        },
      });
      wake(id);
      return view;
    },

    /**
     * Deletes a connector and its mappings. Grants it made stay in the target (Elevate no longer
     * reaches it); delete the mappings first, and let the reconciler revoke, to take them back.
     * @throws NotFoundError, ForbiddenError
     */
    async delete(caller: Caller, id: string): Promise<void> {
      await change(caller, {
        attempt: { activity: CONNECTOR_ACTIVITIES.delete, targets: requested(id) },
        check: (tx, now) => writable(tx, caller, id, now),
        apply: async ({ tx, record }, c) => {
          await tx.connectors.delete(caller.tenantId, c.id);
          record(connectorDeleted(c));
        },
      });
      wake(id);
    },

    /** @throws NotFoundError, ForbiddenError */
    async mappings(caller: Caller, connectorId: string): Promise<ConnectorMapping[]> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await readable(tx, caller, connectorId, now);
        return tx.connectors.mappings(caller.tenantId, connectorId);
      });
    },

    /** @throws NotFoundError, ForbiddenError */
    async mapping(caller: Caller, connectorId: string, id: string): Promise<ConnectorMapping> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await readable(tx, caller, connectorId, now);
        const m = await tx.connectors.mapping(caller.tenantId, connectorId, id);
        if (m === undefined) throw new NotFoundError('The mapping does not exist.');
        return m;
      });
    },

    /**
     * Maps a directory role at a scope, or an Elevate group's membership, to a target grant. The
     * role or group must exist; whether the target grant exists is checked by `test`.
     * @throws NotFoundError, ValidationError, BadRequestError, ForbiddenError
     */
    async addMapping(caller: Caller, connectorId: string, cmd: CreateMapping): Promise<ConnectorMapping> {
      const m = await change(caller, {
        attempt: { activity: CONNECTOR_ACTIVITIES.addMapping, targets: requested(connectorId) },
        check: async (tx, now) => {
          const c = await writable(tx, caller, connectorId, now);
          const targetGrant = checkTargetGrant(c.type, cmd.targetGrant);
          if (cmd.source === 'directoryRole') {
            if ((await tx.roleDefinitions.get(caller.tenantId, cmd.sourceId)) === undefined)
              throw new ValidationError('sourceId names no role definition of this tenant.', 'sourceId');
          } else if ((await tx.groups.get(caller.tenantId, cmd.sourceId)) === undefined)
            throw new ValidationError('sourceId names no group of this tenant.', 'sourceId');
          const existing = await tx.connectors.mappings(caller.tenantId, connectorId);
          if (existing.length >= MAX_MAPPINGS_PER_CONNECTOR)
            throw new BadRequestError(
              'Request_BadRequest',
              `A connector can have at most ${MAX_MAPPINGS_PER_CONNECTOR} mappings.`,
            );
          return { c, targetGrant };
        },
        apply: async ({ tx, now, record }, { c, targetGrant }) => {
          const mapping: ConnectorMapping = {
            id: deps.newId(),
            tenantId: caller.tenantId,
            connectorId,
            source: cmd.source,
            sourceId: cmd.sourceId.toLowerCase(),
            directoryScopeId: cmd.source === 'group' ? '/' : (cmd.directoryScopeId ?? '/'),
            targetGrant,
            createdAt: now,
          };
          await tx.connectors.insertMapping(mapping);
          record(mappingCreated(c, mapping));
          return mapping;
        },
      });
      wake(connectorId);
      return m;
    },

    /**
     * Removes a mapping; the reconciler then revokes the grants Elevate made through it.
     * @throws NotFoundError, ForbiddenError
     */
    async removeMapping(caller: Caller, connectorId: string, id: string): Promise<void> {
      await change(caller, {
        attempt: { activity: CONNECTOR_ACTIVITIES.removeMapping, targets: requested(id) },
        check: async (tx, now) => {
          const c = await writable(tx, caller, connectorId, now);
          const m = await tx.connectors.mapping(caller.tenantId, connectorId, id);
          if (m === undefined) throw new NotFoundError('The mapping does not exist.');
          return { c, m };
        },
        apply: async ({ tx, record }, { c, m }) => {
          await tx.connectors.deleteMapping(caller.tenantId, connectorId, m.id);
          record(mappingDeleted(c, m));
        },
      });
      wake(connectorId);
    },

    /** The connector's explicit logins (`principalId → login`). @throws NotFoundError, ForbiddenError */
    async logins(caller: Caller, connectorId: string): Promise<ConnectorLogin[]> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await readable(tx, caller, connectorId, now);
        return tx.connectors.logins(caller.tenantId, connectorId);
      });
    },

    /**
     * Sets the user's explicit login in the connector's target (replacing one set before): it wins
     * over the login derived from the userPrincipalName. The user must be a user of the tenant, the
     * login a valid name no other user of the connector has. The reconciler then revokes what the
     * old login held and grants the new one. Audited (`Set connector login`, old and new login).
     * @throws NotFoundError, ValidationError, BadRequestError, ForbiddenError
     */
    async setLogin(
      caller: Caller,
      connectorId: string,
      principalId: string,
      wanted: string,
    ): Promise<ConnectorLogin> {
      const login = checkLogin(wanted);
      const userId = principalId.toLowerCase();
      const l = await change(caller, {
        attempt: { activity: CONNECTOR_ACTIVITIES.setLogin, targets: requested(connectorId) },
        check: async (tx, now) => {
          const c = await writable(tx, caller, connectorId, now);
          if ((await tx.users.get(caller.tenantId, userId)) === undefined)
            throw new ValidationError('The user does not exist in this tenant.', 'principalId');
          const holder = await tx.connectors.loginNamed(caller.tenantId, connectorId, login);
          if (holder !== undefined && holder.principalId !== userId)
            throw new ValidationError('Another user of this connector already has that login.', 'login');
          const before = await tx.connectors.login(caller.tenantId, connectorId, userId);
          if (
            before === undefined &&
            (await tx.connectors.logins(caller.tenantId, connectorId)).length >= MAX_LOGINS_PER_CONNECTOR
          )
            throw new BadRequestError(
              'Request_BadRequest',
              `A connector can have at most ${MAX_LOGINS_PER_CONNECTOR} explicit logins.`,
            );
          return { c, before };
        },
        apply: async ({ tx, now, record }, { c, before }) => {
          const after: ConnectorLogin = {
            tenantId: caller.tenantId,
            connectorId: c.id,
            principalId: userId,
            login,
            createdAt: before?.createdAt ?? now,
            modifiedAt: now,
          };
          // Setting the same login again changes nothing and records nothing.
          if (before?.login === login) return before;
          await tx.connectors.putLogin(after);
          record(loginSet(c, after, before?.login ?? null));
          return after;
        },
      });
      wake(connectorId);
      return l;
    },

    /**
     * Removes the user's explicit login: the login is derived from the userPrincipalName again (the
     * reconciler moves the grants). Audited. @throws NotFoundError, ForbiddenError
     */
    async removeLogin(caller: Caller, connectorId: string, principalId: string): Promise<void> {
      await change(caller, {
        attempt: { activity: CONNECTOR_ACTIVITIES.removeLogin, targets: requested(connectorId) },
        check: async (tx, now) => {
          const c = await writable(tx, caller, connectorId, now);
          const l = await tx.connectors.login(caller.tenantId, connectorId, principalId);
          if (l === undefined) throw new NotFoundError('The user has no explicit login in this connector.');
          return { c, l };
        },
        apply: async ({ tx, record }, { c, l }) => {
          await tx.connectors.deleteLogin(caller.tenantId, connectorId, l.principalId);
          record(loginRemoved(c, l));
        },
      });
      wake(connectorId);
    },

    /** Grant records of a connector, newest first: ownership and effective times. @throws NotFoundError, ForbiddenError */
    async grants(caller: Caller, connectorId: string, q: CollectionQuery): Promise<Page<TargetGrantRecord>> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await readable(tx, caller, connectorId, now);
        return tx.targetGrants.list(caller.tenantId, connectorId, q);
      });
    },

    /**
     * Reaches the target with the stored settings and secret and checks what the connector needs:
     * connectivity, credentials, the privileges to grant, and that every mapped target exists.
     * Runs outside any transaction (network). @throws NotFoundError, ForbiddenError
     */
    async test(caller: Caller, id: string): Promise<TargetCheck> {
      const now = deps.clock.now();
      const { c, targets } = await deps.uow.run(async (tx) => {
        const c = await writable(tx, caller, id, now);
        const ms = await tx.connectors.mappings(caller.tenantId, id);
        return { c, targets: [...new Set(ms.map((m) => m.targetGrant))] };
      });
      const target = deps.targets(c.type, c.settings, connectorSecret(c, deps.sealer));
      try {
        return await target.test(targets);
      } catch (e) {
        return { ok: false, message: e instanceof Error ? e.message : String(e) };
      } finally {
        await target.close().catch(() => undefined);
      }
    },
  };
}
