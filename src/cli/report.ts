import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { makeAuditLog } from '../app/audit/audit-log.js';
import { makeComplianceReport } from '../app/compliance/compliance-report.js';
import { renderComplianceHtml } from '../app/compliance/report-html.js';
import { loadConfig } from '../config/load.js';
import { systemClock } from '../domain/time/clock.js';
import { auditKeyring } from '../store/audit/audit-keyring.js';
import { exportCursorStore } from '../store/audit/audit-export-store.js';
import { openDatabase } from '../store/db.js';
import type { SecretBox } from '../store/secret-box.js';
import { createUnitOfWork } from '../modules/unit-of-work.js';
import type { CliRun } from './cli-run.js';

/** Verification only reads public keys; a report never signs, so it needs no data key. */
const NO_SECRETS: SecretBox = {
  seal: () => {
    throw new Error('the compliance report does not sign');
  },
  open: () => {
    throw new Error('the compliance report does not sign');
  },
};

/** `elevate report compliance`. */
export function registerReportCommands(program: Command, run: CliRun): void {
  const report = program.command('report').description('Evidence reports.');
  report
    .command('compliance')
    .description(
      'Evaluate the PIM validation checklist (pass/fail with evidence); exits 1 when a check fails.',
    )
    .option('--tenant <id>', 'the tenant (default: the first one provisioned)')
    .option('--format <format>', 'json or html', 'json')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (opts: { tenant?: string; format: string; out?: string }) => {
      if (opts.format !== 'json' && opts.format !== 'html') throw new Error('--format must be json or html');
      const config = loadConfig(run.env);
      const db = openDatabase(config.databaseUrl);
      try {
        const uow = createUnitOfWork(db);
        const audit = makeAuditLog({ uow, clock: systemClock, keyring: auditKeyring(db.kysely, NO_SECRETS) });
        const reporter = makeComplianceReport({
          uow,
          clock: systemClock,
          audit,
          cursors: exportCursorStore(db.kysely),
          destinations: config.auditForward.map((d) => ({
            id: d.id,
            type: d.type === 'file' ? 'file' : `syslog-${d.transport}`,
          })),
          breakGlassGroupId: config.breakGlassGroupId ?? null,
        });
        const tenantId = opts.tenant?.toLowerCase() ?? (await uow.run((tx) => tx.tenants.first()))?.id;
        if (!tenantId) throw new Error('no tenant: start Elevate once to bootstrap it');
        const r = await reporter.forTenant(tenantId);
        const body = opts.format === 'html' ? renderComplianceHtml(r) : `${JSON.stringify(r, null, 2)}\n`;
        if (opts.out) writeFileSync(opts.out, body);
        else run.stdout.write(body);
        if (r.summary.failed > 0 || !r.auditChain.verified) run.exitCode = 1;
      } finally {
        await db.close();
      }
    });
}
