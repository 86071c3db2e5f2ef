import { encodeSkipToken } from './skip-token.js';

const PAGING_OPTIONS = new Set(['$skip', '$skiptoken']);

const optionName = (pair: string): string => {
  const key = pair.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(key.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return key.toLowerCase();
  }
};

/**
 * The absolute `@odata.nextLink` for the page that starts at `nextOffset`: the request's path and
 * query options as sent, with `$skip` dropped and `$skiptoken` set (the token carries the absolute
 * offset). `baseUrl` comes from configuration, so a forged Host header cannot redirect clients.
 * @param requestUrl the request target as received, e.g. `/v1.0/roleManagement/…?$top=5`; only its
 *   path and query are used
 * @param baseUrl the public URL the server is reached at, e.g. `https://pim.example.com`, or with a
 *   path prefix added by a reverse proxy, e.g. `https://example.com/pim`
 */
export function nextLink(requestUrl: string, baseUrl: string, nextOffset: number): string {
  const url = new URL(requestUrl, 'http://request.invalid');
  const base = new URL(baseUrl);
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !PAGING_OPTIONS.has(optionName(pair)));
  kept.push(`$skiptoken=${encodeSkipToken(nextOffset)}`);
  return `${base.origin}${base.pathname.replace(/\/+$/, '')}${url.pathname}?${kept.join('&')}`;
}
