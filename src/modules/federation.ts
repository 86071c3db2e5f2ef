import { federationStores } from '../store/federation/stores.js';
import type { FeatureModule } from './feature-module.js';

/**
 * Trusted external issuers: links from their subjects to directory users. Their sign-in pages and
 * token checks belong to the authorization server (`identity/federation/`), wired by the kernel.
 */
export const federationModule = {
  name: 'federation',
  stores: federationStores,
} satisfies FeatureModule;
