import { BlockList, isIP } from 'node:net';

/**
 * Which addresses an administrator-configured URL (a webhook, a chat channel, a decision hook, a
 * Shared Signals receiver, a webhook or SCIM connector, an HTTP audit sink) may reach (ADR 0052).
 *
 * Every address that is not on the public internet is refused unless the operator lists its
 * network: loopback, private (RFC 1918, unique-local), link-local (where clouds answer instance
 * metadata with credentials), shared carrier space, documentation, benchmarking, multicast and
 * reserved ranges. Otherwise anyone allowed to configure a URL could make Elevate call services
 * that trust its network position (server-side request forgery), and read their answers back
 * through delivery errors and connector status.
 */
export interface AddressPolicy {
  /** Whether `address` (an IP address; anything else is refused) may be called. */
  allows(address: string): boolean;
}

/** The operator's setting that allows networks, named in every refusal. */
export const ALLOW_NETWORKS_SETTING = 'ELEVATE_OUTBOUND_ALLOW_NETWORKS';

const NOT_PUBLIC_V4: [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud instance metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

const NOT_PUBLIC_V6: [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some stacks)
  ['ff00::', 8], // multicast
];

const notPublic = new BlockList();
for (const [net, prefix] of NOT_PUBLIC_V4) notPublic.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of NOT_PUBLIC_V6) notPublic.addSubnet(net, prefix, 'ipv6');

/**
 * The IPv4 address an IPv6 address carries, where it is only a way of writing one: IPv4-mapped
 * (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`) and 6to4
 * (`2002:AABB:CCDD::/48`). Each reaches the IPv4 address, so it is judged as that address.
 */
export function embeddedIpv4(address: string): string | undefined {
  const words = ipv6Words(address);
  if (words === undefined) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (zeros(0, 5) && words[5] === 0xffff) return v4(words[6]!, words[7]!);
  if (zeros(0, 6) && (words[6] !== 0 || words[7]! > 1)) return v4(words[6]!, words[7]!);
  if (words[0] === 0x64 && words[1] === 0xff9b && zeros(2, 6)) return v4(words[6]!, words[7]!);
  if (words[0] === 0x2002) return v4(words[1]!, words[2]!);
  return undefined;
}

/** The eight 16-bit words of an IPv6 address (a trailing dotted IPv4 part allowed), or undefined. */
function ipv6Words(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address.toLowerCase().split('%')[0]!;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const part = (s: string | undefined) => (s === undefined || s === '' ? [] : s.split(':'));
  const left = part(head);
  const right = part(tail);
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  const words = [...left, ...fill, ...right].map((w) => parseInt(w, 16));
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff)
    ? words
    : undefined;
}

/** One allowed network as the operator writes it: an address or `address/prefix`. */
export function parseNetwork(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [address = '', prefixText, extra] = text.trim().split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined)
    throw new Error(`"${text}" is not an IP address or a network such as 10.0.0.0/8 or fd00::/8`);
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? String(max)) || prefix > max)
    throw new Error(`"${text}": the prefix length must be a whole number from 0 to ${max}`);
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * The policy: public addresses pass; others only inside one of `allowNetworks` (addresses or CIDR
 * networks, e.g. `10.0.0.0/8`, `127.0.0.1`, `fd00::/8`).
 * @throws Error naming the first network that is not one.
 */
export function addressPolicy(allowNetworks: readonly string[] = []): AddressPolicy {
  const allowed = new BlockList();
  for (const text of allowNetworks) {
    const n = parseNetwork(text);
    allowed.addSubnet(n.address, n.prefix, n.family);
  }
  const judge = (address: string, family: 'ipv4' | 'ipv6'): boolean =>
    allowed.check(address, family) || !notPublic.check(address, family);
  return {
    allows(address) {
      const version = isIP(address);
      if (version === 0) return false;
      const bare = address.split('%')[0]!;
      if (version === 4) return judge(bare, 'ipv4');
      const v4 = embeddedIpv4(bare);
      // An IPv6 spelling of an IPv4 address is allowed when the operator lists either spelling.
      return v4 === undefined ? judge(bare, 'ipv6') : allowed.check(bare, 'ipv6') || judge(v4, 'ipv4');
    },
  };
}

/** Why a call to `address` (reached through `host`) is refused, for the delivery error. */
export function refusalMessage(host: string, address: string): string {
  const what = host === address ? address : `${host} resolves to ${address}, which`;
  return `${what} is not a public address (loopback, private, link-local or reserved); the operator allows such networks with ${ALLOW_NETWORKS_SETTING}`;
}
