// The Audit page's filters as Graph's `$filter` over directoryAudits (no DOM: tests import it).

export interface AuditFilters {
  activity: string;
  result: string;
  from: string;
  to: string;
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The `$filter` for the filters set (dates are whole days, UTC). */
export function auditFilter(f: AuditFilters): string | undefined {
  const parts = [
    f.activity.trim() ? `activityDisplayName eq ${quote(f.activity.trim())}` : '',
    f.result ? `result eq ${quote(f.result)}` : '',
    f.from ? `activityDateTime ge ${f.from}T00:00:00Z` : '',
    f.to ? `activityDateTime le ${f.to}T23:59:59Z` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' and ') : undefined;
}
