import { makeScimClients } from '../app/scim/scim-clients.js';
import { makeScimGroups } from '../app/scim/scim-groups.js';
import { makeScimUsers } from '../app/scim/scim-users.js';
import { scimClientRoutes } from '../http/routes/scim-clients.js';
import { scimRoutes } from '../http/scim/scim-routes.js';
import { scimStores } from '../store/scim/scim-store.js';
import type { FeatureModule } from './feature-module.js';

declare module '../http/services.js' {
  interface Services {
    /** Provisioning clients and the authentication of `/scim/v2` (ADR 0038). */
    scimClients: ReturnType<typeof makeScimClients>;
    /** SCIM 2.0 users: the directory's, provisioned by an identity provider. */
    scimUsers: ReturnType<typeof makeScimUsers>;
    /** SCIM 2.0 groups and their members. */
    scimGroups: ReturnType<typeof makeScimGroups>;
  }
}

/**
 * SCIM 2.0 provisioning in (ADR 0038, docs/scim.md): the provisioning clients' API under
 * `/v1.0/elevate/scimClients`, and the SCIM service provider at `/scim/v2` over the directory.
 */
export const scimModule = {
  name: 'scim',
  stores: scimStores,
  services: (k) => {
    const deps = { uow: k.uow, clock: k.clock, newId: k.newId };
    return {
      scimClients: makeScimClients(deps),
      scimUsers: makeScimUsers(deps),
      scimGroups: makeScimGroups(deps),
    };
  },
  routes: [
    { plugin: scimClientRoutes, prefix: '/v1.0' },
    { plugin: scimRoutes, prefix: '/scim/v2' },
  ],
} satisfies FeatureModule;
