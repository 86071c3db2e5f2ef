import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { renderComplianceHtml } from '../app/compliance/report-html.js';
import type { CliRun } from './cli-run.js';
import { openConfiguredOperator } from './operator.js';

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
      const operator = await openConfiguredOperator(run.env);
      try {
        const tenantId =
          opts.tenant?.toLowerCase() ?? (await operator.uow.run((tx) => tx.tenants.first()))?.id;
        if (!tenantId) throw new Error('no tenant: start Elevate once to bootstrap it');
        const r = await operator.compliance.forTenant(tenantId);
        const body = opts.format === 'html' ? renderComplianceHtml(r) : `${JSON.stringify(r, null, 2)}\n`;
        if (opts.out) writeFileSync(opts.out, body);
        else run.stdout.write(body);
        if (r.summary.failed > 0 || !r.auditChain.verified) run.exitCode = 1;
      } finally {
        await operator.close();
      }
    });
}
