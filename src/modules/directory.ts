import { makeGroups } from '../app/directory/groups.js';
import { makeServicePrincipals } from '../app/directory/service-principals.js';
import { makeUsers } from '../app/directory/users.js';
import { groupRoutes } from '../http/routes/groups.js';
import { servicePrincipalRoutes } from '../http/routes/service-principals.js';
import { userRoutes } from '../http/routes/users.js';
import type { FeatureModule } from './feature-module.js';

declare module '../http/services.js' {
  interface Services {
    users: ReturnType<typeof makeUsers>;
    groups: ReturnType<typeof makeGroups>;
    servicePrincipals: ReturnType<typeof makeServicePrincipals>;
  }
}

/** Users, groups (and members), service principals (and their secrets): Graph's directory. */
export const directoryModule = {
  name: 'directory',
  services: (k) => ({
    users: makeUsers({ uow: k.uow, clock: k.clock, newId: k.newId, hasher: k.hasher }),
    groups: makeGroups(k),
    servicePrincipals: makeServicePrincipals(k),
  }),
  routes: [
    { plugin: userRoutes, prefix: '/v1.0' },
    { plugin: groupRoutes, prefix: '/v1.0' },
    { plugin: servicePrincipalRoutes, prefix: '/v1.0' },
  ],
} satisfies FeatureModule;
