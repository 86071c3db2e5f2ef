import { randomBytes } from 'node:crypto';
import {
  MAX_SCIM_CLIENT_NAME,
  MAX_SCIM_CLIENTS_PER_TENANT,
  SCIM_CLIENT_PERMISSIONS,
  SCIM_CLIENT_RULES,
  SCIM_TOKEN_PREFIX,
  type ScimClient,
} from '../../domain/scim/scim-client.js';
import {
  SCIM_ACTIVITIES,
  scimClientCreated,
  scimClientDeleted,
  scimClientTarget,
} from '../../domain/scim/scim-events.js';
import { hashClientSecret } from '../../domain/shared/secrets.js';
import {
  BadRequestError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { makeChange } from '../events/change.js';
import type { UnitOfWork } from '../ports.js';

/** A provisioning client as the API shows it: never its token nor the token's hash. */
export interface ScimClientView {
  id: string;
  displayName: string;
  tokenHint: string;
  createdAt: number;
  createdBy: string;
}

/** Who calls `/scim/v2`: the provisioning client, and the caller the directory's rules judge. */
export interface ScimCaller {
  clientId: string;
  caller: Caller;
}

const view = (c: ScimClient): ScimClientView => ({
  id: c.id,
  displayName: c.displayName,
  tokenHint: c.tokenHint,
  createdAt: c.createdAt,
  createdBy: c.createdBy,
});

const notFound = () =>
  new NotFoundError('The provisioning client does not exist.', 'Request_ResourceNotFound');

/**
 * Provisioning clients (`/v1.0/elevate/scimClients`) and the authentication of `/scim/v2` calls by
 * their token (ADR 0038). The token is 256 random bits, shown once at creation, kept as its SHA-256.
 */
export function makeScimClients(deps: { uow: UnitOfWork; clock: Clock; newId: () => string }) {
  const change = makeChange(deps);
  return {
    async list(caller: Caller): Promise<ScimClientView[]> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, SCIM_CLIENT_RULES.read, deps.clock.now());
        return (await tx.scim.listClients(caller.tenantId)).map(view);
      });
    },

    /** @throws NotFoundError, ForbiddenError */
    async get(caller: Caller, id: string): Promise<ScimClientView> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, SCIM_CLIENT_RULES.read, deps.clock.now());
        const c = await tx.scim.getClient(caller.tenantId, id);
        if (c === undefined) throw notFound();
        return view(c);
      });
    },

    /**
     * Creates a client; the answer carries its token, the only time it is shown.
     * @throws ValidationError (displayName), BadRequestError (too many), ForbiddenError
     */
    async create(
      caller: Caller,
      cmd: { displayName: string },
    ): Promise<{ client: ScimClientView; token: string }> {
      const displayName = cmd.displayName.trim();
      if (displayName === '' || displayName.length > MAX_SCIM_CLIENT_NAME)
        throw new ValidationError(
          `displayName must be 1 to ${MAX_SCIM_CLIENT_NAME} characters.`,
          'displayName',
        );
      const token = `${SCIM_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      return change(caller, {
        attempt: {
          activity: SCIM_ACTIVITIES.createClient,
          targets: [scimClientTarget({ id: null, displayName })],
        },
        check: async (tx, now) => {
          await authorize(tx, caller, SCIM_CLIENT_RULES.write, now);
          if ((await tx.scim.countClients(caller.tenantId)) >= MAX_SCIM_CLIENTS_PER_TENANT)
            throw new BadRequestError(
              'Request_BadRequest',
              `A tenant can have at most ${MAX_SCIM_CLIENTS_PER_TENANT} provisioning clients.`,
            );
        },
        apply: async ({ tx, now, record }) => {
          const c: ScimClient = {
            id: deps.newId(),
            tenantId: caller.tenantId,
            displayName,
            tokenHash: hashClientSecret(token),
            tokenHint: token.slice(-4),
            createdAt: now,
            createdBy: caller.id,
          };
          await tx.scim.insertClient(c);
          record(scimClientCreated(c));
          return { client: view(c), token };
        },
      });
    },

    /**
     * Deletes a client: its token stops working at once. The users and groups it provisioned stay
     * in the directory, no longer managed by any client. @throws NotFoundError, ForbiddenError
     */
    async delete(caller: Caller, id: string): Promise<void> {
      await change(caller, {
        attempt: {
          activity: SCIM_ACTIVITIES.deleteClient,
          targets: [scimClientTarget({ id, displayName: null })],
        },
        check: async (tx, now) => {
          await authorize(tx, caller, SCIM_CLIENT_RULES.write, now);
          const c = await tx.scim.getClient(caller.tenantId, id);
          if (c === undefined) throw notFound();
          return c;
        },
        apply: async ({ tx, record }, c) => {
          await tx.scim.deleteClient(c.tenantId, c.id);
          record(scimClientDeleted(c));
        },
      });
    },

    /**
     * The provisioning client a `/scim/v2` bearer token names, as a caller holding the directory
     * permissions of a provisioning client. Only SCIM tokens are accepted there, and they are
     * accepted nowhere else. @throws UnauthenticatedError
     */
    async authenticate(
      authorization: string | undefined,
      ctx: { ip: string | null; userAgent: string | null; requestId: string },
    ): Promise<ScimCaller> {
      const token = /^Bearer\s+(\S{1,200})$/i.exec(authorization ?? '')?.[1];
      if (token === undefined || !token.startsWith(SCIM_TOKEN_PREFIX))
        throw new UnauthenticatedError('A provisioning client token is required.');
      const client = await deps.uow.run((tx) => tx.scim.clientByTokenHash(hashClientSecret(token)));
      if (client === undefined) throw new UnauthenticatedError('The provisioning client token is not valid.');
      return {
        clientId: client.id,
        caller: {
          kind: 'app',
          tenantId: client.tenantId,
          id: client.id,
          appId: client.id,
          appPermissions: [...SCIM_CLIENT_PERMISSIONS],
          amr: [],
          authTimeMs: null,
          ipAddress: ctx.ip,
          userAgent: ctx.userAgent,
          clientOrigin: 'scim',
          correlationId: ctx.requestId,
        },
      };
    },
  };
}
