import { Command, CommanderError } from 'commander';
import { ClientError, EXIT, exitCodeHelp, registerClientCommands } from '../client/program.js';
import { ConfigError } from '../config/load.js';
import { registerAuditCommands } from './audit.js';
import type { CliRun } from './cli-run.js';
import { openConfiguredOperator } from './operator.js';
import { registerReportCommands } from './report.js';

/**
 * `elevate` — client commands, which talk to a server over its Graph API only (src/client/), and
 * server-side commands, which read the same configuration as the server and open its database.
 */
function program(run: CliRun): Command {
  // Output and exits go through `run` before any subcommand is added: subcommands copy these.
  const program = new Command()
    .name('elevate')
    .description(
      'Elevate: self-hosted Privileged Identity Management.\n\n' +
        'Client commands (login, roles, activate, approvals, export/plan/apply, mcp, …) talk to an Elevate server over its API\n' +
        '(Graph; Azure Resource Manager for resource roles).\n' +
        "Server-side commands (serve, migrate, audit, report) read the server's configuration and database.",
    )
    .version('0.1.0')
    .configureOutput({
      writeOut: (text) => run.stdout.write(text),
      writeErr: (text) => run.stderr.write(text),
    })
    .addHelpText('after', `\n${exitCodeHelp()}\n\nDocumentation: docs/cli.md`)
    .exitOverride();

  registerClientCommands(program, run);

  program
    .command('serve')
    .description('Start the server (as `npm start` does), configured by ELEVATE_* variables.')
    .action(async () => {
      // The server module starts on import and runs until SIGTERM/SIGINT.
      await import('../main.js');
    });

  program
    .command('migrate')
    .description('Apply pending database migrations (the server also does this at start).')
    .option('--status', 'only list pending migrations')
    .action(async (opts: { status?: boolean }) => {
      const operator = await openConfiguredOperator(run.env);
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
 * code (the table in docs/cli.md): 0, 1 when a command fails or reports a failure, 2 on a usage
 * error or invalid configuration, 3–7 for the client commands' documented failures. Never exits
 * the process, so tests can call it in-process; `main.ts` is the bin around it. Errors are one line
 * on standard error, never a stack trace.
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
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT.usage;
    run.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof ClientError) return err.exitCode;
    return err instanceof ConfigError ? EXIT.usage : EXIT.general;
  }
}
