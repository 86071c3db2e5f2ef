/**
 * A worker thread of {@link chainSpanVerifier}: opens the database again (its own connection),
 * and checks each range of one tenant's chain it is sent with `spanChecker`, reading the range in
 * batches as the sequential verifier does. Replies with the verified span, or with none when the
 * range has anything wrong in it (the main thread then verifies it in sequence to name the problem).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { spanChecker, type SeqRange } from '../../domain/audit/span.js';
import { openDatabase } from '../db.js';
import { readChain } from './chain-records.js';
import type { SpanReply, SpanRequest, SpanWorkerData } from './chain-spans.js';

const data = workerData as SpanWorkerData;
// Two connections on PostgreSQL: the next batch is read while this thread hashes the current one.
const db = openDatabase(data.url, { ...data.options, pgPoolSize: 2 });

async function check(range: SeqRange) {
  const checker = spanChecker(range, data.marks);
  const read = (after: number) =>
    readChain(db.kysely, data.tenantId, after, Math.min(data.batchSize, range.throughSeq - after));
  let pending = read(range.fromSeq - 1);
  for (;;) {
    const rows = await pending;
    const last = rows.at(-1);
    const more = last !== undefined && last.seq < range.throughSeq;
    if (more) pending = read(last.seq);
    if (!rows.every((r) => checker.add(r)) || !more) {
      if (more) await pending.catch(() => undefined);
      break;
    }
  }
  return checker.finish();
}

parentPort!.on('message', (request: SpanRequest) => {
  if (request.close) {
    void db.close().finally(() => parentPort!.close());
    return;
  }
  check(request).then(
    (span) =>
      parentPort!.postMessage({
        index: request.index,
        ...(span ? { span: { ...span, marks: [...span.marks] } } : {}),
      } satisfies SpanReply),
    (err: unknown) =>
      parentPort!.postMessage({
        index: request.index,
        error: err instanceof Error ? err.message : String(err),
      } satisfies SpanReply),
  );
});
