import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { expect } from 'vitest';
import type { CliRun } from './cli-process.js';

const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
ajv.addSchema(
  JSON.parse(
    readFileSync(new URL('../../../docs/cli/output.schema.json', import.meta.url), 'utf8'),
  ) as object,
  'cli',
);

/**
 * A command that succeeded: its `--json` output, checked against its definition in
 * docs/cli/output.schema.json (exit code 0, and the schema's errors in the message otherwise).
 */
export function cliOutput(run: CliRun, definition: string): unknown {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  const value: unknown = JSON.parse(run.stdout);
  const valid = ajv.validate({ $ref: `cli#/definitions/${definition}` }, value);
  expect(valid, `${definition}: ${ajv.errorsText()}\n${run.stdout}`).toBe(true);
  return value;
}

/** A failure: the documented code, one line on stderr, nothing on stdout, no stack trace. */
export function cliFailure(run: CliRun, code: number, message: RegExp): void {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(code);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}
