import type { AuditEntry } from '../audit/entry.js';
import { checkpointRecordLine, type CheckpointRecord } from '../audit/published.js';
import { cefCheckpointLine, cefLine, type CefProduct } from './cef.js';
import { syslogCheckpointMessage, syslogMessage } from './syslog.js';

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

/**
 * A published checkpoint in the chosen format: JSON is the checkpoint record (its `type` tells it
 * from an entry line), CEF a line with signature id `audit.checkpoint`.
 */
export function checkpointBody(r: CheckpointRecord, format: ExportFormat): string {
  return format === 'cef' ? cefCheckpointLine(r, ELEVATE_CEF_PRODUCT) : checkpointRecordLine(r);
}

/** A published checkpoint as an RFC 5424 message whose MSG is the body. */
export function syslogCheckpointRecord(r: CheckpointRecord, format: ExportFormat, hostname: string): string {
  return syslogCheckpointMessage(r, checkpointBody(r, format), { hostname, appName: 'elevate' });
}
