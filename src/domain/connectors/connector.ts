import { checkWebhookSecret, checkWebhookUrl } from '../notifications/channel-config.js';
import { hasControl } from '../notifications/text.js';
import { ValidationError } from '../shared/errors.js';

/**
 * The target systems Elevate grants into (ADR 0030, ADR 0039); each has a driver in
 * `src/target-systems/`.
 */
export const CONNECTOR_TYPES = ['postgresql', 'mariadb', 'redis', 'ldap', 'webhook', 'scim'] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

/** The types reached by HTTP at `settings.url` (ADR 0039): host and port come from the URL. */
export const isHttpType = (t: ConnectorType): t is 'webhook' | 'scim' => t === 'webhook' || t === 'scim';

/**
 * SCIM: the attribute of the target's Users an Elevate login is looked up by
 * (`filter=<attribute> eq "<login>"`): `userName` (the default), `externalId`, or `emails.value`.
 */
export const SCIM_USER_ATTRIBUTES = ['userName', 'externalId', 'emails.value'] as const;
export type ScimUserAttribute = (typeof SCIM_USER_ATTRIBUTES)[number];

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
  /** Webhook: where the signed calls go; SCIM: the base URL (`https://idp.example.com/scim/v2`). */
  url: string | null;
  /** Webhook: where Elevate asks what the receiver has granted; null: Elevate tracks its own calls. */
  listUrl: string | null;
  /** Webhook: after a revoke, also send `elevate.sessions.end` for the login. */
  endSessions: boolean;
  /** SCIM: how a login finds the target's user (`userName` by default). */
  scimUserAttribute: ScimUserAttribute | null;
}

/** Stored settings of any age, with the fields added later filled with their defaults. */
export const withSettingDefaults = (
  s: Partial<ConnectorSettings> & { host: string; port: number },
): ConnectorSettings => ({
  database: null,
  username: null,
  createLogins: false,
  userDnTemplate: null,
  url: null,
  listUrl: null,
  endSessions: false,
  scimUserAttribute: null,
  ...s,
});

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
/** A webhook's target: a name the receiver knows, one line without spaces. */
export const WEBHOOK_TARGET_PATTERN = /^[A-Za-z0-9_.:@/+=-]{1,256}$/;
/**
 * A SCIM group id: it goes into the path `/Groups/{id}` (URL-safe characters only, and not a dot
 * segment, which the URL would resolve to another path).
 */
export const SCIM_GROUP_ID_PATTERN = /^(?!\.{1,2}$)[A-Za-z0-9._~:@-]{1,256}$/;

const DEFAULT_PORTS: Record<ConnectorType, number> = {
  postgresql: 5432,
  mariadb: 3306,
  redis: 6379,
  ldap: 389,
  webhook: 443,
  scim: 443,
};

/** A connector URL (`settings.url`, `settings.listUrl`) under the operator's http rule. */
function checkUrl(field: 'url' | 'listUrl', url: string, allowHttp: boolean): string {
  try {
    return checkWebhookUrl(url, allowHttp);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    throw new ValidationError(
      `settings.${e.message}`.replace('settings.url', `settings.${field}`),
      `settings.${field}`,
    );
  }
}

/**
 * Settings of the HTTP types (ADR 0039): `url` required (https, or http where the operator allows
 * it); host and port are the URL's, for display and the audit log.
 */
function checkHttpSettings(
  type: 'webhook' | 'scim',
  s: Partial<ConnectorSettings>,
  allowHttp: boolean,
): ConnectorSettings {
  if (s.url === undefined || s.url === null || s.url === '')
    throw new ValidationError(`settings.url is required for webhook and scim.`, 'settings.url');
  const url = checkUrl('url', s.url, allowHttp);
  const listUrl =
    type === 'webhook' && s.listUrl !== undefined && s.listUrl !== null && s.listUrl !== ''
      ? checkUrl('listUrl', s.listUrl, allowHttp)
      : null;
  const parsed = new URL(url);
  return withSettingDefaults({
    host: parsed.hostname,
    port: parsed.port === '' ? (parsed.protocol === 'http:' ? 80 : 443) : Number(parsed.port),
    url,
    listUrl,
    endSessions: type === 'webhook' && s.endSessions === true,
    scimUserAttribute: type === 'scim' ? (s.scimUserAttribute ?? 'userName') : null,
  });
}

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

/**
 * Settings as given, filled with the type's defaults and checked. `allowHttp`: the operator accepts
 * `http://` URLs (`ELEVATE_NOTIFICATIONS_ALLOW_HTTP`). @throws ValidationError
 */
