import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import type { CliRun } from './cli-run.js';
import { openConfiguredOperator } from './operator.js';

function parseTime(option: string, value: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms))
    throw new Error(`${option} must be an ISO 8601 date or date-time, got ${JSON.stringify(value)}`);
  return ms;
}

/** `elevate audit export --from --to [--format jsonl|csv] [--tenant] [--out]`. */
export function registerAuditExportCommand(audit: Command, run: CliRun): void {
  audit
    .command('export')
    .description('Write the audit entries of [from, to) in seq order as JSON lines or CSV.')
    .requiredOption('--from <time>', 'start, inclusive (ISO 8601, e.g. 2026-01-01 or 2026-01-01T00:00:00Z)')
    .requiredOption('--to <time>', 'end, exclusive (ISO 8601)')
    .option('--format <format>', 'jsonl or csv', 'jsonl')
    .option('--tenant <id>', 'the tenant (default: the first one provisioned)')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (opts: { from: string; to: string; format: string; tenant?: string; out?: string }) => {
      if (opts.format !== 'jsonl' && opts.format !== 'csv') throw new Error('--format must be jsonl or csv');
      const fromMs = parseTime('--from', opts.from);
      const toMs = parseTime('--to', opts.to);
      if (toMs <= fromMs) throw new Error('--to must be after --from');
      const operator = await openConfiguredOperator(run.env);
      try {
        const tenantId =
          opts.tenant?.toLowerCase() ?? (await operator.uow.run((tx) => tx.tenants.first()))?.id;
        if (!tenantId) throw new Error('no tenant: start Elevate once to bootstrap it');
        const out = opts.out ? createWriteStream(opts.out) : run.stdout;
        for await (const line of operator.rangeExport.lines(tenantId, {
          fromMs,
          toMs,
          format: opts.format,
        })) {
          if (!out.write(line)) await once(out, 'drain');
        }
        if (opts.out) {
          out.end();
          await once(out, 'finish');
        }
      } finally {
        await operator.close();
      }
    });
}
