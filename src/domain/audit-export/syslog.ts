import type { AuditEntry } from '../audit/entry.js';
import type { CheckpointRecord } from '../audit/published.js';

/** RFC 5424 facility 13, "log audit": where audit records belong. */
export const SYSLOG_FACILITY_LOG_AUDIT = 13;
const SEVERITY_WARNING = 4;
const SEVERITY_INFO = 6;

/**
 * The SD-ID of Elevate's structured data. 32473 is the private enterprise number IANA reserves
 * for examples (RFC 5612); operators who own a number can keep this one, receivers match the name.
 */
export const SYSLOG_SD_ID = 'elevate@32473';

export interface SyslogHeader {
  /** HOSTNAME field; `-` when unknown. */
  hostname: string;
  /** APP-NAME field. */
  appName: string;
}

/** `<PRI>`: facility × 8 + severity; a failed attempt is a warning, everything else informational. */
export function syslogPri(entry: Pick<AuditEntry, 'result'>): number {
  return SYSLOG_FACILITY_LOG_AUDIT * 8 + (entry.result === 'failure' ? SEVERITY_WARNING : SEVERITY_INFO);
}

/** Header fields are PRINTUSASCII without spaces, bounded (RFC 5424 §6); empty becomes NILVALUE. */
export function headerToken(value: string | null, maxLength: number): string {
  const printable = (value ?? '').replace(/[^\x21-\x7e]/g, '_').slice(0, maxLength);
  return printable === '' ? '-' : printable;
}

/** PARAM-VALUE escaping (RFC 5424 §6.3.3): `"`, `\` and `]` get a backslash. */
export function sdParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/**
 * One audit entry as an RFC 5424 message (without transport framing):
 * `<PRI>1 TIMESTAMP HOSTNAME elevate - MSGID [elevate@32473 seq tenant hash] MSG`, where MSGID is
 * the entry's stable code and MSG is the given body (the entry's JSON or its CEF line).
 */
export function syslogMessage(entry: AuditEntry, body: string, header: SyslogHeader): string {
  const sd =
    `[${SYSLOG_SD_ID} seq="${entry.seq}" tenant="${sdParamValue(entry.tenantId)}"` +
    ` hash="${sdParamValue(entry.hash)}" id="${sdParamValue(entry.id)}"]`;
  return [
    `<${syslogPri(entry)}>1`,
    new Date(entry.activityDateTime).toISOString(),
    headerToken(header.hostname, 255),
    headerToken(header.appName, 48),
    '-',
    headerToken(entry.code, 32),
    sd,
    body,
  ].join(' ');
}

/** RFC 6587 §3.4.1 octet-counting: `MSG-LEN SP SYSLOG-MSG`, the length in UTF-8 bytes. */
export function octetCounted(message: string): string {
  return `${Buffer.byteLength(message, 'utf8')} ${message}`;
}

/** MSGID of a published checkpoint. */
export const CHECKPOINT_MSGID = 'audit.checkpoint';

/**
 * A signed checkpoint as an RFC 5424 message: MSGID `audit.checkpoint`, informational, and
 * `[elevate@32473 seq tenant hash type="checkpoint" keyId]` so receivers can tell it from an entry
 * by structured data alone; MSG is the body (the checkpoint record's JSON, or its CEF line).
 */
export function syslogCheckpointMessage(r: CheckpointRecord, body: string, header: SyslogHeader): string {
  const sd =
    `[${SYSLOG_SD_ID} seq="${r.seq}" tenant="${sdParamValue(r.tenantId)}"` +
    ` hash="${sdParamValue(r.headHash)}" type="checkpoint" keyId="${sdParamValue(r.keyId)}"]`;
  return [
    `<${SYSLOG_FACILITY_LOG_AUDIT * 8 + SEVERITY_INFO}>1`,
    new Date(r.signedAt).toISOString(),
    headerToken(header.hostname, 255),
    headerToken(header.appName, 48),
    '-',
    CHECKPOINT_MSGID,
    sd,
    body,
  ].join(' ');
}
