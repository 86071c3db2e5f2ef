import { pino, type DestinationStream, type Logger } from 'pino';

/** Paths of logged objects that never reach the log in clear. */
export const LOG_REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.client_secret',
  '*.clientSecret',
  '*.password',
  '*.secretText',
  '*.access_token',
  '*.refresh_token',
];

/** Query parameters whose values are bearer secrets when a client puts them in a URL. */
const SECRET_PARAMETERS = new Set([
  'access_token',
  'id_token',
  'refresh_token',
  'code',
  'device_code',
  'user_code',
  'client_secret',
  'client_assertion',
  'assertion',
  'password',
  'token',
]);

/**
 * A request URL as the log may keep it: the values of secret-bearing query parameters
 * (`?access_token=…`) replaced by `[redacted]`. Clients should never send tokens in URLs; when
 * one does, the token must still not end up in log files and SIEMs.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // a malformed name is logged as sent; it names no secret we know
      }
      return eq !== -1 && SECRET_PARAMETERS.has(name.toLowerCase()) ? `${rawName}=[redacted]` : pair;
    });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  socket?: { remoteAddress?: string; remotePort?: number };
}

/** Elevate's logger: secrets redacted in objects and in request URLs. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: LOG_REDACT, censor: '[redacted]' },
      serializers: {
        req: (req: LoggedRequest) => ({
          method: req.method,
          url: redactUrl(req.url ?? ''),
          host: req.headers?.host,
          remoteAddress: req.socket?.remoteAddress,
        }),
      },
    },
    destination,
  );
}
