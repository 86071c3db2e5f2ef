import type { AuditDraft } from './entry.js';

/**
 * One `audit_targets` row: a distinct target id of an entry, for `targetResources/any(…)`. `type`
 * is a `TargetType` when written, but read back as whatever text the row holds.
 */
export interface IndexedTarget {
  id: string;
  type: string;
  displayName: string | null;
}

/**
 * The query columns of an entry: everything the store keeps beside the payload so that Graph
 * filters and orderings run in SQL (`audit_entries` columns and the `audit_targets` rows). They are
 * a function of the entry alone, so verification can tell an edited column from a genuine one.
 */
export interface AuditIndex {
  id: string;
  activityAt: number;
  code: string;
  category: string;
  activityDisplayName: string;
  operationType: string;
  loggedByService: string;
  result: string;
  initiatedByUserId: string | null;
  initiatedByUpn: string | null;
  initiatedByAppId: string | null;
  correlationId: string | null;
  targets: IndexedTarget[];
}

/**
 * Text as the database keeps it: both SQLite and PostgreSQL store UTF-8, so a lone UTF-16
 * surrogate comes back as U+FFFD. Columns are derived in that form, so that what was written and
 * what is read back agree.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const stored = (s: string): string => s.replace(LONE_SURROGATE, '\uFFFD');
const storedOrNull = (s: string | null | undefined): string | null =>
  s === null || s === undefined ? null : stored(s);

/** The query columns an entry gets: one target row per distinct non-null target id, first wins. */
export function auditIndex(entry: AuditDraft): AuditIndex {
  const seen = new Set<string>();
  const targets: IndexedTarget[] = [];
  for (const t of entry.targetResources) {
    if (t.id === null) continue;
    const id = stored(t.id);
    if (seen.has(id)) continue;
    seen.add(id);
    targets.push({ id, type: stored(t.type), displayName: storedOrNull(t.displayName) });
  }
  return {
    id: stored(entry.id),
    activityAt: entry.activityDateTime,
    code: stored(entry.code),
    category: stored(entry.category),
    activityDisplayName: stored(entry.activityDisplayName),
    operationType: stored(entry.operationType),
    loggedByService: stored(entry.loggedByService),
    result: stored(entry.result),
    initiatedByUserId: storedOrNull(entry.initiatedBy.user?.id),
    initiatedByUpn: storedOrNull(entry.initiatedBy.user?.userPrincipalName),
    initiatedByAppId: storedOrNull(entry.initiatedBy.app?.appId),
    correlationId: storedOrNull(entry.correlationId),
    targets,
  };
}

/** The `audit_entries` query columns, in {@link indexText} order. */
export const ENTRY_INDEX_COLUMNS = [
  'id',
  'activity_at',
  'code',
  'category',
  'activity_display_name',
  'operation_type',
  'logged_by_service',
  'result',
  'initiated_by_user_id',
  'initiated_by_upn',
  'initiated_by_app_id',
  'correlation_id',
] as const;

/**
 * One field of the index text: every `|` in a value written `|:`, null written `|!`, fields joined
 * by `|;`. A `|` is always followed by one of `:`, `!` or `;`, so the text splits back into exactly
 * the fields it was made of: no two different column lists give the same text, and an edit cannot
 * hide by moving characters from one column into the next. The store builds the same text in SQL
 * (`replace`, `coalesce` and `||` mean the same on SQLite and PostgreSQL), so a verified row costs
 * one string, not one per column.
 */
export function indexField(value: string | number | null): string {
  if (value === null) return NULL_FIELD;
  if (typeof value === 'number') return String(value);
  return value.replaceAll('|', '|:');
}

/** Separator of index fields, and the field text of a null column (see {@link indexField}). */
export const FIELD_SEPARATOR = '|;';
export const NULL_FIELD = '|!';

/** One target row as index text: id, type and display name. */
export const targetIndexText = (t: IndexedTarget): string =>
  [t.id, t.type, t.displayName].map(indexField).join(FIELD_SEPARATOR);

const entryFields = (ix: AuditIndex): (string | number | null)[] => [
  ix.id,
  ix.activityAt,
  ix.code,
  ix.category,
  ix.activityDisplayName,
  ix.operationType,
  ix.loggedByService,
  ix.result,
  ix.initiatedByUserId,
  ix.initiatedByUpn,
  ix.initiatedByAppId,
  ix.correlationId,
];

/**
 * The index text of an entry's columns as `entryText` (the twelve `audit_entries` fields) and its
 * target rows' texts, sorted, so the order rows come back in never matters.
 */
export function joinIndexText(entryText: string, targetTexts: string[]): string {
  if (targetTexts.length === 0) return entryText;
  if (targetTexts.length === 1) return `${entryText}${FIELD_SEPARATOR}${targetTexts[0]!}`;
  return `${entryText}${FIELD_SEPARATOR}${targetTexts.sort().join(FIELD_SEPARATOR)}`;
}

/**
 * The query columns as one line of text: the `audit_entries` fields in {@link ENTRY_INDEX_COLUMNS}
 * order, then each target row's three fields, all joined by `|;`. Chain format 2 hashes it after
 * the payload (see `hash.ts`).
 */
export function indexText(ix: AuditIndex): string {
  return joinIndexText(
    entryFields(ix).map(indexField).join(FIELD_SEPARATOR),
    ix.targets.map(targetIndexText),
  );
}

/** Splits index text back into its fields (`|:` resolved; `|!` as null). */
function fields(text: string): (string | null)[] {
  const out: (string | null)[] = [];
  let current = '';
  let isNull = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (c !== '|') {
      current += c;
      continue;
    }
    const next = text[(i += 1)];
    if (next === ':') current += '|';
    else if (next === '!') isNull = true;
    else {
      out.push(isNull ? null : current);
      current = '';
      isNull = false;
    }
  }
  out.push(isNull ? null : current);
  return out;
}

/** The columns whose stored values differ from the ones an entry's own content gives. */
export function indexMismatch(storedText: string, derived: AuditIndex): string[] {
  const have = fields(storedText);
  const want = fields(indexText(derived));
  const count = ENTRY_INDEX_COLUMNS.length;
  const columns: string[] = ENTRY_INDEX_COLUMNS.filter((_name, i) => have[i] !== want[i]);
  const targets = (f: (string | null)[]) => JSON.stringify(f.slice(count));
  if (targets(have) !== targets(want)) columns.push('audit_targets');
  return columns;
}
