import type { Command } from 'commander';
import type { ClientRun } from '../client-run.js';
import { clientComplianceReport, type ClientCheck, type ClientComplianceReport } from '../compliance.js';
import { clientCommand, contextOf, type CommonOptions } from '../context.js';
import { ClientError, EXIT } from '../exit-codes.js';
import { keyValues, paint, table, type Output } from '../output.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ComplianceOptions extends CommonOptions {
  format?: string;
  breakGlass?: string[];
}

const STATUS_TEXT: Record<ClientCheck['status'], string> = {
  pass: 'pass',
  fail: 'FAIL',
  notEvaluated: 'not evaluated',
};

function statusCell(out: Output, status: ClientCheck['status']): string {
  const style = status === 'pass' ? 'green' : status === 'fail' ? 'red' : 'yellow';
  return paint(out, style, STATUS_TEXT[status]);
}

/** A table for a terminal: one row per check, then the totals. */
function text(out: Output, r: ClientComplianceReport): string {
  return [
    keyValues(out, [
      ['server', r.server],
      ['tenant', r.tenantId ?? '(unknown)'],
      ['generated', r.generatedDateTime],
      ['privileged roles', `${r.privilegedRoleCount} (${r.privilegedRolesFrom})`],
    ]),
    '',
    table(
      out,
      [
        ['status', 'STATUS'],
        ['id', 'CHECK'],
        ['summary', 'SUMMARY'],
      ],
      r.items.map((i) => ({ status: statusCell(out, i.status), id: i.id, summary: i.summary })),
      'no checks',
    ),
    '',
    `${r.summary.passed} passed, ${r.summary.failed} failed, ${r.summary.notEvaluated} not evaluated (of ${r.summary.total})`,
  ].join('\n');
}

/** Markdown for a pull request, a ticket or a wiki page: every cell escaped for a table. */
function markdown(r: ClientComplianceReport): string {
  const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  return [
    '# PIM compliance report',
    '',
    `- Server: ${cell(r.server)}`,
    `- Tenant: ${cell(r.tenantId ?? '(unknown)')}`,
    `- Generated: ${r.generatedDateTime}`,
    `- Privileged roles: ${r.privilegedRoleCount} (${r.privilegedRolesFrom})`,
    `- Result: ${r.summary.passed} passed, ${r.summary.failed} failed, ${r.summary.notEvaluated} not evaluated (of ${r.summary.total})`,
    '',
    '| Status | Check | Summary | Controls |',
    '|---|---|---|---|',
    ...r.items.map(
      (i) =>
        `| ${STATUS_TEXT[i.status]} | ${cell(i.title)} (\`${i.id}\`) | ${cell(i.summary)} | ${cell(
          [...i.controls.soc2, ...i.controls.iso27001, ...i.controls.nist80053].join(', '),
        )} |`,
    ),
    '',
  ].join('\n');
}

/** `elevate compliance`: the checklist over Graph reads, for Elevate or a Microsoft Entra tenant. */
export function registerComplianceCommand(program: Command, run: ClientRun): void {
  clientCommand(
    program,
    'compliance',
    'The PIM compliance checklist computed from Graph reads (Elevate or Microsoft Entra); exits 10 when a check fails.',
  )
    .option('--format <format>', 'text (default) or md (Markdown); --json for JSON')
    .option(
      '--break-glass <ids...>',
      'object ids of break-glass accounts: exempt from "no permanent privileged assignments" (Graph does not mark them)',
    )
    .addHelpText(
      'after',
      '\nChecks whose data Graph cannot supply are "not evaluated", with the reason; they never pass.\nExit codes: 0 every evaluated check passes, 10 at least one check fails (others: `elevate --help`).',
    )
    .action(async (opts: ComplianceOptions) => {
      const format = opts.format ?? 'text';
      if (format !== 'text' && format !== 'md')
        throw new ClientError(`--format must be text or md, not "${format}"`, EXIT.usage);
      if (opts.json && opts.format !== undefined)
        throw new ClientError('--json and --format exclude each other', EXIT.usage);
      const breakGlass = (opts.breakGlass ?? []).map((id) => id.toLowerCase());
      const bad = breakGlass.find((id) => !GUID.test(id));
      if (bad !== undefined)
        throw new ClientError(`--break-glass takes object ids, not "${bad}"`, EXIT.usage);
      const ctx = contextOf(run, opts);
      const report = await clientComplianceReport(ctx.graph(), ctx.now(), breakGlass);
      if (ctx.out.json) ctx.out.printJson(report);
      else ctx.out.print(format === 'md' ? markdown(report) : text(ctx.out, report));
      if (report.summary.failed > 0) run.exitCode = EXIT.checkFailed;
    });
}
