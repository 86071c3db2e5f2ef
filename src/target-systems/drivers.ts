import type { TargetSystemFactory } from '../app/connectors/ports.js';
import type { ConnectorSettings, ConnectorType } from '../domain/connectors/connector.js';
import { ldapTarget } from './ldap.js';
import { mariadbTarget } from './mariadb.js';
import { postgresqlTarget } from './postgresql.js';
import { redisTarget } from './redis.js';
import { scimTarget } from './scim.js';
import { webhookTarget } from './webhook.js';
import type { OutboundFetch } from '../net/outbound-fetch.js';

/** One driver per connector type; a missing type does not compile. */
const DRIVERS: {
  [T in ConnectorType]: (
    s: ConnectorSettings,
    secret: string | null,
    fetch: OutboundFetch,
  ) => ReturnType<TargetSystemFactory>;
} = {
  postgresql: postgresqlTarget,
  mariadb: mariadbTarget,
  redis: redisTarget,
  ldap: ldapTarget,
  webhook: webhookTarget,
  scim: scimTarget,
};

/**
 * Opens the target system of a connector (ADR 0030); HTTP targets (webhook, SCIM) call out through
 * `fetch`, the address-guarded one (ADR 0052). Database and directory targets connect to the host
 * their administrator names: they are internal systems by nature.
 */
export const targetSystems =
  (fetch: OutboundFetch): TargetSystemFactory =>
  (type, settings, secret) =>
    DRIVERS[type](settings, secret, fetch);
