import { ValidationError } from '../shared/errors.js';

/**
 * OpenID Shared Signals Framework 1.0 (SSF) with CAEP 1.0 events (ADR 0040, docs/ssf.md): the
 * names, limits and checks of Elevate's transmitter. Pure: no I/O.
 */

/** RFC 8935 push delivery: the only delivery method Elevate's transmitter offers. */
export const PUSH_DELIVERY = 'urn:ietf:rfc:8935';

export const CAEP_SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
export const CAEP_TOKEN_CLAIMS_CHANGE =
  'https://schemas.openid.net/secevent/caep/event-type/token-claims-change';
/** SSF's verification event: sent on request, whatever the stream asked for. */
export const SSF_VERIFICATION = 'https://schemas.openid.net/secevent/ssf/event-type/verification';

/** The event types a receiver may ask for. */
export const SUPPORTED_EVENTS = [CAEP_SESSION_REVOKED, CAEP_TOKEN_CLAIMS_CHANGE] as const;
export type SupportedEvent = (typeof SUPPORTED_EVENTS)[number];
export type SetEventType = SupportedEvent | typeof SSF_VERIFICATION;

export const STREAM_STATUSES = ['enabled', 'paused', 'disabled'] as const;
export type StreamStatus = (typeof STREAM_STATUSES)[number];

/** Limits that keep one tenant's streams and their rows small. */
export const MAX_STREAMS_PER_TENANT = 20;
export const MAX_ENDPOINT_URL_LENGTH = 2048;
export const MAX_AUDIENCE_LENGTH = 512;
export const MAX_DESCRIPTION_LENGTH = 512;
export const MAX_REASON_LENGTH = 512;
export const MAX_STATE_LENGTH = 512;
export const MAX_AUTHORIZATION_HEADER_LENGTH = 4096;
/** At most one verification event per stream in this many seconds (SSF `min_verification_interval`). */
export const MIN_VERIFICATION_INTERVAL_S = 10;

/** A receiver's stream as stored: its authorization header sealed (never returned). */
export interface Stream {
  id: string;
  tenantId: string;
  /** The SETs' `aud`: who the receiver is. */
  audience: string;
  endpointUrl: string;
  /** Sealed `Authorization` header value Elevate sends with each push; null for none. */
  sealedAuthorization: string | null;
  eventsRequested: string[];
  description: string | null;
  status: StreamStatus;
  statusReason: string | null;
  /** When the last verification event was asked for (epoch ms), or null. */
  verifiedAt: number | null;
  createdAt: number;
  modifiedAt: number;
  version: number;
}

/** The sealing context of a stream's authorization header: a sealed value copied to another row does not open. */
export const streamAuthorizationContext = (id: string) => `ssf-stream-authorization:${id}`;

/** `events_delivered`: what the stream asked for that Elevate sends (SSF §8.1.1). */
export const eventsDelivered = (requested: readonly string[]): SupportedEvent[] =>
  SUPPORTED_EVENTS.filter((e) => requested.includes(e));

/**
 * Checks the receiver's endpoint: an absolute `https://` URL (`http://` only where the operator
 * allowed it), a host, no credentials, no fragment. @throws ValidationError
 */
export function checkEndpointUrl(url: string, allowHttp: boolean): string {
  const bad = (why: string) => new ValidationError(`delivery.endpoint_url ${why}`, 'delivery.endpoint_url');
  if (url.length > MAX_ENDPOINT_URL_LENGTH)
    throw bad(`must be at most ${MAX_ENDPOINT_URL_LENGTH} characters.`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad('must be an absolute https:// URL.');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw bad('must be an https:// URL.');
  if (parsed.protocol === 'http:' && !allowHttp)
    throw bad(
      'must use https://; plain http:// is accepted only when the operator allows it (ELEVATE_SSF_ALLOW_HTTP).',
    );
  if (parsed.hostname === '') throw bad('must name a host.');
  if (parsed.username !== '' || parsed.password !== '')
    throw bad('must not carry a user name or password; use delivery.authorization_header.');
  if (parsed.hash !== '') throw bad('must not have a fragment (#…).');
  return parsed.toString();
}

/**
 * Checks `events_requested`: known event types only, each once; an empty list is allowed (the
 * stream then receives nothing but verification events). @throws ValidationError
 */
export function checkEventsRequested(events: readonly string[]): string[] {
  const unknown = events.filter((e) => !(SUPPORTED_EVENTS as readonly string[]).includes(e));
  if (unknown.length > 0)
    throw new ValidationError(
      `events_requested names event types this transmitter does not support: ${unknown.slice(0, 3).join(', ')}. Supported: ${SUPPORTED_EVENTS.join(', ')}.`,
      'events_requested',
    );
  return [...new Set(events)];
}

/** One line: no control characters (a header value with CR LF would inject headers). */
// eslint-disable-next-line no-control-regex
export const ONE_LINE_PATTERN = /^[^\u0000-\u001f\u007f]*$/;

/** Checks a one-line text value (description, reason, audience). @throws ValidationError */
export function checkLine(value: string, name: string, max: number): string {
  if (value.length > max) throw new ValidationError(`${name} must be at most ${max} characters.`, name);
  if (!ONE_LINE_PATTERN.test(value))
    throw new ValidationError(`${name} must be one line without control characters.`, name);
  return value;
}
