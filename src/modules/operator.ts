import { makeAuditLog, VERIFY_BATCH_SIZE, type AuditLog } from '../app/audit/audit-log.js';
import { makeRangeExport, type RangeExport } from '../app/audit-export/range-export.js';
import { makeComplianceReport, type ComplianceReporter } from '../app/compliance/compliance-report.js';
import type { UnitOfWork } from '../app/ports.js';
import { resolveDataKey } from '../config/data-key.js';
import type { Config } from '../config/schema.js';
import { systemClock } from '../domain/time/clock.js';
import { chainReader, exportCursorStore } from '../store/audit/audit-export-store.js';
import { auditKeyring } from '../store/audit/audit-keyring.js';
import { chainSpanVerifier } from '../store/audit/chain-spans.js';
import { checkpointPublicationStore } from '../store/audit/publication-store.js';
import { openDatabase } from '../store/db.js';
import { migrate, pendingMigrations } from '../store/migrator.js';
import { createSecretBox, type SecretBox } from '../store/secret-box.js';
import { reportedDestinations } from './compliance.js';
import { createUnitOfWork } from './unit-of-work.js';

/** What the operator CLI works with: the same use cases the server runs, over the configured database. */
export interface Operator {
  uow: UnitOfWork;
  audit: AuditLog;
  rangeExport: RangeExport;
  compliance: ComplianceReporter;
  /** Applies pending migrations; returns their names. */
  migrate(): Promise<string[]>;
  pendingMigrations(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Opens Elevate's use cases for an operator command (the CLI's composition root, beside the
 * server's `createElevate`). The data key is resolved only when something is sealed or opened
 * (signing a checkpoint), so `audit verify` and reports need no secret and never create a key file.
 */
export function openOperator(config: Config): Operator {
  const db = openDatabase(config.databaseUrl);
  let box: SecretBox | undefined;
  const lazyBox: SecretBox = {
    seal: (text, context) => (box ??= createSecretBox(resolveDataKey(config).key)).seal(text, context),
    open: (text, context) => (box ??= createSecretBox(resolveDataKey(config).key)).open(text, context),
    derive: (label) => (box ??= createSecretBox(resolveDataKey(config).key)).derive(label),
  };
  const uow = createUnitOfWork(db);
  // `audit verify` checks long chains in parallel spans, one worker thread per core
  // (docs/adr/0047-parallel-audit-verification.md); an in-memory database has none.
  const spans = chainSpanVerifier(db, { batchSize: VERIFY_BATCH_SIZE });
  const audit = makeAuditLog({
    uow,
    clock: systemClock,
    keyring: auditKeyring(db.kysely, lazyBox),
    publication: checkpointPublicationStore(db.kysely),
    ...(spans ? { spans } : {}),
  });
  return {
    uow,
    audit,
    rangeExport: makeRangeExport({ uow, clock: systemClock, chains: chainReader(db.kysely) }),
    compliance: makeComplianceReport({
      uow,
      clock: systemClock,
      audit,
      cursors: exportCursorStore(db.kysely),
      destinations: reportedDestinations(config.auditForward),
      breakGlassGroupId: config.breakGlassGroupId ?? null,
    }),
    migrate: () => migrate(db, { clock: systemClock }),
    pendingMigrations: () => pendingMigrations(db),
    close: () => db.close(),
  };
}
