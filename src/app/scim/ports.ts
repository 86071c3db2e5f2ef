import type { Group, PrincipalType, User } from '../../domain/directory/types.js';
import type { ScimResourceType } from '../../domain/scim/scim-attributes.js';
import type { ScimClient } from '../../domain/scim/scim-client.js';

/** A user or group and the provisioning client that owns it. */
export interface Ownership {
  tenantId: string;
  clientId: string;
  objectId: string;
  externalId: string | null;
  createdAt: number;
}

/** Narrows a listing in SQL before the filter runs in memory: the lookups identity providers make. */
export interface ScimNarrowing {
  attribute: 'userName' | 'externalId' | 'displayName' | 'id';
  value: string;
}

/** Provisioning clients and what they own, bound to the use case's transaction (migration 0027). */
export interface ScimStore {
  listClients(tenantId: string): Promise<ScimClient[]>;
  getClient(tenantId: string, id: string): Promise<ScimClient | undefined>;
  /** Any tenant: the token names its client. */
  clientByTokenHash(tokenHash: string): Promise<ScimClient | undefined>;
  countClients(tenantId: string): Promise<number>;
  insertClient(c: ScimClient): Promise<void>;
  deleteClient(tenantId: string, id: string): Promise<boolean>;

  own(type: ScimResourceType, o: Ownership): Promise<void>;
  setExternalId(type: ScimResourceType, objectId: string, externalId: string | null): Promise<void>;
  /** The ownership row when `clientId` owns the object, else `undefined`. */
  owned(type: ScimResourceType, clientId: string, objectId: string): Promise<Ownership | undefined>;
  /** The client's users, oldest first, optionally narrowed. */
  ownedUsers(clientId: string, narrow?: ScimNarrowing): Promise<{ user: User; externalId: string | null }[]>;
  ownedGroups(
    clientId: string,
    narrow?: ScimNarrowing,
  ): Promise<{ group: Group; externalId: string | null }[]>;
  /** A group's standing members (PIM memberships are Elevate's own, not the identity provider's). */
  standingMembers(tenantId: string, groupId: string): Promise<{ id: string; type: PrincipalType }[]>;
}

declare module '../ports.js' {
  interface Stores {
    /** SCIM provisioning clients and their objects (ADR 0038). */
    scim: ScimStore;
  }
}
