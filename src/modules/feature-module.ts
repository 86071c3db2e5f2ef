import type { RouteMount } from '../http/build-options.js';
import type { Services } from '../http/services.js';
import type { StoreBinder } from '../store/unit-of-work.js';
import type { Kernel } from './kernel.js';

/** One route plugin of a feature and where it is mounted (`/v1.0` is also served as `/beta`). */
export type { RouteMount };

/**
 * A feature, declared once: the stores it adds to the unit of work (its `ports.ts` augments
 * `Stores`), the use cases it offers the edge (its module file augments `Services`), and its
 * routes. The composition root iterates `MODULES` (`./index.ts`): adding a feature is its own
 * folders plus one line there.
 */
export interface FeatureModule {
  name: string;
  stores?: StoreBinder;
  services?: (kernel: Kernel) => Partial<Services>;
  routes?: readonly RouteMount[];
}
