import { makeAdministrativeUnits } from '../app/administrative-units/administrative-units.js';
import { administrativeUnitRoutes } from '../http/routes/administrative-units.js';
import { administrativeUnitStores } from '../store/administrative-units/administrative-unit-store.js';
import type { FeatureModule } from './feature-module.js';

declare module '../http/services.js' {
  interface Services {
    /** Administrative units: directory-role scopes over their members (ADR 0042). */
    administrativeUnits: ReturnType<typeof makeAdministrativeUnits>;
  }
}

/**
 * Administrative units and their members. A directory role held at `/administrativeUnits/{id}`
 * reaches the unit's members only: AuthZEN's directory permissions and Elevate's own user
 * updates and password resets read them (ADR 0042).
 */
export const administrativeUnitsModule = {
  name: 'administrativeUnits',
  stores: administrativeUnitStores,
  services: (k) => ({
    administrativeUnits: makeAdministrativeUnits({ uow: k.uow, clock: k.clock, newId: k.newId }),
  }),
  routes: [{ plugin: administrativeUnitRoutes, prefix: '/v1.0' }],
} satisfies FeatureModule;
