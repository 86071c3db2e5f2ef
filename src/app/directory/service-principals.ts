import {
  grants,
  isAppPermission,
  isPrivilegedAppPermission,
} from '../../domain/directory/app-permissions.js';
import type { PasswordCredential, ServicePrincipal } from '../../domain/directory/types.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import {
  BadRequestError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../domain/shared/errors.js';
import { hashClientSecret, newClientSecret } from '../../domain/shared/secrets.js';
import type { Clock } from '../../domain/time/clock.js';
import { AUDIT_ACTIVITIES as A } from '../../domain/audit/activities.js';
import { servicePrincipalTarget } from '../../domain/audit/targets.js';
import {
  credentialAdded,
  credentialRemoved,
  servicePrincipalCreated,
  servicePrincipalDeleted,
  servicePrincipalUpdated,
} from '../../domain/directory/directory-events.js';
import { makeChange } from '../events/change.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import type { Page, Stores, UnitOfWork } from '../ports.js';
import { DIRECTORY_RULES } from '../../domain/directory/permissions.js';
import { holdsOrMayActivatePrivilegedRole, removePrincipalEverywhere } from './users.js';

const notFound = () =>
  new NotFoundError(
    `Resource does not exist or one of its queried reference-property objects are not present.`,
  );

/**
 * A privileged application holds a privileged application permission, or holds or may activate a
 * privileged directory role: whoever controls its credentials or permissions obtains them.
 */
export async function isPrivilegedApp(tx: Stores, sp: ServicePrincipal, now: number): Promise<boolean> {
  return (
    sp.appPermissions.some(isPrivilegedAppPermission) ||
    (await holdsOrMayActivatePrivilegedRole(tx, sp.tenantId, sp.id, now))
  );
}

/** Secrets live at most two years, as in Entra. */
export const MAX_SECRET_LIFETIME_MS = 2 * 366 * 24 * 3600 * 1000;
export const DEFAULT_SECRET_LIFETIME_MS = 180 * 24 * 3600 * 1000;

export interface AddPassword {
  displayName?: string | null;
  startDateTime?: number;
  endDateTime?: number;
}

/** The secret is returned once, here, and stored only as a hash. */
export interface NewPasswordCredential extends Omit<PasswordCredential, 'secretHash'> {
  secretText: string;
}

/**
 * Service principals (applications), their secrets and their application permissions. Ids arrive as the edge parsed them
 * (`http/graph/ids.ts`): GUIDs in lower case, so nothing here lower-cases an id.
 */
