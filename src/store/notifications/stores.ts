import type { StoreBinder } from '../unit-of-work.js';
import { approvalLinkUseStore, notificationChannelStore } from './channel-store.js';
import { notificationDeliveryStore } from './delivery-store.js';
import { notificationDirectory } from './directory-queries.js';
import './rows.js';

/** The notification stores (see `app/notifications/ports.ts`). */
export const notificationStores: StoreBinder = (db) => ({
  notificationChannels: notificationChannelStore(db),
  notificationDeliveries: notificationDeliveryStore(db),
  notificationDirectory: notificationDirectory(db),
  approvalLinkUses: approvalLinkUseStore(db),
});
