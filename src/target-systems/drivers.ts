import type { TargetSystemFactory } from '../app/connectors/ports.js';
import type { ConnectorSettings, ConnectorType } from '../domain/connectors/connector.js';
import { ldapTarget } from './ldap.js';
import { mariadbTarget } from './mariadb.js';
import { postgresqlTarget } from './postgresql.js';
import { redisTarget } from './redis.js';

/** One driver per connector type; a missing type does not compile. */
const DRIVERS: {
  [T in ConnectorType]: (s: ConnectorSettings, secret: string | null) => ReturnType<TargetSystemFactory>;
} = {
  postgresql: postgresqlTarget,
  mariadb: mariadbTarget,
  redis: redisTarget,
  ldap: ldapTarget,
};

/** Opens the target system of a connector (ADR 0030). */
export const openTargetSystem: TargetSystemFactory = (type, settings, secret) =>
  DRIVERS[type](settings, secret);
