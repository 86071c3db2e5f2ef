import type { AuditEntry } from '../audit/entry.js';

/** Columns of the CSV export, in order. */
export const CSV_COLUMNS = [
  'seq',
  'id',
  'activityDateTime',
  'code',
  'activityDisplayName',
  'category',
  'operationType',
  'result',
  'resultReason',
  'initiatedByUserId',
  'initiatedByUserPrincipalName',
  'initiatedByAppId',
  'initiatedByDisplayName',
  'ipAddress',
  'targetIds',
  'targetDisplayNames',
  'justification',
  'ticket',
  'correlationId',
  'prevHash',
  'hash',
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled. A
 * value a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading `'`,
 * so opening an export never executes text an attacker put in a display name.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvHeader = (): string => CSV_COLUMNS.join(',');

/** The entry as one CSV record (CRLF is added by the writer). Several targets are joined by `;`. */
export function csvRecord(e: AuditEntry): string {
  const user = e.initiatedBy.user;
  const app = e.initiatedBy.app;
  const values: (string | number | null)[] = [
    e.seq,
    e.id,
    new Date(e.activityDateTime).toISOString(),
    e.code,
    e.activityDisplayName,
    e.category,
    e.operationType,
    e.result,
    e.resultReason,
    user?.id ?? null,
    user?.userPrincipalName ?? null,
    app?.appId ?? null,
    user?.displayName ?? app?.displayName ?? null,
    user?.ipAddress ?? app?.ipAddress ?? null,
    e.targetResources.map((t) => t.id ?? '').join(';'),
    e.targetResources.map((t) => t.displayName ?? '').join(';'),
    e.justification,
    e.ticket,
    e.correlationId,
    e.prevHash,
    e.hash,
  ];
  return values.map(csvField).join(',');
}
