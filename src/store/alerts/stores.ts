import type { StoreBinder } from '../unit-of-work.js';
import { alertFacts } from './alert-facts.js';
import { alertStore } from './alert-store.js';
import { breakGlassStore } from './break-glass-store.js';
import './rows.js';

/** The alert stores (see `app/alerts/ports.ts`). */
export const alertStores: StoreBinder = (db) => ({
  alerts: alertStore(db),
  alertFacts: alertFacts(db),
  breakGlass: breakGlassStore(db),
});
