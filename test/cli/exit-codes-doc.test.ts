// The exit codes are an interface: `elevate --help`, docs/cli.md and the code say the same.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT_CODE_TABLE } from '../../src/client/exit-codes.js';
import { elevate } from '../helpers/cli.js';

describe('exit codes', () => {
  it('docs/cli.md has one row per code, in order, and nothing else', () => {
    const doc = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## Exit codes'), doc.indexOf('## Shell completion'));
    const codes = [...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(codes).toEqual(EXIT_CODE_TABLE.map(([code]) => code));
  });

  it('`elevate --help` prints the table', async () => {
    const help = await elevate(['--help'], {});
    expect(help.code).toBe(0);
    for (const [code, text] of EXIT_CODE_TABLE) expect(help.stdout).toContain(`  ${code}  ${text}`);
  });
});
