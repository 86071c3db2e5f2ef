import { isIP } from 'node:net';
import { addressListSetting } from './address-list.js';

/** Ranges proxy-addr (Fastify's `trustProxy`) knows by name. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An IPv4/IPv6 address, a CIDR range of one (`10.0.0.0/8`, `fd00::/8`), or a named range. */
function isAddressOrRange(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = '', prefix, extra] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
}

/**
 * `ELEVATE_TRUSTED_PROXIES`: the reverse proxies and load balancers in front of Elevate, whose
 * `X-Forwarded-For` (and `-Proto`, `-Host`) Fastify believes, comma-separated. Empty (the default)
 * trusts none: the client address is the TCP peer, whatever headers it sends.
 */
export const trustedProxiesSetting = addressListSetting((entry) =>
  isAddressOrRange(entry) ? undefined : `not an IP address or CIDR range: ${entry.slice(0, 64)}`,
);
