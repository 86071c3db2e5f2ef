import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config/load.js';
import { openOperator } from '../modules/operator.js';
import { registerAuditCommands } from './audit.js';
import type { CliRun } from './cli-run.js';
import { registerReportCommands } from './report.js';

/** `elevate` — operator commands. Reads the same configuration as the server. */
function program(run: CliRun): Command {
  // Output and exits go through `run` before any subcommand is added: subcommands copy these.
  const program = new Command()
    .name('elevate')
    .description('Elevate: self-hosted Privileged Identity Management. Operator commands.')
    .version('0.1.0')
    .configureOutput({
      writeOut: (text) => run.stdout.write(text),
      writeErr: (text) => run.stderr.write(text),
    })
    .exitOverride();

  program
    .command('migrate')
    .description('Apply pending database migrations (the server also does this at start).')
    .option('--status', 'only list pending migrations')
    .action(async (opts: { status?: boolean }) => {
      const operator = openOperator(loadConfig(run.env));
      try {
        if (opts.status) {
          const pending = await operator.pendingMigrations();
          run.stdout.write(pending.length ? `pending: ${pending.join(', ')}\n` : 'up to date\n');
        } else {
          const applied = await operator.migrate();
          run.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'up to date\n');
        }
      } finally {
        await operator.close();
      }
    });

  registerAuditCommands(program, run);
  registerReportCommands(program, run);
  return program;
}

/**
 * Runs one `elevate` command line (without the node and script arguments) and resolves to its exit
 * code: 0, 1 when a command fails or reports a failure, 2 on invalid configuration. Never exits the
 * process, so tests can call it in-process; `main.ts` is the bin around it.
 */
export async function runCli(
  argv: readonly string[],
  io: Pick<CliRun, 'stdout' | 'stderr' | 'env'>,
): Promise<number> {
  const run: CliRun = { ...io, exitCode: 0 };
  try {
    await program(run).parseAsync([...argv], { from: 'user' });
    return run.exitCode;
  } catch (err) {
    // Commander has already printed its own errors, help and version; it only names the code.
    if (err instanceof CommanderError) return err.exitCode;
    run.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof ConfigError ? 2 : 1;
  }
}
