import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import type { AuditLog, CheckpointExport } from '../app/audit/audit-log.js';
import { loadConfig } from '../config/load.js';
import { openOperator } from '../modules/operator.js';
import { registerAuditExportCommand } from './audit-export.js';
import type { CliRun } from './cli-run.js';

const checkpointExport = z.object({
  format: z.literal('elevate.audit.checkpoints.v1'),
  publicKeys: z.array(
    z.object({ keyId: z.string().max(100), alg: z.literal('Ed25519'), publicKey: z.string().max(1000) }),
  ),
  checkpoints: z.array(
    z.object({
      tenantId: z.string().max(100),
      seq: z.number().int().positive(),
      headHash: z.string().max(128),
      signedAt: z.number().int(),
      keyId: z.string().max(100),
      signature: z.string().max(200),
    }),
  ),
});

/** The audit log over the configured database (see `openOperator`: no data key unless signing). */
function openAuditLog(run: CliRun) {
  const operator = openOperator(loadConfig(run.env));
  return { db: operator, log: operator.audit };
}

async function tenantsOf(log: AuditLog, only?: string, extra: string[] = []) {
  if (only !== undefined) return [only.toLowerCase()];
  return [...new Set([...(await log.tenants()), ...extra])].sort();
}

/** `elevate audit verify|checkpoint|export-checkpoints`. */
export function registerAuditCommands(program: Command, run: CliRun): void {
  const audit = program.command('audit').description('Verify and checkpoint the tamper-evident audit log.');

  audit
    .command('verify')
    .description(
      "Recompute each tenant's hash chain and check its signed checkpoints; exits 1 naming the first bad seq.",
    )
    .option('--tenant <id>', 'only this tenant')
    .option('--checkpoints <file>', 'also check checkpoints exported earlier and kept elsewhere')
    .option('--json', 'print the results as JSON')
    .action(async (opts: { tenant?: string; checkpoints?: string; json?: boolean }) => {
      const external: CheckpointExport | undefined = opts.checkpoints
        ? checkpointExport.parse(JSON.parse(readFileSync(opts.checkpoints, 'utf8')))
        : undefined;
      const { db, log } = openAuditLog(run);
      try {
        const tenants = await tenantsOf(
          log,
          opts.tenant,
          external?.checkpoints.map((cp) => cp.tenantId),
        );
        let broken = false;
        const results = [];
        for (const tenantId of tenants) {
          const result = await log.verifyTenant(tenantId, external);
          results.push({ tenantId, ...result });
          if (!result.ok) broken = true;
          if (opts.json) continue;
          run.stdout.write(
            result.ok
              ? `tenant ${tenantId}: ok, ${result.count} entries, ${result.checkpoints} checkpoints, head ${result.headHash}\n`
              : `tenant ${tenantId}: BROKEN at seq ${result.firstBadSeq} (${result.reason}): ${result.message}\n`,
          );
        }
        if (opts.json) run.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
        if (tenants.length === 0 && !opts.json) run.stdout.write('no audit chains\n');
        if (broken) run.exitCode = 1;
      } finally {
        await db.close();
      }
    });

  audit
    .command('checkpoint')
    .description("Sign a checkpoint of each tenant's chain head (after verifying it since the last one).")
    .option('--tenant <id>', 'only this tenant')
    .action(async (opts: { tenant?: string }) => {
      const { db, log } = openAuditLog(run);
      try {
        for (const tenantId of await tenantsOf(log, opts.tenant)) {
          try {
            const cp = await log.checkpoint(tenantId);
            run.stdout.write(
              cp
                ? `tenant ${tenantId}: checkpoint at seq ${cp.seq}, head ${cp.headHash}, key ${cp.keyId}\n`
                : `tenant ${tenantId}: no new entries since the last checkpoint\n`,
            );
          } catch (e) {
            run.stderr.write(`tenant ${tenantId}: ${e instanceof Error ? e.message : String(e)}\n`);
            run.exitCode = 1;
          }
        }
      } finally {
        await db.close();
      }
    });

  registerAuditExportCommand(audit, run);

  audit
    .command('export-checkpoints')
    .description('Write every signed checkpoint and its public key as JSON, to keep outside the database.')
    .option('--tenant <id>', 'only this tenant')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (opts: { tenant?: string; out?: string }) => {
      const { db, log } = openAuditLog(run);
      try {
        const body = `${JSON.stringify(await log.exportCheckpoints(await tenantsOf(log, opts.tenant)), null, 2)}\n`;
        if (opts.out) writeFileSync(opts.out, body);
        else run.stdout.write(body);
      } finally {
        await db.close();
      }
    });
}
