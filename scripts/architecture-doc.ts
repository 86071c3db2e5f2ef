import { LAYERS } from '../layers.config.js';

export const START =
  '<!-- layers:start (generated from layers.config.js by `npm run docs:architecture`; do not edit) -->';
export const END = '<!-- layers:end -->';

/** The layer table as docs/architecture.md shows it. */
export function renderLayerTable(): string {
  const rows = Object.entries(LAYERS).map(([name, l]) => {
    const where = l.path === 'compose' || l.path === 'main' ? `\`src/${l.path}.ts\`` : `\`src/${l.path}/\``;
    const may = l.imports.length === 0 ? '—' : l.imports.join(', ');
    const bans = l.bans && l.bans.length > 0 ? l.bans.map((b) => `\`${b}\``).join(' ') : '—';
    return `| ${name} | ${where} | ${l.role} | ${may} | ${bans} |`;
  });
  return [
    '| layer | where | what lives there | may import | must not import |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** The generated table between the markers. */
export function layerTableOf(markdown: string): string {
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) throw new Error('docs/architecture.md has no layer-table markers');
  return markdown.slice(start + START.length, end).trim();
}

export function replaceLayerTable(markdown: string, table: string): string {
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) throw new Error('docs/architecture.md has no layer-table markers');
  return `${markdown.slice(0, start + START.length)}\n${table}\n${markdown.slice(end)}`;
}
