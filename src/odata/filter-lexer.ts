import { dateTimeOffsetToEpochMs } from './literals.js';
import { echo, filterError } from './odata-error.js';

/**
 * One `$filter` token. `text` is the source as written (for error messages) and `position` its
 * 0-based offset. Keywords (`eq`, `and`, `null`…) are plain identifiers here; the parser tells
 * them apart, case-insensitively.
 */
export type Token =
  | { type: 'punct'; value: '(' | ')' | ',' | '/' | ':'; text: string; position: number }
  | { type: 'ident'; value: string; text: string; position: number }
  | { type: 'string'; value: string; text: string; position: number }
  | { type: 'guid'; value: string; text: string; position: number }
  | { type: 'int'; value: number; text: string; position: number }
  | { type: 'datetime'; epochMs: number; text: string; position: number }
  | { type: 'end'; text: string; position: number };

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);
const PUNCTUATION = new Set(['(', ')', ',', '/', ':']);
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![\w-])/iy;
const DATE_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+\- ]\d{2}:\d{2})(?![\w:.+-])/iy;
const INTEGER = /-?\d+(?![\w.])/y;
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;
/** What an unreadable literal or word extends to, for the error message. */
const WORD = /[^\s(),/:']+/y;
const DATE_WORD = /[\w:.+-]+/y;

const matchAt = (pattern: RegExp, text: string, position: number): string | undefined => {
  pattern.lastIndex = position;
  return pattern.exec(text)?.[0];
};

const wordAt = (text: string, position: number): string =>
  matchAt(WORD, text, position) ?? text[position] ?? '';

/**
 * Splits a `$filter` into tokens, ending with an `end` token.
 * @throws ODataError('invalidFilter') on an unterminated string, a malformed GUID, number or
 *   date/time, or a character that cannot start a token.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i] ?? '';
    if (WHITESPACE.has(char)) {
      i += 1;
    } else if (PUNCTUATION.has(char)) {
      tokens.push({ type: 'punct', value: char as '(' | ')' | ',' | '/' | ':', text: char, position: i });
      i += 1;
    } else if (char === "'") {
      const token = readString(text, i);
      tokens.push(token);
      i += token.text.length;
    } else {
      const token = readWord(text, i);
      tokens.push(token);
      i += token.text.length;
    }
  }
  tokens.push({ type: 'end', text: 'end of input', position: text.length });
  return tokens;
}

/** A quoted string; `''` inside stands for one quote. */
function readString(text: string, start: number): Token {
  let value = '';
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf("'", i);
    if (quote < 0) throw filterError(start, `unterminated string literal ${echo(text.slice(start))}`);
    value += text.slice(i, quote);
    if (text[quote + 1] === "'") {
      value += "'";
      i = quote + 2;
    } else {
      return { type: 'string', value, text: text.slice(start, quote + 1), position: start };
    }
  }
}

/** A GUID, date/time, integer or identifier; these are the only unquoted tokens. */
function readWord(text: string, start: number): Token {
  const guid = matchAt(GUID, text, start);
  if (guid !== undefined) return { type: 'guid', value: guid.toLowerCase(), text: guid, position: start };
  if (/^[0-9a-f]{8}-/i.test(text.slice(start, start + 9))) {
    throw filterError(start, `invalid GUID literal ${echo(wordAt(text, start))}`);
  }

  const char = text[start] ?? '';
  if (/[0-9-]/.test(char)) {
    if (/^\d{4}-/.test(text.slice(start, start + 5))) {
      const dateTime = matchAt(DATE_TIME, text, start);
      const epochMs = dateTime === undefined ? undefined : dateTimeOffsetToEpochMs(dateTime);
      if (dateTime === undefined || epochMs === undefined) {
        throw filterError(start, `invalid date/time literal ${echo(matchAt(DATE_WORD, text, start) ?? '')}`);
      }
      return { type: 'datetime', epochMs, text: dateTime, position: start };
    }
    const digits = matchAt(INTEGER, text, start);
    if (digits !== undefined && Number.isSafeInteger(Number(digits))) {
      return { type: 'int', value: Number(digits), text: digits, position: start };
    }
    if (char !== '-' || /\d/.test(text[start + 1] ?? '')) {
      throw filterError(start, `unsupported number literal ${echo(wordAt(text, start))}`);
    }
  }

  const identifier = matchAt(IDENTIFIER, text, start);
  if (identifier !== undefined)
    return { type: 'ident', value: identifier, text: identifier, position: start };

  const codePoint = String.fromCodePoint(text.codePointAt(start) ?? 0);
  throw filterError(start, `unexpected character ${echo(codePoint)}`);
}