export function checkSettings(
  type: ConnectorType,
  s: Partial<ConnectorSettings>,
  allowHttp = false,
): ConnectorSettings {
  if (isHttpType(type)) return checkHttpSettings(type, s, allowHttp);
  const host = (s.host ?? '').trim();
  if (host === '')
    throw new ValidationError(
      'settings.host is required for postgresql, mariadb, redis and ldap.',
      'settings.host',
    );
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
  return withSettingDefaults({
    host,
    port,
    database: s.database ?? null,
    username: s.username ?? null,
    createLogins: s.createLogins ?? false,
    userDnTemplate,
  });
}

/**
 * A connector's secret as its type needs it: a webhook's is the Standard Webhooks signing secret
 * (`whsec_` + base64 of 24 to 64 bytes); the others are passwords or bearer tokens, any text.
 * @throws ValidationError (`secret`)
 */
export function checkConnectorSecret(type: ConnectorType, secret: string): string {
  if (secret.length > MAX_SECRET_LENGTH)
    throw new ValidationError(`secret must be at most ${MAX_SECRET_LENGTH} characters.`, 'secret');
  if (type !== 'webhook') return secret;
  try {
    return checkWebhookSecret(secret);
  } catch {
    throw new ValidationError(
      "secret of a webhook connector must be 'whsec_' followed by base64 of 24 to 64 random bytes (Standard Webhooks); the receiver verifies each call with it.",
      'secret',
    );
  }
}

const SQL_TARGET = {
  pattern: SQL_NAME_PATTERN,
  message: 'targetGrant must be a role name (letters, digits, _ $ . @ -; at most 63 characters).',
};
/** What each type accepts as a mapping's target, and how a refusal says it. */
const TARGET_RULES: Record<ConnectorType, { pattern: RegExp; message: string }> = {
  postgresql: SQL_TARGET,
  mariadb: SQL_TARGET,
  redis: {
    pattern: REDIS_RULE_PATTERN,
    message: "targetGrant must be 'on' (enable the ACL user) or one '+@category'.",
  },
  ldap: { pattern: DN_PATTERN, message: 'targetGrant must be the DN of a groupOfNames.' },
  webhook: {
    pattern: WEBHOOK_TARGET_PATTERN,
    message: 'targetGrant must be a name the receiver knows (letters, digits, _ . : @ / + = -; at most 256).',
  },
  scim: {
    pattern: SCIM_GROUP_ID_PATTERN,
    message: "targetGrant must be the target's SCIM group id (letters, digits, . _ ~ : @ -; at most 256).",
  },
};

/** A mapping's target as the type accepts it. @throws ValidationError (`targetGrant`) */
export function checkTargetGrant(type: ConnectorType, target: string): string {
  const rule = TARGET_RULES[type];
  if (!rule.pattern.test(target) || hasControl(target))
    throw new ValidationError(rule.message, 'targetGrant');
  return target;
}

/** The login of a user in the target, or null when it makes no valid login there. */
export function loginOf(source: LoginSource, userPrincipalName: string): string | null {
  const login = source === 'userPrincipalName' ? userPrincipalName : (userPrincipalName.split('@')[0] ?? '');
  return SQL_NAME_PATTERN.test(login) ? login.toLowerCase() : null;
}

/**
 * An explicit login of one user in one connector's target (docs/connectors.md "Logins"): wins over
 * the login derived from the userPrincipalName, for directories whose account names do not follow
 * it. One login per user and one user per login in a connector.
 */
export interface ConnectorLogin {
  tenantId: string;
  connectorId: string;
  principalId: string;
  login: string;
  createdAt: number;
  modifiedAt: number;
}

export const MAX_LOGINS_PER_CONNECTOR = 10_000;

/**
 * An explicit login as Elevate stores and uses it: the same names a derived login may take
 * (letters, digits, `_ $ . @ -`, at most 63, not starting with a digit), lower-cased like derived
 * logins, so the target's list compares with one spelling. @throws ValidationError (`login`)
 */
export function checkLogin(login: string): string {
  if (!SQL_NAME_PATTERN.test(login))
    throw new ValidationError(
      'login must be a name of letters, digits, _ $ . @ - (at most 63 characters, not starting with a digit or sign).',
      'login',
    );
  return login.toLowerCase();
}

/** The login a user has in a connector's target: the explicit one, else the derived one (or null). */
export const loginFor = (
  source: LoginSource,
  explicit: ReadonlyMap<string, string>,
  principalId: string,
  userPrincipalName: string,
): string | null => explicit.get(principalId) ?? loginOf(source, userPrincipalName);

/** What the data key seals a connector's secret to: the connector and the secret's generation. */
export const connectorSecretContext = (id: string, generation: number): string =>
  `connector:${id}:${generation}`;
