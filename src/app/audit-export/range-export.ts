import type { AuditEntry } from '../../domain/audit/entry.js';
import { entryFromPayload } from '../../domain/audit/hash.js';
import { csvHeader, csvRecord } from '../../domain/audit-export/csv.js';
import { jsonLine } from '../../domain/audit-export/format.js';
import type { Clock } from '../../domain/time/clock.js';
import { AUDIT_RULES } from '../../domain/audit/permissions.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import type { UnitOfWork } from '../ports.js';
import type { ChainReader } from './ports.js';

export type RangeFormat = 'jsonl' | 'csv';

export interface RangeQuery {
  /** Inclusive start, epoch ms. */
  fromMs: number;
  /** Exclusive end, epoch ms. */
  toMs: number;
  format: RangeFormat;
}

const BATCH = 1_000;

/**
 * On-demand export of one tenant's audit entries whose time lies in `[from, to)`, in seq order, as
 * JSON lines or CSV. Streams in batches (each its own short read), so a year of audit never sits
 * in memory; the caller writes the chunks to a file or an HTTP response.
 */
export function makeRangeExport(deps: {
  uow: UnitOfWork;
  clock: Clock;
  chains: Pick<ChainReader, 'between'>;
}) {
  async function* entries(tenantId: string, q: RangeQuery): AsyncGenerator<AuditEntry> {
    let after = 0;
    for (;;) {
      const rows = await deps.chains.between(tenantId, q.fromMs, q.toMs, after, BATCH);
      for (const r of rows) yield entryFromPayload(r.payload, r.prevHash, r.hash);
      const last = rows.at(-1);
      if (!last || rows.length < BATCH) return;
      after = last.seq;
    }
  }

  /** Lines (each ending in a line break): CSV has a header and CRLF endings (RFC 4180). */
  async function* lines(tenantId: string, q: RangeQuery): AsyncGenerator<string> {
    if (q.format === 'csv') yield `${csvHeader()}\r\n`;
    for await (const e of entries(tenantId, q))
      yield q.format === 'csv' ? `${csvRecord(e)}\r\n` : `${jsonLine(e)}\n`;
  }

  return {
    lines,
    /** `GET /v1.0/auditLogs/export`: authorized like reading the audit log, before the first byte. */
    async forCaller(caller: Caller, q: RangeQuery): Promise<AsyncGenerator<string>> {
      await deps.uow.run((tx) => authorize(tx, caller, AUDIT_RULES.read, deps.clock.now()));
      return lines(caller.tenantId, q);
    },
  };
}

export type RangeExport = ReturnType<typeof makeRangeExport>;
