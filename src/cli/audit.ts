import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { z } from 'zod';
import { publishedCopyOfExport, type AuditLog, type PublishedCopy } from '../app/audit/audit-log.js';
import { readPublishedCopy, type PublishedCopyStats } from '../app/audit/published-copy.js';
import type { VerifyResult } from '../domain/audit/verify.js';
import { registerAuditExportCommand } from './audit-export.js';
import type { CliRun } from './cli-run.js';
import { openConfiguredOperator } from './operator.js';

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

/**
 * The published copy named by `--checkpoints`: JSON lines (a witness file, a SIEM file destination
 * in JSON format, or both concatenated), or an export of `audit export-checkpoints`.
 */
async function publishedCopyFrom(path: string): Promise<PublishedCopy & { stats?: PublishedCopyStats }> {
  const lines = () => createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines()) {
    if (line.trim() === '') continue;
    // An export is one pretty-printed JSON object; its first line is a lone brace.
    if (line.trim() === '{')
      return publishedCopyOfExport(checkpointExport.parse(JSON.parse(readFileSync(path, 'utf8'))));
    break;
  }
  return readPublishedCopy(lines);
}

/** One tenant's result as a line for people. */
function resultLine(tenantId: string, r: VerifyResult): string {
  if (!r.ok) return `tenant ${tenantId}: BROKEN at seq ${r.firstBadSeq} (${r.reason}): ${r.message}\n`;
  let line = `tenant ${tenantId}: ok, ${r.count} entries, ${r.checkpoints} checkpoints, head ${r.headHash}`;
  if (r.published) {
    const p = r.published;
    line += `; published: ${p.checkpoints} checkpoints and ${p.entries} entry hashes match, vouching through seq ${p.throughSeq}`;
    if (p.throughSeq < r.count)
      line += ` (entries ${p.throughSeq + 1}..${r.count} rest on the database alone)`;
  }
  return `${line}\n`;
}

/** The audit log over the configured database (see `openOperator`: no data key unless signing). */
async function openAuditLog(run: CliRun) {
  const operator = await openConfiguredOperator(run.env);
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
    .option(
      '--checkpoints <file>',
      'also check the checkpoints published outside the database: a witness file, a SIEM file in JSON, or an export',
    )
    .option('--json', 'print the results as JSON')
    .action(async (opts: { tenant?: string; checkpoints?: string; json?: boolean }) => {
      const published = opts.checkpoints ? await publishedCopyFrom(opts.checkpoints) : undefined;
      const { db, log } = await openAuditLog(run);
      try {
        const tenants = await tenantsOf(
          log,
          opts.tenant,
          published?.checkpoints.map((cp) => cp.tenantId),
        );
        if (published?.stats && !opts.json) {
          const s = published.stats;
          run.stdout.write(
            `published copy: ${s.checkpoints} checkpoints, ${s.entries} entries, ${s.keys} public keys, ${s.other} other lines\n`,
          );
        }
        let broken = false;
        const results = [];
        for (const tenantId of tenants) {
          const result = await log.verifyTenant(tenantId, published);
          results.push({ tenantId, ...result });
          if (!result.ok) broken = true;
          if (!opts.json) run.stdout.write(resultLine(tenantId, result));
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
      const { db, log } = await openAuditLog(run);
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
      const { db, log } = await openAuditLog(run);
      try {
        const body = `${JSON.stringify(await log.exportCheckpoints(await tenantsOf(log, opts.tenant)), null, 2)}\n`;
        if (opts.out) writeFileSync(opts.out, body);
        else run.stdout.write(body);
      } finally {
        await db.close();
      }
    });
}
