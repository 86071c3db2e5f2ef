import { makeAccessEvaluation } from '../app/authzen/evaluate.js';
import { authzenRoutes } from '../http/routes/authzen.js';
import type { FeatureModule } from './feature-module.js';

declare module '../http/services.js' {
  interface Services {
    /** AuthZEN access evaluation over live state. */
    accessEvaluation: ReturnType<typeof makeAccessEvaluation>;
  }
}

/** The enforcement API: AuthZEN Access Evaluation for target systems. */
export const authzenModule = {
  name: 'authzen',
  services: (k) => ({ accessEvaluation: makeAccessEvaluation(k) }),
  routes: [{ plugin: authzenRoutes }],
} satisfies FeatureModule;
