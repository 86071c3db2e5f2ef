import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ClientRun } from './client-run.js';
import { outputOf, paint, table } from './output.js';

function runWith(isTTY: boolean, env: Record<string, string> = {}): ClientRun {
  const sink = () => Object.assign(new Writable({ write: (_c, _e, done) => done() }), { isTTY });
  return { stdout: sink(), stderr: sink(), env, exitCode: 0 };
}

describe('output', () => {
  it('colours only on a terminal, without NO_COLOR, and never in --json', () => {
    expect(outputOf(runWith(true), false).color).toBe(true);
    expect(outputOf(runWith(false), false).color).toBe(false);
    expect(outputOf(runWith(true, { NO_COLOR: '1' }), false).color).toBe(false);
    expect(outputOf(runWith(true, { TERM: 'dumb' }), false).color).toBe(false);
    expect(outputOf(runWith(true), true).color).toBe(false);
    expect(paint({ color: true }, 'red', 'Denied')).toBe('\u001b[31mDenied\u001b[39m');
    expect(paint({ color: false }, 'red', 'Denied')).toBe('Denied');
  });

  it('aligns columns on visible width, colours or not', () => {
    const rows = [
      { role: 'Helpdesk Administrator', status: 'Provisioned' },
      { role: 'Groups Administrator', status: 'Denied' },
    ];
    const plain = table(
      { color: false },
      [
        ['role', 'ROLE'],
        ['status', 'STATUS'],
      ],
      rows,
      'none',
    );
    expect(plain).toBe(
      [
        'ROLE                    STATUS',
        'Helpdesk Administrator  Provisioned',
        'Groups Administrator    Denied',
      ].join('\n'),
    );
    const coloured = table(
      { color: true },
      [
        ['role', 'ROLE'],
        ['status', 'STATUS'],
      ],
      rows,
      'none',
    );
    expect(coloured.split(String.fromCharCode(27)).length).toBeGreaterThan(1);
    expect(coloured.replace(new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, 'g'), '')).toBe(plain);
    expect(table({ color: false }, [['role', 'ROLE']], [], 'No roles.')).toBe('No roles.');
  });
});
