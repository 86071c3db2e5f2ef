import { parseNetwork } from '../domain/shared/address-policy.js';
import { addressListSetting } from './address-list.js';

/**
 * `ELEVATE_OUTBOUND_ALLOW_NETWORKS`: the non-public networks that URLs administrators configure
 * (webhooks, chat channels, decision hooks, Shared Signals receivers, webhook and SCIM connectors)
 * may reach, comma-separated addresses or CIDR networks. Empty (the default): public addresses only
 * (ADR 0052).
 */
export const outboundAllowNetworksSetting = addressListSetting((entry) => {
  try {
    parseNetwork(entry);
    return undefined;
  } catch (e) {
    return (e as Error).message.slice(0, 200);
  }
});
