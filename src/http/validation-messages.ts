// Zod's issues turned into sentences for people: the field's path in backticks, what is expected,
// and an example where one helps, e.g. "`principalId` must be a GUID such as 62e90394-…" or
// "`justification` must have at most 500 characters (it has 612)". Schemas give their own message
// where zod's default would not help; such a message starts with "must" or "may" and is used as is.

/** The part of a zod issue this module reads (as fastify-type-provider-zod hands it over). */
export interface ValidationIssue {
  /** Zod's issue code (`invalid_type`, `too_big`, …). */
  keyword: string;
  /** `/scheduleInfo/expiration/duration`; `/` for the whole input. */
  instancePath: string;
  message: string;
  params: Record<string, unknown>;
}

/** Where the input came from, as Fastify names it: `body`, `querystring`, `params` or `headers`. */
export type ValidationPart = string;

/** One refusal: the sentence, and the field it names (`a.b.0`), if any. */
export interface ValidationProblem {
  message: string;
  target?: string;
}

/** A text a schema wrote for people: used as the predicate after the field's name. */
const PREDICATE = /^(must|may|is|has|cannot|does) /;
/** A domain message with a neutral subject, which the field's name replaces. */
const NEUTRAL_SUBJECT = /^The value /;

const pathOf = (issue: ValidationIssue): string[] =>
  issue.instancePath.split('/').filter((segment) => segment !== '');

/** The value at `path` in the input, to say what was sent (`a number`, `null`, 612 characters). */
function valueAt(input: unknown, path: readonly string[]): unknown {
  let at: unknown = input;
  for (const key of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** "a string", "an object", "null", "an array": how a JSON value is named in a message. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return withArticle(typeof value);
}

function withArticle(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'an array',
  null: 'null',
};

const FORMATS: Record<string, string> = {
  email: 'an email address such as ada@contoso.com',
  url: 'a URL such as https://elevate.example.com',
  uuid: 'a GUID such as 62e90394-69f5-4237-9190-012177145e10',
  guid: 'a GUID such as 62e90394-69f5-4237-9190-012177145e10',
  datetime: 'an ISO 8601 date-time with a time zone such as 2026-11-27T10:00:00Z',
  date: 'a date such as 2026-11-27',
  duration: 'an ISO 8601 duration such as PT8H',
};

/** Unknown property names listed in one message; a body may carry thousands. */
const MAX_KEYS_SHOWN = 5;

const quote = (value: unknown): string => (typeof value === 'string' ? `'${value}'` : String(value));

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** What the field must be, after its name ("must be a string, not a number"). */
function predicate(issue: ValidationIssue, value: unknown): string {
  const p = issue.params;
  if (PREDICATE.test(issue.message)) return issue.message;
  const limit = (key: 'maximum' | 'minimum') => Number(p[key]);
  switch (issue.keyword) {
    case 'invalid_type': {
      if (value === undefined) return 'is required';
      const expected = EXPECTED[String(p.expected)] ?? withArticle(String(p.expected));
      return `must be ${expected}, not ${value === null ? 'null' : kindOf(value)}`;
    }
    case 'too_big':
      if (p.origin === 'string') {
        const has = typeof value === 'string' ? ` (it has ${value.length})` : '';
        return `must have at most ${plural(limit('maximum'), 'character')}${has}`;
      }
      if (p.origin === 'array' || p.origin === 'set') {
        return `must have at most ${plural(limit('maximum'), 'item')}`;
      }
      return p.inclusive === false
        ? `must be less than ${String(p.maximum)}`
        : `must be at most ${String(p.maximum)}`;
    case 'too_small':
      if (p.origin === 'string') {
        return limit('minimum') <= 1
          ? 'must not be empty'
          : `must have at least ${plural(limit('minimum'), 'character')}`;
      }
      if (p.origin === 'array' || p.origin === 'set') {
        return `must have at least ${plural(limit('minimum'), 'item')}`;
      }
      return p.inclusive === false
        ? `must be more than ${String(p.minimum)}`
        : `must be at least ${String(p.minimum)}`;
    case 'invalid_format':
      return `must be ${FORMATS[String(p.format)] ?? `in the ${String(p.format)} format`}`;
    case 'invalid_value': {
      const values = Array.isArray(p.values) ? p.values : [];
      return values.length === 1
        ? `must be ${quote(values[0])}`
        : `must be one of ${values.map(quote).join(', ')}`;
    }
    case 'not_multiple_of':
      return `must be a multiple of ${String(p.divisor)}`;
    case 'invalid_union':
      return `is not in a form accepted here${value === undefined ? '' : ` (${kindOf(value)} was sent)`}`;
    case 'invalid_key':
      return 'has a key that is not accepted here';
    case 'invalid_element':
      return 'has an item that is not accepted here';
    default:
      return NEUTRAL_SUBJECT.test(issue.message)
        ? issue.message.replace(NEUTRAL_SUBJECT, '')
        : `is not valid: ${issue.message}`;
  }
}

/** How the field is named at the start of the sentence. */
function subject(part: ValidationPart, path: readonly string[]): string {
  const name = `\`${path.join('.')}\``;
  if (part === 'querystring') return path.length === 0 ? 'The query string' : name;
  if (part === 'params') return path.length === 0 ? 'The URL' : `${name} in the URL`;
  if (part === 'headers') return path.length === 0 ? 'The headers' : `The ${name} header`;
  return path.length === 0 ? 'The request body' : name;
}

/**
 * The sentence for one zod issue at the edge, and the field it names. `input` is what was sent
 * (the body, query, params or headers), read to say what a wrong value was.
 */
export function describeValidationIssue(
  issue: ValidationIssue,
  part: ValidationPart,
  input: unknown,
): ValidationProblem {
  const path = pathOf(issue);
  const target = path.length === 0 ? {} : { target: path.join('.') };
  if (issue.keyword === 'unrecognized_keys') {
    const keys = (Array.isArray(issue.params.keys) ? issue.params.keys : []).map(String);
    const shown = keys.slice(0, MAX_KEYS_SHOWN).map((k) => `\`${k.slice(0, 64)}\``);
    const more = keys.length > MAX_KEYS_SHOWN ? ` and ${keys.length - MAX_KEYS_SHOWN} more` : '';
    const what =
      keys.length === 1
        ? `an unknown property ${shown[0]}; remove it or check its spelling`
        : `unknown properties ${shown.join(', ')}${more}; remove them or check their spelling`;
    const first = keys[0] === undefined ? {} : { target: [...path, keys[0].slice(0, 64)].join('.') };
    return { message: `${subject(part, path)} has ${what}.`, ...first };
  }
  const sentence = `${subject(part, path)} ${predicate(issue, valueAt(input, path))}`;
  return { message: sentence.endsWith('.') ? sentence : `${sentence}.`, ...target };
}

/**
 * One sentence per field, in the order zod found them. A value of the wrong type gets only that
 * sentence: zod may also check it against the expected type's limits (a string sent for a list is
 * measured as a list), which would only confuse.
 */
export function describeValidationIssues(
  issues: readonly ValidationIssue[],
  part: ValidationPart,
  input: unknown,
): ValidationProblem[] {
  const byPath = new Map<string, ValidationIssue>();
  for (const issue of issues) {
    const seen = byPath.get(issue.instancePath);
    if (seen === undefined || (issue.keyword === 'invalid_type' && seen.keyword !== 'invalid_type')) {
      byPath.set(issue.instancePath, issue);
    }
  }
  return [...byPath.values()].map((issue) => describeValidationIssue(issue, part, input));
}
