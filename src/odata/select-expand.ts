import type { FieldMap } from './field-map.js';
import { echo, ODataError } from './odata-error.js';

/** One `$expand` item; `select`/`expand` come from nested options like `policy($expand=rules)`. */
export interface ExpandItem {
  name: string;
  select?: string[];
  expand?: ExpandItem[];
}

/** Deepest `$expand` nesting accepted; Graph itself rarely goes past two levels. */
export const MAX_EXPAND_DEPTH = 4;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const EXPAND_ITEM = /^([A-Za-z_][A-Za-z0-9_]*|\*)(?:\((.*)\))?$/s;

/** Splits at `separator` outside parentheses; `undefined` when parentheses do not balance. */
export function splitTopLevel(text: string, separator: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '(') depth += 1;
    else if (char === ')' && --depth < 0) return undefined;
    else if (char === separator && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (depth !== 0) return undefined;
  parts.push(text.slice(start).trim());
  return parts;
}

/**
 * `$select` names, in the spelling the collection uses. Properties are the first segments of the
 * field map keys (a key `initiatedBy/user/id` makes `initiatedBy` selectable) plus the navigation
 * properties. `*` means everything and yields `undefined`.
 * @throws ODataError('invalidSelect') for an empty item or a name the collection does not have.
 */
export function parseSelect(
  text: string,
  fields: FieldMap,
  expandable: readonly string[],
): string[] | undefined {
  const names = new Map<string, string>();
  for (const key of [...Object.keys(fields), ...expandable]) {
    const top = key.split('/')[0] ?? key;
    if (!names.has(top.toLowerCase())) names.set(top.toLowerCase(), top);
  }
  const items = text.split(',').map((item) => item.trim());
  if (items.includes('*')) return undefined;
  const selected = new Set<string>();
  for (const item of items) {
    const name = names.get(item.toLowerCase());
    if (name === undefined || item.startsWith('$')) {
      throw new ODataError(
        'invalidSelect',
        `Could not find a property named ${echo(item)} to select.`,
        '$select',
      );
    }
    selected.add(name);
  }
  return [...selected];
}

/**
 * `$expand` items. Navigation names are checked against `expandable`, where nested levels are
 * written as paths (`['policy', 'policy/rules']`). Nested `$select` names are only checked for
 * shape, since this module does not know the expanded entity's properties.
 * @throws ODataError('invalidExpand') for bad syntax, unknown navigations or unsupported options.
 */
export const parseExpand = (text: string, expandable: readonly string[]): ExpandItem[] =>
  parseExpandLevel(text, expandable, '', 1);

const invalid = (problem: string): ODataError =>
  new ODataError('invalidExpand', `Invalid $expand: ${problem}`, '$expand');

function parseExpandLevel(
  text: string,
  expandable: readonly string[],
  prefix: string,
  depth: number,
): ExpandItem[] {
  if (depth > MAX_EXPAND_DEPTH) throw invalid(`nested deeper than ${MAX_EXPAND_DEPTH} levels`);
  const items = splitTopLevel(text, ',');
  if (!items) throw invalid('unbalanced parentheses');
  const known = expandable.filter((path) => path.toLowerCase().startsWith(prefix.toLowerCase()));
  const level = known
    .map((path) => path.slice(prefix.length))
    .filter((name) => name !== '' && !name.includes('/'));
  const result: ExpandItem[] = [];
  for (const item of items) {
    const match = EXPAND_ITEM.exec(item);
    if (!match) throw invalid(`cannot read ${echo(item)}`);
    const [, rawName = '', nested] = match;
    const names =
      rawName === '*' ? level : [level.find((name) => name.toLowerCase() === rawName.toLowerCase())];
    for (const name of names) {
      if (name === undefined) throw invalid(`could not find a navigation property named ${echo(rawName)}`);
      if (result.some((expanded) => expanded.name === name)) throw invalid(`${echo(name)} is expanded twice`);
      result.push({ name, ...parseNestedOptions(nested, expandable, `${prefix}${name}/`, depth) });
    }
  }
  return result;
}

function parseNestedOptions(
  text: string | undefined,
  expandable: readonly string[],
  prefix: string,
  depth: number,
): Omit<ExpandItem, 'name'> {
  if (text === undefined) return {};
  const options = splitTopLevel(text, ';');
  if (!options) throw invalid('unbalanced parentheses');
  const result: Omit<ExpandItem, 'name'> = {};
  const seen = new Set<string>();
  for (const option of options) {
    const equals = option.indexOf('=');
    const key = option.slice(0, Math.max(equals, 0)).trim().toLowerCase();
    const value = option.slice(equals + 1).trim();
    if (key !== '$select' && key !== '$expand') {
      throw invalid(
        `option ${echo(option.slice(0, Math.max(equals, 0)) || option)} is not supported inside $expand`,
      );
    }
    if (seen.has(key)) throw invalid(`${key} is given twice for one navigation property`);
    seen.add(key);
    if (key === '$select') {
      const names = value.split(',').map((name) => name.trim());
      const bad = names.find((name) => name !== '*' && !NAME.test(name));
      if (bad !== undefined) throw invalid(`cannot select ${echo(bad)}`);
      if (!names.includes('*')) result.select = [...new Set(names)];
    } else {
      result.expand = parseExpandLevel(value, expandable, prefix, depth + 1);
    }
  }
  return result;
}
