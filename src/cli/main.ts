#!/usr/bin/env node
import { Command } from 'commander';
import { registerAuditCommands } from './audit.js';
import { registerReportCommands } from './report.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { systemClock } from '../domain/time/clock.js';
import { openDatabase } from '../store/db.js';
import { migrate, pendingMigrations } from '../store/migrator.js';

/** `elevate` — operator commands. Reads the same configuration as the server. */
const program = new Command()
  .name('elevate')
  .description('Elevate: self-hosted Privileged Identity Management. Operator commands.')
  .version('0.1.0');

program
  .command('migrate')
  .description('Apply pending database migrations (the server also does this at start).')
  .option('--status', 'only list pending migrations')
  .action(async (opts: { status?: boolean }) => {
    const config = loadConfig();
    const db = openDatabase(config.databaseUrl);
    try {
      if (opts.status) {
        const pending = await pendingMigrations(db);
        process.stdout.write(pending.length ? `pending: ${pending.join(', ')}\n` : 'up to date\n');
      } else {
        const applied = await migrate(db, { clock: systemClock });
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'up to date\n');
      }
    } finally {
      await db.close();
    }
  });

registerAuditCommands(program);
registerReportCommands(program);

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
