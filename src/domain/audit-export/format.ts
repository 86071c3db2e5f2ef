import type { AuditEntry } from '../audit/entry.js';
import { cefLine, type CefProduct } from './cef.js';
import { syslogMessage } from './syslog.js';

/** What a destination receives per entry. */
export type ExportFormat = 'json' | 'cef';

/** The entry as one line of JSON (its Graph-like fields plus the chain fields), no line breaks. */
export const jsonLine = (entry: AuditEntry): string => JSON.stringify(entry);

export const ELEVATE_CEF_PRODUCT: CefProduct = {
  vendor: 'Elevate',
  product: 'Elevate PIM',
  version: '0.1.0',
};

/** The record body in the chosen format. */
export function recordBody(entry: AuditEntry, format: ExportFormat): string {
  return format === 'cef' ? cefLine(entry, ELEVATE_CEF_PRODUCT) : jsonLine(entry);
}

/** The record wrapped as an RFC 5424 message whose MSG is the body. */
export function syslogRecord(entry: AuditEntry, format: ExportFormat, hostname: string): string {
  return syslogMessage(entry, recordBody(entry, format), { hostname, appName: 'elevate' });
}
