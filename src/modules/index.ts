import type { Services } from '../http/services.js';
import type { StoreBinder } from '../store/unit-of-work.js';
import { accessReviewsModule } from './access-reviews.js';
import { administrativeUnitsModule } from './administrative-units.js';
import { alertsModule } from './alerts.js';
import { auditExportModule } from './audit-export.js';
import { auditModule } from './audit.js';
import { authenticationContextsModule } from './authentication-contexts.js';
import { authzenModule } from './authzen.js';
import { complianceModule } from './compliance.js';
import { connectorsModule } from './connectors.js';
import { decisionHooksModule } from './decision-hooks.js';
import { directoryModule } from './directory.js';
import type { FeatureModule, RouteMount } from './feature-module.js';
import { federationModule } from './federation.js';
import type { Kernel } from './kernel.js';
import { notificationsModule } from './notifications.js';
import { pimModule } from './pim.js';
import { policiesModule } from './policies.js';
import { resourcesModule } from './resources.js';
import { rolesModule } from './roles.js';
import { scimModule } from './scim.js';
import { signInModule } from './sign-in.js';
import { ssfModule } from './ssf.js';

/** Every feature of Elevate, in the order their routes are mounted (and listed in OpenAPI). */
export const MODULES = [
  directoryModule,
  administrativeUnitsModule,
  rolesModule,
  auditModule,
  policiesModule,
  authenticationContextsModule,
  pimModule,
  complianceModule,
  auditExportModule,
  signInModule,
  authzenModule,
  federationModule,
  notificationsModule,
  alertsModule,
  decisionHooksModule,
  accessReviewsModule,
  connectorsModule,
  resourcesModule,
  scimModule,
  ssfModule,
] as const satisfies readonly FeatureModule[];

type Modules = (typeof MODULES)[number];
type ServicesOf<M> = M extends { services: (k: Kernel) => infer S } ? S : Record<never, never>;
type Intersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** What the modules' services add up to; the compiler checks it is every feature service the edge uses. */
type FeatureServices = Intersection<ServicesOf<Modules>>;

/** Builds every module's use cases into the edge's `Services` (with the kernel's own two). */
export function featureServices(kernel: Kernel, core: Pick<Services, 'authenticate' | 'ready'>): Services {
  const built: FeatureServices = Object.assign(
    {},
    ...MODULES.map((m) => ('services' in m ? m.services(kernel) : {})),
  ) as FeatureServices;
  return Object.assign(built, core) satisfies Services;
}

/** Every module's routes, in order. */
export const FEATURE_ROUTES: readonly RouteMount[] = MODULES.flatMap((m) => ('routes' in m ? m.routes : []));

/** Every module's store binder (the kernel's stores are always bound). */
export const FEATURE_STORES: readonly StoreBinder[] = MODULES.flatMap((m) =>
  'stores' in m ? [m.stores] : [],
);
