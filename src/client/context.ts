import { Command } from 'commander';
import type { ClientRun } from './client-run.js';
import { Graph } from './graph.js';
import { outputOf, type Output } from './output.js';

/** Options every client command takes. */
export interface CommonOptions {
  profile?: string;
  json?: boolean;
}

/** What a client command works with. */
export interface Context {
  readonly run: ClientRun;
  readonly out: Output;
  readonly profile: string | undefined;
  /** Opens the signed-in profile (fails with exit code 3 when there is none). */
  graph: () => Graph;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export function contextOf(run: ClientRun, opts: CommonOptions): Context {
  let graph: Graph | undefined;
  return {
    run,
    out: outputOf(run, opts.json),
    profile: opts.profile,
    graph: () => (graph ??= Graph.open(run.env, opts.profile, Date.now)),
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/** A subcommand with the options every client command takes (`--profile`, `--json`). */
export function clientCommand(parent: Command, nameAndArgs: string, description: string): Command {
  return parent
    .command(nameAndArgs)
    .description(description)
    .option('-p, --profile <name>', 'the sign-in to use (default: $ELEVATE_PROFILE or "default")')
    .option('--json', 'print the result as JSON (schemas: docs/cli/output.schema.json)');
}
