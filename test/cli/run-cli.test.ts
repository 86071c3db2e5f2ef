import { describe, expect, it } from 'vitest';
import { elevate } from '../helpers/cli.js';

/** The exit codes and output an operator's script relies on, from `runCli` in-process. */
describe('elevate (runCli)', () => {
  it('prints the version and help on standard output and exits 0', async () => {
    expect(await elevate(['--version'], {})).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
    const help = await elevate(['audit', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: elevate audit \[options\] \[command\]/);
    expect(help.stdout).toContain('export-checkpoints');
  });

  it('exits 2 (usage) on an unknown command or a missing option, naming it on standard error', async () => {
    const unknown = await elevate(['nonsense'], {});
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toContain("unknown command 'nonsense'");
    const missing = await elevate(['audit', 'export', '--from', '2026-01-01'], {});
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toContain("required option '--to <time>' not specified");
  });

  it('exits 1 on a bad argument and 2 on invalid configuration, with the message on standard error', async () => {
    const bad = await elevate(['audit', 'export', '--from', 'yesterday', '--to', '2026-01-02'], {});
    expect(bad).toEqual({
      code: 1,
      stdout: '',
      stderr: '--from must be an ISO 8601 date or date-time, got "yesterday"\n',
    });
    const config = await elevate(['migrate', '--status'], { ELEVATE_PORT: 'eighty' });
    expect(config).toMatchObject({ code: 2, stdout: '' });
    expect(config.stderr).toMatch(/^Invalid configuration: ELEVATE_PORT/);
  });
});
