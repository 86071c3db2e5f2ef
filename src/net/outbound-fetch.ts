import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { addressPolicy, refusalMessage, type AddressPolicy } from '../domain/shared/address-policy.js';

/** What the outbound calls send: a method, headers, a body, a signal; redirects never followed. */
export interface OutboundRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** The part of an answer the outbound calls read. */
export interface OutboundResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
}

/** `fetch` for administrator-configured URLs, guarded by an address policy (ADR 0052). */
export type OutboundFetch = (url: string, init: OutboundRequest) => Promise<OutboundResponse>;

/** The error of a call refused before any connection: the URL's host is not one Elevate may call. */
export class OutboundAddressRefused extends Error {
  override readonly name = 'OutboundAddressRefused';
}

/**
 * A DNS lookup that refuses a name when any address it resolves to is refused: the check happens
 * on the addresses the connection then uses, so a name that resolves to a public address when a
 * URL is saved and to an internal one when it is called (DNS rebinding) is still refused.
 */
function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.find((a) => !policy.allows(a.address));
      if (refused !== undefined) {
        const e = new OutboundAddressRefused(refusalMessage(hostname, refused.address));
        return callback(Object.assign(e, { code: 'EREFUSEDADDRESS' }), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

/**
 * The outbound `fetch`: addresses are checked by `policy` (by default only public ones pass) on
 * the host of the URL when it is an IP address and on every address a name resolves to, at
 * connect time; redirects are never followed (the caller sees the 3xx). A refusal is thrown as
 * `OutboundAddressRefused` (or as the `cause` of undici's `TypeError` when found at connect time).
 */
export function outboundFetch(o: { allowNetworks?: readonly string[] } = {}): OutboundFetch {
  const policy = addressPolicy(o.allowNetworks);
  const dispatcher = new Agent({ connect: { lookup: guardedLookup(policy) } });
  return async (url, init) => {
    const host = hostnameOf(url);
    if (host !== undefined && isIP(host) !== 0) {
      if (!policy.allows(host)) throw new OutboundAddressRefused(refusalMessage(host, host));
    }
    return undiciFetch(url, { ...init, redirect: 'manual', dispatcher });
  };
}

/** The host of a URL without IPv6 brackets, or undefined for a URL that does not parse. */
function hostnameOf(url: string): string | undefined {
  try {
    const h = new URL(url).hostname;
    return h.startsWith('[') ? h.slice(1, -1) : h;
  } catch {
    return undefined;
  }
}
