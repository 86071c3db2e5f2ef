import type { AuditEntry } from '../audit/entry.js';
import type { CheckpointRecord } from '../audit/published.js';

/** Vendor, product and version in every CEF header. */
export interface CefProduct {
  vendor: string;
  product: string;
  version: string;
}

/** Header fields: `\` and `|` are escaped; line breaks are not allowed there and become spaces. */
export function cefHeader(value: string): string {
  return value.replace(/[\\|]/g, (c) => `\\${c}`).replace(/\r\n|[\r\n]/g, ' ');
}

/** Extension values: `\` and `=` are escaped, line breaks written as `\n` / `\r` (CEF rules). */
export function cefValue(value: string): string {
  return value
    .replace(/[\\=]/g, (c) => `\\${c}`)
    .replace(/\r\n|\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

/**
 * One audit entry as a CEF line (ArcSight Common Event Format 0). The signature id is the stable
 * code; severity 3 for success, 6 for a failed attempt. Custom fields carry the chain position, so
 * a SIEM can prove the record against the chain: cn1 = seq, cs1 = tenant, cs2 = hash.
 */
export function cefLine(entry: AuditEntry, p: CefProduct): string {
  const user = entry.initiatedBy.user;
  const app = entry.initiatedBy.app;
  const target = entry.targetResources[0];
  const ext: [string, string | number | null | undefined][] = [
    ['rt', entry.activityDateTime],
    ['externalId', entry.id],
    ['cat', entry.category],
    ['act', entry.activityDisplayName],
    ['outcome', entry.result],
    ['reason', entry.resultReason || null],
    ['suid', user?.id ?? app?.servicePrincipalId],
    ['suser', user?.userPrincipalName ?? app?.displayName],
    ['src', user?.ipAddress ?? app?.ipAddress],
    ['requestClientApplication', entry.userAgent],
    ['duid', target?.id],
    ['duser', target?.userPrincipalName ?? target?.displayName],
    ['cn1Label', 'seq'],
    ['cn1', entry.seq],
    ['cs1Label', 'tenantId'],
    ['cs1', entry.tenantId],
    ['cs2Label', 'hash'],
    ['cs2', entry.hash],
    ['cs3Label', 'justification'],
    ['cs3', entry.justification],
    ['cs4Label', 'ticket'],
    ['cs4', entry.ticket],
    ['cs5Label', 'correlationId'],
    ['cs5', entry.correlationId],
  ];
  const header = [
    'CEF:0',
    cefHeader(p.vendor),
    cefHeader(p.product),
    cefHeader(p.version),
    cefHeader(entry.code),
    cefHeader(entry.activityDisplayName),
    entry.result === 'failure' ? '6' : '3',
  ].join('|');
  return `${header}|${extension(ext)}`;
}

function extension(ext: [string, string | number | null | undefined][]): string {
  return ext
    .filter((kv): kv is [string, string | number] => kv[1] !== null && kv[1] !== undefined)
    .map(([k, v]) => `${k}=${cefValue(String(v))}`)
    .join(' ');
}

/** The signature id of a published checkpoint: not an audit entry's code, so rules can tell them apart. */
export const CHECKPOINT_CEF_SIGNATURE = 'audit.checkpoint';

/**
 * A signed checkpoint as a CEF line: cn1 = seq, cs1 = tenant, cs2 = head hash (as on entries, so
 * the checkpoint lines up with the entry it covers), cs3 = key id, cs4 = signature, cs5 = the
 * public key in one line (PEM line breaks as `\n`).
 */
export function cefCheckpointLine(r: CheckpointRecord, p: CefProduct): string {
  const header = [
    'CEF:0',
    cefHeader(p.vendor),
    cefHeader(p.product),
    cefHeader(p.version),
    CHECKPOINT_CEF_SIGNATURE,
    'Audit checkpoint signed',
    '1',
  ].join('|');
  return `${header}|${extension([
    ['rt', r.signedAt],
    ['cn1Label', 'seq'],
    ['cn1', r.seq],
    ['cs1Label', 'tenantId'],
    ['cs1', r.tenantId],
    ['cs2Label', 'headHash'],
    ['cs2', r.headHash],
    ['cs3Label', 'keyId'],
    ['cs3', r.keyId],
    ['cs4Label', 'signature'],
    ['cs4', r.signature],
    ['cs5Label', 'publicKey'],
    ['cs5', r.publicKey],
  ])}`;
}