export function makeServicePrincipals(deps: { uow: UnitOfWork; clock: Clock; newId: () => string }) {
  const change = makeChange(deps);
  /** A service principal named only by the id in the request (for a refused attempt). */
  const requested = (id: string) => servicePrincipalTarget({ id: id.slice(0, 200), displayName: null });
  /** The caller's service principal by id, after the apps' rule. @throws ForbiddenError, NotFoundError */
  const writable = async (tx: Stores, caller: Caller, id: string, now: number): Promise<ServicePrincipal> => {
    await authorize(tx, caller, DIRECTORY_RULES.writeApps, now);
    const sp = await tx.servicePrincipals.get(caller.tenantId, id);
    if (!sp) throw notFound();
    if (await isPrivilegedApp(tx, sp, now)) {
      await authorize(tx, caller, DIRECTORY_RULES.writePrivilegedApps, now).catch((e: unknown) => {
        throw e instanceof ForbiddenError
          ? new ForbiddenError(
              'This application is privileged (it holds a privileged permission or role): changing it also needs an active Privileged Role Administrator or Global Administrator role, or RoleManagement.ReadWrite.Directory.',
            )
          : e;
      });
    }
    return sp;
  };
  /**
   * Checks a grant of `permissions` (the whole new set) to `sp` (undefined when it is being
   * created). @throws ValidationError, ForbiddenError
   */
  async function checkGrant(
    tx: Stores,
    caller: Caller,
    permissions: string[],
    now: number,
    sp?: ServicePrincipal,
  ) {
    const held = sp?.appPermissions ?? [];
    const added = permissions.filter((p) => !held.includes(p));
    for (const p of permissions) {
      if (!isAppPermission(p))
        throw new ValidationError(`Unknown application permission '${p.slice(0, 100)}'.`, 'appPermissions');
    }
    for (const p of added) {
      // No escalation: an app can hand out only permissions it holds itself…
      if (caller.kind === 'app' && !grants(caller.appPermissions, p)) {
        throw new ForbiddenError(`The calling application does not hold '${p}' and so cannot grant it.`);
      }
      // …and never raise its own.
      if (caller.kind === 'app' && sp !== undefined && caller.id === sp.id) {
        throw new ForbiddenError(`An application cannot add '${p}' to its own permissions.`);
      }
    }
    if (added.some(isPrivilegedAppPermission)) {
      await authorize(tx, caller, DIRECTORY_RULES.writePrivilegedApps, now).catch((e: unknown) => {
        throw e instanceof ForbiddenError
          ? new ForbiddenError(
              'Granting a privileged application permission also needs an active Privileged Role Administrator or Global Administrator role, or RoleManagement.ReadWrite.Directory.',
            )
          : e;
      });
    }
  }

  return {
    async create(caller: Caller, cmd: { displayName: string; appId?: string; appPermissions?: string[] }) {
      const permissions = [...new Set(cmd.appPermissions ?? [])];
      return change(caller, {
        attempt: {
          activity: A.servicePrincipalCreate,
          targets: [servicePrincipalTarget({ id: null, displayName: cmd.displayName })],
        },
        check: async (tx, now) => {
          await authorize(tx, caller, DIRECTORY_RULES.writeApps, now);
          if (permissions.length > 0) {
            await authorize(tx, caller, DIRECTORY_RULES.grantAppPermissions, now);
            await checkGrant(tx, caller, permissions, now);
          }
          const appId = cmd.appId ?? deps.newId();
          if (await tx.servicePrincipals.getByAppId(appId)) {
            throw new BadRequestError(
              'Request_MultipleObjectsWithSameKeyValue',
              'An application with this appId already exists.',
            );
          }
          return appId;
        },
        apply: async ({ tx, now, record }, appId) => {
          const sp: ServicePrincipal = {
            id: deps.newId(),
            tenantId: caller.tenantId,
            appId,
            displayName: cmd.displayName,
            accountEnabled: true,
            appPermissions: permissions,
            createdAt: now,
            modifiedAt: now,
            version: 1,
          };
          await tx.servicePrincipals.insert(sp);
          record(servicePrincipalCreated(sp));
          return sp;
        },
      });
    },

    async get(caller: Caller, id: string): Promise<ServicePrincipal & { passwords: PasswordCredential[] }> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, DIRECTORY_RULES.readApps, deps.clock.now());
        const sp = await tx.servicePrincipals.get(caller.tenantId, id);
        if (!sp) throw notFound();
        return { ...sp, passwords: await tx.servicePrincipals.passwords(sp.id) };
      });
    },

    async list(caller: Caller, q: CollectionQuery): Promise<Page<ServicePrincipal>> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, DIRECTORY_RULES.readApps, deps.clock.now());
        return tx.servicePrincipals.list(caller.tenantId, q);
      });
    },

    async update(
      caller: Caller,
      id: string,
      patch: { displayName?: string; accountEnabled?: boolean; appPermissions?: string[] },
    ): Promise<void> {
      await change(caller, {
        attempt: { activity: A.servicePrincipalUpdate, targets: [requested(id)] },
        check: async (tx, now) => {
          const sp = await writable(tx, caller, id, now);
          if (patch.appPermissions !== undefined) {
            await authorize(tx, caller, DIRECTORY_RULES.grantAppPermissions, now);
            await checkGrant(tx, caller, patch.appPermissions, now, sp);
          }
          return sp;
        },
        apply: async ({ tx, now, record }, sp) => {
          const next: ServicePrincipal = {
            ...sp,
            displayName: patch.displayName ?? sp.displayName,
            accountEnabled: patch.accountEnabled ?? sp.accountEnabled,
            appPermissions: patch.appPermissions ? [...new Set(patch.appPermissions)] : sp.appPermissions,
            modifiedAt: now,
          };
          await tx.servicePrincipals.update(next, sp.version);
          record(servicePrincipalUpdated(sp, next));
        },
      });
    },

    async delete(caller: Caller, id: string): Promise<void> {
      await change(caller, {
        attempt: { activity: A.servicePrincipalDelete, targets: [requested(id)] },
        check: async (tx, now) => {
          const sp = await writable(tx, caller, id, now);
          if (caller.kind === 'app' && caller.id === sp.id) {
            throw new BadRequestError('Request_BadRequest', 'An application cannot delete itself.');
          }
          return sp;
        },
        apply: async ({ tx, now, record }, sp) => {
          const removed = await removePrincipalEverywhere(tx, caller.tenantId, sp.id, now);
          await tx.servicePrincipals.delete(caller.tenantId, sp.id);
          record(servicePrincipalDeleted(sp, removed));
        },
      });
    },

    /** Adds a client secret and returns it once (Graph `addPassword`). */
    async addPassword(caller: Caller, id: string, cmd: AddPassword): Promise<NewPasswordCredential> {
      const now = deps.clock.now();
      const start = cmd.startDateTime ?? now;
      const end = cmd.endDateTime ?? start + DEFAULT_SECRET_LIFETIME_MS;
      if (end <= start) throw new ValidationError('endDateTime must be after startDateTime.', 'endDateTime');
      if (end <= now) throw new ValidationError('endDateTime must be in the future.', 'endDateTime');
      if (end - start > MAX_SECRET_LIFETIME_MS) {
        throw new ValidationError('A client secret may be valid for at most two years.', 'endDateTime');
      }
      const { secret, hint } = newClientSecret();
      return change(caller, {
        now,
        attempt: { activity: A.servicePrincipalAddPassword, targets: [requested(id)] },
        check: (tx) => writable(tx, caller, id, now),
        apply: async ({ tx, record }, sp) => {
          const cred: PasswordCredential = {
            keyId: deps.newId(),
            servicePrincipalId: sp.id,
            displayName: cmd.displayName ?? null,
            hint,
            secretHash: hashClientSecret(secret),
            startAt: start,
            endAt: end,
          };
          await tx.servicePrincipals.addPassword(caller.tenantId, cred, now);
          record(credentialAdded(sp, cred));
          const { secretHash: _h, ...rest } = cred;
          return { ...rest, secretText: secret };
        },
      });
    },

    async removePassword(caller: Caller, id: string, keyId: string): Promise<void> {
      await change(caller, {
        attempt: { activity: A.servicePrincipalRemovePassword, targets: [requested(id)] },
        check: (tx, now) => writable(tx, caller, id, now),
        apply: async ({ tx, record }, sp) => {
          const cred = (await tx.servicePrincipals.passwords(sp.id)).find((c) => c.keyId === keyId);
          if (!cred || !(await tx.servicePrincipals.removePassword(caller.tenantId, sp.id, cred.keyId)))
            throw notFound();
          record(credentialRemoved(sp, cred));
        },
      });
    },
  };
}
