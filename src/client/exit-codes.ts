/**
 * The exit codes of the `elevate` client commands: scripts and CI branch on them, so they are
 * stable and documented (docs/cli.md, `elevate --help`).
 */
export const EXIT = {
  ok: 0,
  general: 1,
  usage: 2,
  authentication: 3,
  notFound: 4,
  refused: 5,
  approvalEnded: 6,
  unreachable: 7,
  drift: 8,
  stalePlan: 9,
  checkFailed: 10,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** One row per code, for `--help` and docs/cli.md. */
export const EXIT_CODE_TABLE: readonly (readonly [ExitCode, string])[] = [
  [EXIT.ok, 'success'],
  [EXIT.general, 'any other failure (the server answered with an error not listed below)'],
  [EXIT.usage, 'usage: unknown command or option, a missing or malformed argument, an unreadable file'],
  [EXIT.authentication, 'not signed in, the sign-in expired or was refused (run `elevate login`)'],
  [EXIT.notFound, 'not found: an unknown role, request, user or approval (or one you may not see)'],
  [EXIT.refused, 'refused: role policy or permissions do not allow it (403, policy validation)'],
  [EXIT.approvalEnded, 'the approval ended without a grant: denied, canceled, timed out, failed'],
  [EXIT.unreachable, 'the server could not be reached'],
  [EXIT.drift, '`plan`: the live state differs from the file (changes to apply, or undeclared assignments)'],
  [
    EXIT.stalePlan,
    '`apply --plan-hash`: the plan changed since (the server or the file changed); run `plan` again',
  ],
  [EXIT.checkFailed, '`compliance`: at least one check failed (checks not evaluated do not count)'],
];

/** A failure the CLI reports as one line on standard error, with its exit code. */
export class ClientError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

/** The exit code table as `--help` prints it. */
export function exitCodeHelp(): string {
  return ['Exit codes:', ...EXIT_CODE_TABLE.map(([code, text]) => `  ${code}  ${text}`)].join('\n');
}
