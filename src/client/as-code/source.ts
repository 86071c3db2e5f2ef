import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { ClientError, EXIT, type ExitCode } from '../exit-codes.js';
import { CONFIG_SCHEMA, DURATION_PATTERN, SCOPE_PATH } from './schema.js';

/** A path into the file: map keys and sequence indexes. */
export type Path = readonly (string | number)[];

/** The parsed `elevate.yaml`, and where each value came from (for `file:line:column` errors). */
export interface Source {
  readonly name: string;
  readonly value: ConfigFile;
  /** `file:line:column` of the value at `path` (of its key with `key`), or of the nearest parent. */
  at(path: Path, key?: boolean): string;
  /** A failure at `path` (at its key with `key`): `file:line:column: message`. */
  fail(path: Path, message: string, exitCode?: ExitCode, key?: boolean): ClientError;
}

export interface ConfigFile {
  version: 1;
  roles?: Record<string, Record<string, unknown>>;
  /** PIM for Groups: a group's `member` and `owner` settings, by group display name or id. */
  groups?: Record<string, { member?: Record<string, unknown>; owner?: Record<string, unknown> }>;
  /** Resource roles: by scope path, then role name or id, the role's settings at that scope. */
  resources?: Record<string, Record<string, Record<string, unknown>>>;
  assignments?: AssignmentEntry[];
}

export interface AssignmentEntry {
  type: 'eligible' | 'active';
  principal: string;
  /** A directory role (display name or id), or else `group` and `access`. */
  role?: string;
  group?: string;
  /** A resource role (role name or id) at `scope`, a registered scope path. */
  resourceRole?: string;
  access?: 'member' | 'owner';
  scope?: string;
  permanent?: true;
  expires?: string;
  duration?: string;
}

/** The schema's validator, compiled on first use (not when `elevate` starts). */
let validator: ValidateFunction | undefined;
const validatorOf = (): ValidateFunction =>
  (validator ??= new Ajv({
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    verbose: true,
  }).compile(CONFIG_SCHEMA));

/**
 * Reads and checks `elevate.yaml`: YAML syntax, then the JSON Schema.
 * @throws ClientError (usage) for an unreadable file, with `file:line:column` for anything else.
 */
export function readSource(file: string): Source {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    throw new ClientError(`cannot read ${file}: ${code}`, EXIT.usage);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const { line, col } = lines.linePos(syntax.pos[0]);
    throw new ClientError(`${file}:${line}:${col}: ${syntax.message.split('\n')[0] ?? ''}`, EXIT.usage);
  }
  const value = doc.toJS() as unknown;
  const source = sourceOf(file, doc, lines, value as ConfigFile);
  const validate = validatorOf();
  if (!validate(value)) {
    const errors = validate.errors ?? [];
    const error =
      errors.find((e) => e.keyword === 'oneOf') ?? errors.find((e) => e.keyword === 'anyOf') ?? errors[0];
    if (error) throw source.fail(...explain(error));
  }
  return source;
}

function sourceOf(name: string, doc: Document, lines: LineCounter, value: ConfigFile): Source {
  const at = (path: Path, key = false): string => {
    const candidates: unknown[] = [key ? keyNode(doc, path) : undefined];
    for (let n = path.length; n >= 0; n -= 1)
      candidates.push(n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true));
    for (const node of candidates) {
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) {
        const { line, col } = lines.linePos(range[0]);
        return `${name}:${line}:${col}`;
      }
    }
    return `${name}:1:1`;
  };
  return {
    name,
    value,
    at,
    fail: (path, message, exitCode = EXIT.usage, key = false) =>
      new ClientError(`${at(path, key)}: ${message}`, exitCode),
  };
}

/** The key node of the last step of `path` in a map. */
function keyNode(doc: Document, path: Path): unknown {
  const parent = doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const last = path[path.length - 1];
  const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === last);
  return pair?.key;
}

const pathOf = (pointer: string): (string | number)[] =>
  pointer
    .split('/')
    .slice(1)
    .map((step) => step.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((step) => (/^\d+$/.test(step) ? Number(step) : step));

/** One schema error as a path and one clear line. */
function explain(error: ErrorObject): [Path, string, ExitCode?, boolean?] {
  const path = pathOf(error.instancePath);
  const field = path.length ? `"${path.map(String).join('.')}"` : 'the file';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return [
        [...path, String(params.additionalProperty)],
        `unknown field "${String(params.additionalProperty)}"`,
        EXIT.usage,
        true,
      ];
    case 'required':
      return [path, `${field} needs "${String(params.missingProperty)}"`];
    case 'anyOf':
      return [
        path,
        'give role (a directory role) or group and access (member or owner), or resourceRole and scope (a resource role)',
      ];
    case 'oneOf':
      return [path, 'give exactly one of permanent: true, expires: <date-time> or duration: <duration>'];
    case 'enum':
      return [path, `${field} must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`];
    case 'const':
      return [path, `${field} must be ${JSON.stringify(params.allowedValue)}`];
    case 'pattern':
      if (error.propertyName !== undefined && params.pattern === SCOPE_PATH) {
        return [
          [...path, error.propertyName],
          `invalid scope "${error.propertyName}": a scope path is / or /segment/… (docs/resources.md)`,
          EXIT.usage,
          true,
        ];
      }
      if (params.pattern === DURATION_PATTERN) {
        return [
          path,
          `invalid duration ${JSON.stringify(value(error))} at ${field}: use ISO 8601 (PT8H, P90D) or 8h, 90d`,
        ];
      }
      return [path, `${field} is not valid: ${JSON.stringify(value(error))}`];
    default:
      return [path, `${field} ${error.message ?? 'is not valid'}`];
  }
}

const value = (error: ErrorObject): unknown => (error as ErrorObject & { data?: unknown }).data;
