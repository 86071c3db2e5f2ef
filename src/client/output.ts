import type { ClientRun } from './client-run.js';

/** How a command prints: JSON for machines, or tables with colours only on a terminal. */
export interface Output {
  readonly json: boolean;
  /** stdout is a terminal: colours (unless NO_COLOR) and live status lines. */
  readonly tty: boolean;
  readonly color: boolean;
  print(text: string): void;
  /** Progress and prompts go to stderr, so stdout stays the result alone. */
  note(text: string): void;
  printJson(value: unknown): void;
}

export function outputOf(run: ClientRun, json: boolean | undefined): Output {
  const tty = run.stdout.isTTY === true;
  const color = tty && !json && (run.env.NO_COLOR ?? '') === '' && run.env.TERM !== 'dumb';
  return {
    json: json === true,
    tty,
    color,
    print: (text) => run.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    note: (text) => run.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    printJson: (value) => run.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;

/** Wraps text in an ANSI style when the output has colours, else returns it unchanged. */
export function paint(out: Pick<Output, 'color'>, style: keyof typeof CODES, text: string): string {
  if (!out.color) return text;
  const [on, off] = CODES[style];
  return `\u001b[${on}m${text}\u001b[${off}m`;
}

/** Removes ANSI styles (to measure a cell's width). */
const ANSI_STYLE = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, 'g');
const visible = (text: string): string => text.replace(ANSI_STYLE, '');

/**
 * An aligned table: a header row, then one row per item; columns padded to their widest cell.
 * An empty list prints `empty` instead.
 */
export function table(
  out: Pick<Output, 'color'>,
  columns: readonly (readonly [string, string])[],
  rows: readonly Record<string, string>[],
  empty: string,
): string {
  if (rows.length === 0) return empty;
  const widths = columns.map(([key, header]) =>
    Math.max(header.length, ...rows.map((r) => visible(r[key] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === cells.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visible(cell).length),
      )
      .join('  ')
      .trimEnd();
  return [
    line(columns.map(([, header]) => paint(out, 'bold', header))),
    ...rows.map((r) => line(columns.map(([key]) => r[key] ?? ''))),
  ].join('\n');
}

/** `2026-12-06 14:30` in UTC, or `permanent` for an open end. */
export function when(iso: string | null | undefined, open = 'permanent'): string {
  if (!iso) return open;
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}

/** `label  value` lines, labels aligned. */
export function keyValues(out: Pick<Output, 'color'>, pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${paint(out, 'dim', k.padEnd(width))}  ${v}`).join('\n');
}
