import type { Command } from 'commander';
import type { ClientRun } from './client-run.js';
import { registerAdminCommands } from './commands/admin.js';
import { registerApprovalCommands } from './commands/approvals.js';
import { registerCompletionCommand } from './commands/completion.js';
import { registerComplianceCommand } from './commands/compliance.js';
import { registerConfigAsCodeCommands } from './commands/config-as-code.js';
import { registerMcpCommand } from './commands/mcp.js';
import { registerPimCommands } from './commands/pim.js';
import { registerPolicySetCommand } from './commands/policy-set.js';
import { registerReviewCommands } from './commands/reviews.js';
import { registerSessionCommands } from './commands/session.js';

/**
 * Adds the client commands to the `elevate` program: they talk to an Elevate server over its
 * public Graph API only, like any other client (ADR: HTTP-only client commands).
 */
export function registerClientCommands(program: Command, run: ClientRun): void {
  registerSessionCommands(program, run);
  registerPimCommands(program, run);
  registerApprovalCommands(program, run);
  registerAdminCommands(program, run);
  registerPolicySetCommand(program, run);
  registerReviewCommands(program, run);
  registerConfigAsCodeCommands(program, run);
  registerMcpCommand(program, run);
  registerComplianceCommand(program, run);
  registerCompletionCommand(program, run);
}

export { ClientError, EXIT, exitCodeHelp } from './exit-codes.js';
