import type { StoreBinder } from '../unit-of-work.js';
import { approvalStepStore } from './approval-store.js';
import { scheduleRequestStore } from './request-store.js';
import { scheduleStore } from './schedule-store.js';

/** PIM's stores (see `app/pim/ports.ts`). */
export const pimStores: StoreBinder = (db) => ({
  scheduleRequests: scheduleRequestStore(db),
  schedules: scheduleStore(db),
  approvalSteps: approvalStepStore(db),
});
