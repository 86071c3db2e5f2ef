import { hasControl } from '../notifications/text.js';
import { ValidationError } from '../shared/errors.js';

/** The target systems Elevate grants into (ADR 0030); each has a driver in `src/target-systems/`. */
export const CONNECTOR_TYPES = ['postgresql', 'mariadb', 'redis', 'ldap'] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

/**
 * How a principal's login in the target is derived (docs/connectors.md "Logins"): the local part
 * of the user's `userPrincipalName` (`alice` of `alice@contoso.com`, the default), or the whole
 * `userPrincipalName`. Only users get target grants; a group holding a role passes it to its members.
 */
export const LOGIN_SOURCES = ['userPrincipalNameLocalPart', 'userPrincipalName'] as const;
export type LoginSource = (typeof LOGIN_SOURCES)[number];

/** What Elevate needs to reach a target; never a secret (the password is sealed apart). */
export interface ConnectorSettings {
  host: string;
  port: number;
  /** PostgreSQL: the database to connect to (default `postgres`). */
  database: string | null;
  /** The account Elevate signs in with (PostgreSQL, MariaDB, Redis ACL user) or binds as (LDAP DN). */
  username: string | null;
  /** PostgreSQL, MariaDB: create a missing login (no password, `NOLOGIN` never) before granting. */
  createLogins: boolean;
  /** LDAP: the member DN of a login, `{login}` replaced (`uid={login},ou=people,dc=example,dc=org`). */
  userDnTemplate: string | null;
}

/** A target system Elevate grants into, with its sealed secret (never returned). */
export interface Connector {
  id: string;
  tenantId: string;
  displayName: string;
  type: ConnectorType;
  settings: ConnectorSettings;
  loginSource: LoginSource;
  /** A disabled connector is neither reconciled nor tested; its grants stay as they are. */
  isEnabled: boolean;
  /** The password, sealed with the data key bound to the connector and generation; null for none. */
  sealedSecret: string | null;
  secretVersion: number;
  createdAt: number;
  modifiedAt: number;
  version: number;
}

/** What a mapping maps from: a directory role at a scope, or membership of an Elevate group. */
export const MAPPING_SOURCES = ['directoryRole', 'group'] as const;
export type MappingSource = (typeof MAPPING_SOURCES)[number];

/**
 * One rule of a connector: whoever holds `roleDefinitionId` at `directoryScopeId` (or is a member
 * of group `groupId`) now holds `targetGrant` in the target: a PostgreSQL or MariaDB role, a Redis
 * ACL rule (`on`, `+@admin`), an LDAP `groupOfNames` DN.
 */
export interface ConnectorMapping {
  id: string;
  tenantId: string;
  connectorId: string;
  source: MappingSource;
  /** The role definition id (`directoryRole`) or the group id (`group`). */
  sourceId: string;
  /** `/` for groups. */
  directoryScopeId: string;
  targetGrant: string;
  createdAt: number;
}

export const MAX_CONNECTOR_NAME_LENGTH = 128;
export const MAX_CONNECTORS_PER_TENANT = 50;
export const MAX_MAPPINGS_PER_CONNECTOR = 100;
export const MAX_TARGET_GRANT_LENGTH = 256;
export const MAX_SECRET_LENGTH = 512;

/** A target's identifier Elevate puts into statements: PostgreSQL/MariaDB role names, Redis rules. */
export const SQL_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_$.@-]{0,62}$/;
/** Redis ACL rules a mapping may toggle: the user's `on` flag, or one `+@category`. */
export const REDIS_RULE_PATTERN = /^(on|\+@[a-z]{1,32})$/;
/** An LDAP DN as a mapping target: `attr=value` pairs, commas, no control characters. */
export const DN_PATTERN = /^[A-Za-z][A-Za-z0-9-]*=[^\n\r\0]{1,254}$/;

/** A host name or an IP address (v4, or v6 in brackets or bare). */
export const HOST_PATTERN = /^[A-Za-z0-9.:[\]-]{1,253}$/;

const DEFAULT_PORTS: Record<ConnectorType, number> = {
  postgresql: 5432,
  mariadb: 3306,
  redis: 6379,
  ldap: 389,
};

/** @throws ValidationError (`displayName`) */
export function checkConnectorName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > MAX_CONNECTOR_NAME_LENGTH || hasControl(trimmed))
    throw new ValidationError(
      `displayName must be one line of 1 to ${MAX_CONNECTOR_NAME_LENGTH} characters.`,
      'displayName',
    );
  return trimmed;
}

/** Settings as given, filled with the type's defaults and checked. @throws ValidationError */
export function checkSettings(type: ConnectorType, s: Partial<ConnectorSettings>): ConnectorSettings {
  const host = (s.host ?? '').trim();
  if (!HOST_PATTERN.test(host))
    throw new ValidationError('settings.host must be a host name or IP address.', 'settings.host');
  const port = s.port ?? DEFAULT_PORTS[type];
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new ValidationError('settings.port must be a whole number from 1 to 65535.', 'settings.port');
  const userDnTemplate = s.userDnTemplate ?? null;
  if (type === 'ldap' && (userDnTemplate === null || !userDnTemplate.includes('{login}')))
    throw new ValidationError(
      'settings.userDnTemplate is required for LDAP and must contain {login}.',
      'settings.userDnTemplate',
    );
  if ((type === 'postgresql' || type === 'mariadb') && (s.username ?? '') === '')
    throw new ValidationError('settings.username is required.', 'settings.username');
  if (type === 'ldap' && (s.username ?? '') === '')
    throw new ValidationError('settings.username (the bind DN) is required for LDAP.', 'settings.username');
  return {
    host,
    port,
    database: s.database ?? null,
    username: s.username ?? null,
    createLogins: s.createLogins ?? false,
    userDnTemplate,
  };
}

/** A mapping's target as the type accepts it. @throws ValidationError (`targetGrant`) */
export function checkTargetGrant(type: ConnectorType, target: string): string {
  const ok =
    type === 'redis'
      ? REDIS_RULE_PATTERN.test(target)
      : type === 'ldap'
        ? DN_PATTERN.test(target) && !hasControl(target)
        : SQL_NAME_PATTERN.test(target);
  if (!ok)
    throw new ValidationError(
      type === 'redis'
        ? "targetGrant must be 'on' (enable the ACL user) or one '+@category'."
        : type === 'ldap'
          ? 'targetGrant must be the DN of a groupOfNames.'
          : 'targetGrant must be a role name (letters, digits, _ $ . @ -; at most 63 characters).',
      'targetGrant',
    );
  return target;
}

/** The login of a user in the target, or null when it makes no valid login there. */
export function loginOf(source: LoginSource, userPrincipalName: string): string | null {
  const login = source === 'userPrincipalName' ? userPrincipalName : (userPrincipalName.split('@')[0] ?? '');
  return SQL_NAME_PATTERN.test(login) ? login.toLowerCase() : null;
}

/** What the data key seals a connector's secret to: the connector and the secret's generation. */
export const connectorSecretContext = (id: string, generation: number): string =>
  `connector:${id}:${generation}`;
